"""Run the attack catalogue of issue 18 against the real CLI: every attack refused cleanly.

A clean refusal is the expected exit status (2 for a bad input) with one ``error:`` line naming
the field, file, row or column, no traceback, no ``internal error`` and no raw control
character on the terminal; a "safe behaviour" case checks what the run left on disk.  Each run
is a subprocess bounded in time (a hang fails the case) and in address space
(``attacks.MEMORY_LIMIT_BYTES``).  The figure is printed at the end of the session.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import attacks
from attacks import Attack, AttackSkipped


def _catalogue() -> list[Attack]:
    cases = list(attacks.ATTACKS)
    if (Path(__file__).parent / "attacks_tables.py").exists():
        cases += importlib.import_module("attacks_tables").ATTACKS
    return cases


CATALOGUE = _catalogue()


def test_catalogue_names_are_unique_and_the_catalogue_is_large() -> None:
    names = [attack.name for attack in CATALOGUE]
    assert len(names) == len(set(names))
    assert len(attacks.ATTACKS) >= 30


@pytest.mark.parametrize("attack", CATALOGUE, ids=[a.name for a in CATALOGUE])
def test_attack_is_refused_cleanly(
    attack: Attack, tmp_path: Path, attack_outcomes: dict[str, str | None]
) -> None:
    try:
        reason = attacks.verdict(attack, tmp_path)
    except AttackSkipped as skipped:
        pytest.skip(str(skipped))
    attack_outcomes[attack.name] = reason
    assert reason is None, reason


def test_judge_is_not_fooled() -> None:
    # The judge itself: a traceback, a wrong status, a raw ESC or an unnamed field all fail.
    attack = Attack("x", status=2, message=("insured.name",))
    ok = attacks.Result(
        2, "", "error: f.json: invalid Submission (1 error):\n  - insured.name: x", 0
    )
    assert attacks.judge(attack, ok, Path(".")) is None
    for bad in (
        attacks.Result(1, "", ok.stderr, 0),
        attacks.Result(2, "", "Traceback (most recent call last):\n insured.name", 0),
        attacks.Result(2, "", "error: internal error (ValueError: insured.name)", 0),
        attacks.Result(2, "", "error: insured.name \x1b[31m", 0),
        attacks.Result(2, "", "error: something else", 0),
        attacks.Result(2, "", "insured.name", 0),
    ):
        assert attacks.judge(attack, bad, Path(".")) is not None, bad
