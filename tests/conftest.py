"""Project-wide test settings.

Hypothesis runs derandomized by default (a fixed sequence of examples per test), so a test
run on a clean checkout is repeatable: CI lands or fails on the code, not on the draw. To
search afresh for counterexamples, run ``HYPOTHESIS_PROFILE=explore python -m pytest`` (random
examples each run) and pin what it finds with ``@example``.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
