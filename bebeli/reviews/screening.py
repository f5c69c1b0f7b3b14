"""What holds a review for the Dinas before anyone sees it: contact details (phone numbers,
e-mail addresses, WhatsApp), links, and rude words (a short Indonesian and English list).

Buyers and sellers are meant to deal through BEBELI; a review carrying a phone number is an
advert or a doxxing either way. The list is deliberately short: the Dinas decides, this only
decides what it must look at first.
"""
from __future__ import annotations

import re
import unicodedata

PHONE = re.compile(r"(?:\+|\b)(?:62|0)[\s.\-]?8(?:[\s.\-]?\d){7,11}\b|\b\d(?:[\s.\-]?\d){9,13}\b")
EMAIL = re.compile(r"[\w.+\-]+\s*(?:@|\(at\)|\[at\])\s*[\w\-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[a-z]{2,})+", re.I)
WHATSAPP = re.compile(r"\b(?:wa|whats\s*app|w\.a\.?|wa\.me)\b", re.I)
LINK = re.compile(r"(?:https?://|www\.|\b[\w\-]+\.(?:com|id|net|org|co|me|ly|io|xyz|info|biz|link|site|shop)\b)", re.I)
# Matched as whole words after folding: accents and repeated letters don't hide them. Words a
# food review uses plainly ("babi" in "tanpa babi", "tai lalat") are left out on purpose.
PROFANITY = frozenset({
    "anjing", "anjir", "anjay", "bangsat", "bajingan", "brengsek", "kampret", "kontol", "memek", "ngentot",
    "jancok", "jancuk", "goblok", "goblog", "tolol", "bego", "taik", "asu", "keparat", "sialan",
    "fuck", "fucking", "shit", "bitch", "bastard", "asshole", "cunt",
})
FLAG_ORDER = ("phone", "email", "whatsapp", "link", "profanity")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"(.)\1{2,}", r"\1", text)  # "anjiiiing" → "anjing"


def flags_for(text: str | None) -> list[str]:
    """Why `text` must wait for the Dinas (names from FLAG_ORDER), or [] when it may be shown."""
    text = text or ""
    found = set()
    if PHONE.search(text):
        found.add("phone")
    if EMAIL.search(text):
        found.add("email")
    if WHATSAPP.search(text):
        found.add("whatsapp")
    if LINK.search(text):
        found.add("link")
    if PROFANITY & set(re.findall(r"[a-z]+", _fold(text))):
        found.add("profanity")
    return [name for name in FLAG_ORDER if name in found]
