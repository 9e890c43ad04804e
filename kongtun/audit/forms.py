from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kongtun.web.fields import CleanCharField, ThaiDateField


class AccessReportForm(forms.Form):
    """A time range in Buddhist-era dates and local times, optionally one member or one user."""

    from_date = ThaiDateField(label=_("From (date)"))
    from_time = forms.TimeField(label=_("From (time)"), required=False, help_text=_("e.g. 08:30"))
    to_date = ThaiDateField(label=_("Up to (date)"))
    to_time = forms.TimeField(
        label=_("Up to (time)"), required=False, help_text=_("Empty: to the end of that day")
    )
    member = CleanCharField(label=_("Member number"), required=False, max_length=20)
    user = CleanCharField(label=_("Username"), required=False, max_length=150)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        start = dt.datetime.combine(data["from_date"], data.get("from_time") or dt.time(0, 0))
        if data.get("to_time"):
            # The minute typed is included: up to 10:15 takes in 10:15:59.
            end = dt.datetime.combine(data["to_date"], data["to_time"]) + dt.timedelta(minutes=1)
        else:
            end = dt.datetime.combine(data["to_date"] + dt.timedelta(days=1), dt.time(0, 0))
        if end <= start:
            raise forms.ValidationError(_("The end of the range must be after its start."))
        data["start"] = timezone.make_aware(start)
        data["end"] = timezone.make_aware(end)
        return data
