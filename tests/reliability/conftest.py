"""Collects the outcome of every attack of the catalogue and prints the figure at the end.

The figure "attacks refused cleanly / attacks tried" counts the attacks that ran (a skipped one,
for instance the full disk without root, is not tried) and is also written to
``attack_figure.txt`` in pytest's base temporary directory.
"""

from __future__ import annotations

import pytest

OUTCOMES = pytest.StashKey[dict[str, str | None]]()


@pytest.fixture(scope="session")
def attack_outcomes(request: pytest.FixtureRequest) -> dict[str, str | None]:
    """Attack name -> ``None`` if refused cleanly (or handled safely), else the reason."""
    return request.config.stash.setdefault(OUTCOMES, {})


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    outcomes = config.stash.get(OUTCOMES, {})
    if not outcomes:
        return
    clean = sum(reason is None for reason in outcomes.values())
    terminalreporter.write_sep("-", "attack catalogue (issue 18)")
    terminalreporter.write_line(f"attacks refused cleanly / attacks tried: {clean}/{len(outcomes)}")
    for name, reason in sorted(outcomes.items()):
        if reason is not None:
            terminalreporter.write_line(f"  NOT CLEAN {name}: {reason}")
