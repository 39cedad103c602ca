"""A date and time as a person reads it off a clock, also in the hour a daylight-saving change repeats or skips.

Django's DateTimeField refuses such times ("may be ambiguous or may not exist"). On the night clocks go back,
1:30 a.m. happens twice; on the night they go forward, 2:30 a.m. never shows, yet a victim who saw the oven clock
says it. A time window must still be searchable then, so a window's start is read as the earlier of the two
moments the clock reading can mean and its end as the later: the window holds whichever one was meant. Every
other time has one meaning and is read as Django reads it.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def moment_on_the_clock(reading: datetime.datetime, zone: datetime.tzinfo, *, latest: bool) -> datetime.datetime:
    """The moment a naive clock reading in `zone` means, in UTC; of two, the earlier (or the later if `latest`)."""
    readings = {reading.replace(tzinfo=zone, fold=fold).astimezone(datetime.UTC) for fold in (0, 1)}
    return max(readings) if latest else min(readings)


class WallClockDateTimeField(forms.DateTimeField):
    """forms.DateTimeField for the start of a window: a repeated or skipped local time is its earlier moment."""

    latest = False

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            reading = value
        elif isinstance(value, datetime.date):
            reading = datetime.datetime(value.year, value.month, value.day)
        else:
            reading = self._read(str(value).strip())
        if timezone.is_aware(reading):
            return reading
        zone = timezone.get_current_timezone()
        try:
            return moment_on_the_clock(reading, zone, latest=self.latest)
        except OverflowError:  # 9999-12-31 23:59 is past what Python holds in UTC; the form's own rules refuse it
            return reading.replace(tzinfo=zone)

    def _read(self, text: str) -> datetime.datetime:
        try:
            reading = parse_datetime(text)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if reading is None:  # not ISO 8601: the field's input_formats, or "invalid"
            reading = BaseTemporalField.to_python(self, text)
        assert isinstance(reading, datetime.datetime)
        return reading


class WallClockEndField(WallClockDateTimeField):
    """The end of a window, or a deadline: a repeated or skipped local time is its later moment."""

    latest = True
