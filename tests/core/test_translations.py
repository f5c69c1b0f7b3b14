"""Every message the interface can show has an English translation: a new string without one
fails here (extract, `pybabel update`, translate — see the README's Development section)."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_the_english_catalogue_translates_every_message_in_the_source(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "--ignore-dirs", ".*", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        source = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        english = {m.id: m for m in read_po(handle) if m.id}
    missing = sorted(str(i) for i in source if i not in english or not _translated(english[i]))
    assert len(source) > 1000
    assert not missing, f"{len(missing)} message(s) without an English translation, e.g. {missing[:5]}"


def _translated(message) -> bool:
    """A plural entry (msgid_plural) needs every English form (msgstr[0] and msgstr[1]), not just one."""
    if message.fuzzy:
        return False
    if message.pluralizable:
        return isinstance(message.string, tuple) and len(message.string) == 2 and all(message.string)
    return bool(message.string)
