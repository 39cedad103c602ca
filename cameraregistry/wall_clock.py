"""Dates and times as people read them off a clock, also in the hour a daylight-saving change repeats or skips.

Django's DateTimeField refuses such times ("may be ambiguous or may not exist"). On the night clocks go back,
1:30 a.m. happens twice; on the night they go forward, 2:30 a.m. never shows, yet a victim who saw the oven clock
says it. A time window must still be searchable then, so a window's start is read as the earlier of the two
moments the clock reading can mean and its end as the later: the window holds whichever one was meant. Every
other time is read by Django, unchanged.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# A time window starting before this is a typed year gone wrong ("0025" for "2025"), not an incident with footage.
EARLIEST_WINDOW_YEAR = 2000


def moment_on_the_clock(reading: datetime.datetime, zone: datetime.tzinfo, *, latest: bool) -> datetime.datetime:
    """The moment a naive clock reading in `zone` means; of two, the earlier (or the later if `latest`).

    In UTC: Python compares and subtracts two datetimes of one zone by their clock readings, ignoring `fold`, so
    1:10 CDT to 1:40 CST would be 30 minutes in `zone` and is 90 in UTC.
    """
    readings = {reading.replace(tzinfo=zone, fold=fold).astimezone(datetime.UTC) for fold in (0, 1)}
    return max(readings) if latest else min(readings)


def days_later_on_the_clock(moment: datetime.datetime, days: int, zone: datetime.tzinfo) -> datetime.datetime:
    """The same local time `days` calendar days after `moment` (23 or 25 hours for a day with a clock change)."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    return (local + datetime.timedelta(days=days)).replace(tzinfo=zone)


class WallClockDateTimeField(forms.DateTimeField):
    """forms.DateTimeField for the start of a window: a repeated or skipped local time is its earlier moment."""

    latest = False

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":  # Django's own parsing and messages for everything else
                raise
            reading = error.params["datetime"]
        return moment_on_the_clock(reading, timezone.get_current_timezone(), latest=self.latest)


class WallClockEndField(WallClockDateTimeField):
    """The end of a window, or a deadline: a repeated or skipped local time is its later moment."""

    latest = True
