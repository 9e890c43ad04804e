"""The installation's backup page: the schedule, a "back up now" button and the log."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kongtun.backups import selectors, services
from kongtun.backups.forms import ScheduleForm
from kongtun.web.forms import see_other


def _allowed(request: HttpRequest) -> None:
    # 404, as for a fund one has no role in: the page's existence is nobody else's business.
    if not selectors.can_manage_backups(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    schedule = selectors.schedule_current()
    form = ScheduleForm(request.POST or None, instance=schedule)
    if form.is_bound and form.is_valid():
        services.schedule_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in form.fields}
        )
        messages.success(request, _("The backup schedule was saved."))
        folder = form.cleaned_data["destination"]
        if folder and not Path(folder).is_dir():
            messages.warning(
                request,
                _(
                    "The folder %(folder)s is not there now; plug in the USB stick before "
                    "the next backup."
                )
                % {"folder": folder},
            )
        return see_other(reverse("backups-page"))
    status = selectors.backup_status()
    context = {
        "form": form,
        "status": status,
        "backups": selectors.recent_backups(),
        "database_vendor": services.vendor(),
        "var_dir": settings.VAR_DIR,
    }
    return render(request, "backups/page.html", context, status=400 if form.is_bound else 200)


@login_required
@require_POST
def backup_now(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    schedule = selectors.schedule_current()
    if not schedule.destination:
        messages.error(request, _("Choose the backup folder first."))
    elif not settings.BACKUP_PASSPHRASE:
        messages.error(
            request,
            _(
                "The backup passphrase is not set on this computer; ask the administrator "
                "(docs/backup.md)."
            ),
        )
    elif settings.BACKUP_SCHEDULER:
        # A large database takes longer than the server's request timeout: the runner makes
        # it, outside the request.
        services.backup_request(actor=request.user)
        messages.info(
            request,
            _("The backup starts within a minute; this page lists it when it is done."),
        )
    else:
        try:
            record = services.backup_create(
                folder=Path(schedule.destination),
                passphrase=settings.BACKUP_PASSPHRASE,
                actor=request.user,
            )
        except services.BackupBusy:
            messages.error(request, _("A backup is already running; try again in a minute."))
        else:
            if record.ok:
                messages.success(request, _("Backup written: %(file)s") % {"file": record.filename})
            else:
                messages.error(
                    request, _("The backup failed: %(why)s") % {"why": record.shown_message()}
                )
    return see_other(reverse("backups-page"))
