"""Indonesian text for the catalog: slugs, tokens and stems.

Documents and queries go through the same `stem_words`, so "membeli" in a query meets
"beli" in a product, and both search backends index the same pre-stemmed words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[a-z0-9]+")
# A word longer than this is noise (or an attack); it is cut, never indexed whole.
MAX_WORD_LENGTH = 40


def fold(text: str | None) -> str:
    """Lowercase ASCII: accents dropped ("Kué" → "kue"), other scripts removed."""
    normalized = unicodedata.normalize("NFKD", text or "")
    return normalized.encode("ascii", "ignore").decode("ascii").lower()


def slugify(text: str, max_length: int = 80) -> str:
    slug = _NON_ALNUM.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "item"


def words(text: str | None) -> list[str]:
    return [w[:MAX_WORD_LENGTH] for w in _WORD.findall(fold(text))]


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    # The factory's stemmer keeps an unbounded cache of its own; `stem_word` bounds it instead.
    return StemmerFactory().create_stemmer().delegatedStemmer


@lru_cache(maxsize=50_000)
def stem_word(word: str) -> str:
    if not word.isalpha():  # sizes and codes ("250gr", "a4") are kept as typed
        return word
    return _stemmer().stem(word) or word


def stem_words(text: str | None) -> list[str]:
    return [stem_word(w) for w in words(text)]


def stemmed(text: str | None) -> str:
    return " ".join(stem_words(text))
