"""Tax rates that change over time, looked up by date.

A schedule is a sequence of `(effective_from, values)` pairs in configuration, e.g.
`PPN_SCHEDULE = (("2022-04-01", {"ppn_bp": 1100}), ...)`: the latest entry that started on or
before a day applies on that day. Documents store the rate they used (`ppn_rate_bp` on a
SellerOrder), so adding an entry never rewrites what was already issued.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from flask import current_app

from bebeli.money import percent, percent_of

Schedule = Iterable[tuple[str | date, dict]]


def entry_on(schedule: Schedule, day: date) -> dict:
    """The values in force on `day`; an empty dict before the first entry."""
    chosen: tuple[date, dict] | None = None
    for start, values in schedule:
        start = start if isinstance(start, date) else date.fromisoformat(start)
        if start <= day and (chosen is None or start >= chosen[0]):
            chosen = (start, values)
    return dict(chosen[1]) if chosen else {}


def ppn_rate_bp(day: date, *, is_pkp: bool) -> int:
    """The effective PPN rate (basis points of the price) a seller charges on `day`.

    Only sellers registered for VAT (PKP) charge PPN; everyone else charges none.
    """
    if not is_pkp:
        return 0
    return int(entry_on(current_app.config["PPN_SCHEDULE"], day).get("ppn_bp", 0))


def ppn_amount(goods_amount: int, rate_bp: int) -> int:
    """PPN on a seller order's goods (integer rupiah, rounded half up once per document)."""
    return percent_of(goods_amount, rate_bp) if rate_bp else 0


def rate_label(basis_points: int) -> str:
    """1100 → "11%", 1150 → "11,5%" (Indonesian decimal comma)."""
    return percent(basis_points, places=2)
