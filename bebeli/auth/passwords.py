"""How guessable a new password is, estimated by zxcvbn, explained in the reader's language.

zxcvbn knows English words, names and leaked passwords; it is told the person's own details
(name, email, NIP, phone …) and the Indonesian words people here pick most, so "bekasi2026"
or "Siti-Aminah-1" score as low as "password12". Its English warnings are mapped to messages
of the project's catalogue, so the Indonesian interface says in Indonesian why a password is
refused (and the English one in English).
"""
from __future__ import annotations

import re
import threading

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from zxcvbn import zxcvbn

# Words (and their usual joins) found in passwords chosen by Indonesian speakers, plus this
# site's and region's names. Lower case; zxcvbn also tries them reversed and with l33t.
INDONESIAN_WORDS = (
    "bebeli", "bekasi", "rahasia", "katasandi", "kata", "sandi", "sayang", "sayangku", "cinta", "cintaku",
    "indonesia", "merdeka", "garuda", "pancasila", "bismillah", "alhamdulillah", "insyaallah", "masuk",
    "terserah", "rindu", "kasih", "setia", "bintang", "bulan", "matahari", "bunga", "cantik", "ganteng",
    "manis", "keluarga", "mama", "papa", "ibu", "bapak", "anak", "kakak", "adik", "selamat", "pagi",
    "rumah", "kucing", "anjing", "pegawai", "kantor", "dinas", "pemkab", "pemkot", "kabupaten", "kota",
    "cikarang", "tambun", "jawabarat", "jakarta", "bandung", "persija", "persib", "jakmania", "viking",
    "umkm", "toko", "admin", "asn", "pns", "nip", "nik", "baru", "lama", "coba", "lupa", "rahasiaku",
)
# zxcvbn passes its input only as module state: one estimate at a time.
_ESTIMATING = threading.Lock()
# zxcvbn refuses longer input; a password this long is not short of guesses.
MAX_ESTIMATED_LENGTH = 72

WARNINGS = {
    "Straight rows of keys are easy to guess.": _l("Deretan tombol keyboard mudah ditebak."),
    "Short keyboard patterns are easy to guess.": _l("Pola tombol keyboard yang pendek mudah ditebak."),
    'Repeats like "aaa" are easy to guess.': _l("Huruf yang diulang seperti \u201caaa\u201d mudah ditebak."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".':
        _l("Pengulangan seperti \u201cabcabcabc\u201d hampir semudah \u201cabc\u201d untuk ditebak."),
    'Sequences like "abc" or "6543" are easy to guess.':
        _l("Urutan seperti \u201cabc\u201d atau \u201c6543\u201d mudah ditebak."),
    "Recent years are easy to guess.": _l("Tahun-tahun terakhir mudah ditebak."),
    "Dates are often easy to guess.": _l("Tanggal biasanya mudah ditebak."),
    "This is a top-10 common password.": _l("Ini salah satu dari 10 kata sandi paling umum."),
    "This is a top-100 common password.": _l("Ini salah satu dari 100 kata sandi paling umum."),
    "This is a very common password.": _l("Ini kata sandi yang sangat umum."),
    "This is similar to a commonly used password.": _l("Ini mirip kata sandi yang umum dipakai."),
    "A word by itself is easy to guess.": _l("Satu kata saja mudah ditebak."),
    "Names and surnames by themselves are easy to guess.": _l("Nama orang saja mudah ditebak."),
    "Common names and surnames are easy to guess.": _l("Nama orang yang umum mudah ditebak."),
}
SUGGESTIONS = {
    "Add another word or two. Uncommon words are better.":
        _l("Tambahkan satu atau dua kata lagi; kata yang tidak umum lebih baik."),
    "Use a few words, avoid common phrases.": _l("Gunakan beberapa kata dan hindari ungkapan umum."),
    "Use a longer keyboard pattern with more turns.": _l("Hindari pola tombol keyboard."),
    "Avoid repeated words and characters.": _l("Hindari kata dan huruf yang diulang."),
    "Avoid sequences.": _l("Hindari urutan huruf atau angka."),
    "Avoid recent years.": _l("Hindari tahun-tahun terakhir."),
    "Avoid years that are associated with you.": _l("Hindari tahun yang berkaitan dengan Anda."),
    "Avoid dates and years that are associated with you.":
        _l("Hindari tanggal dan tahun yang berkaitan dengan Anda."),
    "Capitalization doesn't help very much.": _l("Huruf besar di awal tidak banyak membantu."),
    "All-uppercase is almost as easy to guess as all-lowercase.":
        _l("Semua huruf besar hampir semudah semua huruf kecil untuk ditebak."),
    "Reversed words aren't much harder to guess.": _l("Kata yang dibalik tidak jauh lebih sulit ditebak."),
    "Predictable substitutions like '@' instead of 'a' don't help very much.":
        _l("Penggantian yang mudah diduga, seperti \u201c@\u201d untuk \u201ca\u201d, tidak banyak membantu."),
}
PERSONAL = _l("Kata sandi memuat nama, email, NIP, atau data Anda yang lain.")
GENERIC = _l("Gunakan beberapa kata yang tidak umum, bukan nama, tanggal, atau urutan tombol.")


def personal_inputs(*values) -> list[str]:
    """The words of a person's details (name, email, NIP …) as zxcvbn should know them: each
    value whole, its words run together or joined as people join them ("dewilestari",
    "dewi.lestari"), and each word alone."""
    words: list[str] = []
    for value in values:
        text = str(value or "").strip().lower()
        parts = [w for w in re.split(r"[\s@._+\-,/()]+", text) if w]
        if text:
            words.append(text)
        if len(parts) > 1:
            words.extend(joiner.join(parts) for joiner in ("", "-", ".", "_"))
        words.extend(w for w in parts if len(w) >= 3)
    return list(dict.fromkeys(words))


def weakness(password: str, personal: list[str], min_score: int) -> str | None:
    """None when `password` reaches `min_score` (0–4); otherwise why not, in the current
    language: what makes it guessable, then what to do instead."""
    with _ESTIMATING:
        result = zxcvbn(password[:MAX_ESTIMATED_LENGTH], user_inputs=[*personal, *INDONESIAN_WORDS])
    if result["score"] >= min_score:
        return None
    feedback = result["feedback"]
    known = [m for m in result["sequence"] if m.get("dictionary_name") == "user_inputs"]
    if any(m["matched_word"] in personal for m in known):
        reasons = [str(PERSONAL)]
    elif known:
        reasons = [_("Kata sandi memuat kata yang sering dipakai sebagai kata sandi, misalnya \u201c%(word)s\u201d.",
                     word=known[0]["matched_word"])]
    else:
        reasons = [str(WARNINGS[feedback["warning"]])] if feedback.get("warning") in WARNINGS else []
    advice = [str(SUGGESTIONS[s]) for s in feedback.get("suggestions", []) if s in SUGGESTIONS][:2] or [str(GENERIC)]
    return " ".join([_("Kata sandi ini terlalu mudah ditebak."), *reasons, *advice])
