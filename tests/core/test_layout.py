"""The code stays in rooms a reader can take in: no module of the app over MAX_LINES lines."""
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bebeli"
MAX_LINES = 450


def _long_modules() -> dict[str, int]:
    sizes = {}
    for path in PACKAGE.rglob("*.py"):
        with path.open(encoding="utf-8") as f:
            lines = sum(1 for _ in f)
        if lines > MAX_LINES:
            sizes[path.relative_to(PACKAGE).as_posix()] = lines
    return sizes


def test_every_module_within_the_limit():
    long = _long_modules()
    assert not long, f"split these modules (over {MAX_LINES} lines): {long}"
