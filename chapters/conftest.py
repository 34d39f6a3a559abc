"""pytest hooks for the notebooks nbval executes: the offline guard, one thread, and the record of each
notebook's outputs that the book build reuses (see tests/harness.py). Not part of the book."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from harness import pytest_configure, pytest_runtest_makereport, pytest_sessionfinish  # noqa: E402,F401
