"""Time zone rules: stored in UTC, reasoned about (months, days) in Asia/Jakarta."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def to_jakarta(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(JAKARTA)


def jakarta_today(at: datetime | None = None) -> date:
    return to_jakarta(at or now_utc()).date()


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def jakarta_midnight(day: date) -> datetime:
    """The UTC instant a Jakarta calendar day begins."""
    return datetime.combine(day, time(), tzinfo=JAKARTA).astimezone(timezone.utc)


def month_bounds_utc(month: date) -> tuple[datetime, datetime]:
    """A Jakarta calendar month as [start, end) in UTC."""
    return jakarta_midnight(month_start(month)), jakarta_midnight(next_month(month))


def days_in_month(day: date) -> int:
    return monthrange(day.year, day.month)[1]


def parse_month(text: str | None, default: date | None = None) -> date:
    """`2026-11` → date(2026, 11, 1); falls back to `default` (or this Jakarta month)."""
    if text:
        try:
            year, month = (int(p) for p in text.split("-", 1))
            return date(year, month, 1)
        except (ValueError, TypeError):
            pass
    return month_start(default or jakarta_today())
