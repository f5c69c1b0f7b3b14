"""The code stays in rooms a reader can take in: no module of the app over MAX_LINES lines."""
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "bebeli"
MAX_LINES = 450
# Still being split; remove each entry as its split lands, so the allowance only ever shrinks.
STILL_LONG = {
    "procurement/services.py",
    "procurement/views.py",
}


def _long_modules() -> dict[str, int]:
    sizes = {}
    for path in PACKAGE.rglob("*.py"):
        with path.open(encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        if lines > MAX_LINES:
            sizes[path.relative_to(PACKAGE).as_posix()] = lines
    return sizes


def test_no_new_module_over_the_limit():
    long = _long_modules()
    new = {name: lines for name, lines in long.items() if name not in STILL_LONG}
    assert not new, f"split these modules (over {MAX_LINES} lines): {new}"


@pytest.mark.xfail(strict=False, reason=f"still over {MAX_LINES} lines while being split: {sorted(STILL_LONG)}")
def test_every_module_within_the_limit():
    # Passes (XPASS) once every split has landed: then empty STILL_LONG and drop this marker.
    assert not _long_modules()
