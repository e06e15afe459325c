"""Danish number, money and date formats for what providers and finance staff read."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def number(value: Decimal | int, places: int = 2) -> str:
    """1234.5 -> '1.234,50' (thousands '.', decimal ',')."""
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def kroner(value: Decimal | int) -> str:
    """1234.5 -> '1.234,50 kr.'"""
    return f"{number(value)} kr."


def percent(share: Decimal) -> str:
    """0.5 -> '50 %', 0.125 -> '12,5 %'."""
    text = format((Decimal(share) * 100).normalize(), "f")
    return f"{text.replace('.', ',')} %"


def day(value: date) -> str:
    """2025-02-01 -> '01.02.2025'."""
    return value.strftime("%d.%m.%Y")


def local_time(utc: datetime) -> str:
    """A time stored in UTC (naive, as the ledger keeps it) in Danish time: '30.06.2025 14:05'."""
    return utc.replace(tzinfo=timezone.utc).astimezone(DANISH_TIME).strftime("%d.%m.%Y %H:%M")
