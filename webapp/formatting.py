"""Template filters that format numbers, dates, periods and sizes for the page language."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask

from .i18n import get_lang


def format_number(value) -> str:
    if value is None or value == "":
        return ""
    try:
        number = int(value) if isinstance(value, int) or str(value).lstrip("-").isdigit() else float(value)
    except (TypeError, ValueError):
        return str(value)
    return format_decimal(number, locale=get_lang())


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if len(text) >= 10:
        try:
            return dt.date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None


def format_day(value) -> str:
    """`2026-03-30` -> `30 mars 2026` / `30 March 2026`; a year or a year-month is kept as written."""
    if value is None or value == "":
        return ""
    day = _as_date(value)
    if day is None:
        return str(value)
    return format_date(day, format="long", locale=get_lang())


def format_bytes(value) -> str:
    try:
        size = float(value)
    except (TypeError, ValueError):
        return str(value or "")
    units = ("o", "Ko", "Mo", "Go", "To") if get_lang() == "fr" else ("B", "kB", "MB", "GB", "TB")
    unit = 0
    while size >= 1000 and unit < len(units) - 1:
        size /= 1000
        unit += 1
    shown = format_decimal(round(size, 1) if unit else int(size), locale=get_lang())
    return f"{shown}\u00a0{units[unit]}"


def _is_day(value) -> bool:
    return _as_date(value) is not None


def format_period(start, end) -> str:
    """A period in words: `du 1 janvier 2020 au 31 décembre 2024`, `since 2020`, `until 31 December 2035`."""
    fr = get_lang() == "fr"
    a, b = format_day(start), format_day(end)
    if a and b:
        if fr:
            return f"{'du ' if _is_day(start) else 'de '}{a} {'au ' if _is_day(end) else 'à '}{b}"
        return f"from {a} to {b}"
    if a:
        return (f"depuis le {a}" if _is_day(start) else f"depuis {a}") if fr else f"since {a}"
    if b:
        return (f"jusqu'au {b}" if _is_day(end) else f"jusqu'en {b}") if fr else f"until {b}"
    return ""


def format_age_range(low, high) -> str:
    fr = get_lang() == "fr"
    if low is not None and high is not None:
        return f"{low} – {high} ans" if fr else f"{low} – {high} years"
    if low is not None:
        return f"{low} ans et plus" if fr else f"{low} years and over"
    if high is not None:
        return f"jusqu'à {high} ans" if fr else f"up to {high} years"
    return ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(format_number=format_number, format_day=format_day, format_bytes=format_bytes)
    app.jinja_env.globals.update(format_period=format_period, format_age_range=format_age_range)
