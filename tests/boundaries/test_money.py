"""Rupiah amounts typed by people and printed for them: whole rupiah only, the Indonesian way."""
from decimal import Decimal

import pytest

from bebeli.money import parse_rupiah, rupiah


@pytest.mark.parametrize("text,value", [
    ("15000", 15_000), ("15.000", 15_000), ("Rp 15.000", 15_000), ("rp15.000", 15_000),
    ("Rp\u00a015.000", 15_000), ("15.000,00", 15_000), ("15.000,0", 15_000), (" 0 ", 0), (15_000, 15_000),
])
def test_amounts_people_type(text, value):
    assert parse_rupiah(text) == value


@pytest.mark.parametrize("text", [None, True, "", "Rp", ",00", "1,000,00", "15.000,01", "15,5", "1.50", "-5"])
def test_anything_but_whole_rupiah_is_refused(text):
    with pytest.raises(ValueError):
        parse_rupiah(text)


def test_amounts_as_printed():
    assert rupiah(1_250_000) == "Rp\u00a01.250.000"
    assert rupiah(-5_000) == "-Rp\u00a05.000"
    assert rupiah(0) == "Rp\u00a00"
    assert rupiah(None) == "–"
    for amount in (1.5, Decimal("5"), "5"):
        with pytest.raises(TypeError):
            rupiah(amount)
