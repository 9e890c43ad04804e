from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kongtun.backups.models import BackupSchedule


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = BackupSchedule
        fields = ["enabled", "every", "every_hours", "daily_at", "destination", "keep"]
        widgets = {
            "daily_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "every": forms.RadioSelect,
        }
        help_texts = {
            "destination": _(
                "The full path of a folder on this computer, e.g. a USB stick's folder "
                "/media/fund/USB. Backups are encrypted before they are written there."
            ),
            "keep": _("Older backups in the folder are deleted, the newest ones kept."),
        }

    def clean_every_hours(self) -> int:
        hours: int = self.cleaned_data["every_hours"]
        if not 1 <= hours <= 168:
            raise forms.ValidationError(_("Choose between 1 and 168 hours."))
        return hours

    def clean_keep(self) -> int:
        keep: int = self.cleaned_data["keep"]
        if not 1 <= keep <= 365:
            raise forms.ValidationError(_("Keep between 1 and 365 backups."))
        return keep

    def clean_destination(self) -> str:
        folder = self.cleaned_data["destination"].strip()
        if folder and not Path(folder).is_absolute():
            raise forms.ValidationError(_("Type the full path of the folder, starting with /."))
        return folder

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("enabled") and not data.get("destination"):
            self.add_error("destination", _("Say where scheduled backups go."))
        return data
