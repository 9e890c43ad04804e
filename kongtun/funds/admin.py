"""The system administrator manages funds, accounts and who may see what.

Fund-owned data (members, books) is deliberately not in the admin: it is only reachable
through the fund's own pages, inside the fund's scope. Changes made here are audited on the
fund's chain like any other.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms.models import model_to_dict
from django.http import HttpRequest

from kongtun.audit.services import Change, audit_log
from kongtun.funds.models import Fund, FundRole, OfficerAssignment
from kongtun.funds.tenancy import fund_scope
from kongtun.ledger.services import chart_install

_FUND_FIELDS = ("code", "name", "kind", "tambon", "municipality_name", "founded_on", "fiscal_year")


def _fund_state(fund: Fund) -> dict[str, Any]:
    return {k: str(v) for k, v in model_to_dict(fund, fields=_FUND_FIELDS).items()}


class FundRoleInline(admin.TabularInline):
    model = FundRole
    extra = 1
    autocomplete_fields = ("user",)


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tambon", "kind", "founded_on")
    search_fields = ("code", "name")
    list_select_related = ("tambon",)
    raw_id_fields = ("tambon",)
    inlines = [FundRoleInline]

    def save_model(self, request: HttpRequest, obj: Fund, form: Any, change: bool) -> None:
        before = _fund_state(Fund.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if not change:
            with fund_scope(obj):
                chart_install(fund=obj)
        after = _fund_state(obj)
        if before != after:
            action = "funds.fund.changed" if change else "funds.fund.created"
            audit_log(
                fund=obj,
                actor=request.user,
                changes=[Change.of(action, obj, before=before, after=after, via="admin")],
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        roles = formset.save(commit=False)
        changes = [
            Change.of(
                "funds.role.removed",
                role,
                before={"user": role.user.username, "role": role.role},
                via="admin",
            )
            for role in formset.deleted_objects
        ]
        for role in formset.deleted_objects:
            role.delete()
        for role in roles:
            role.save()
            changes.append(
                Change.of(
                    "funds.role.granted",
                    role,
                    after={"user": role.user.username, "role": role.role, "active": role.is_active},
                    via="admin",
                )
            )
        formset.save_m2m()
        audit_log(fund=form.instance, actor=request.user, changes=changes)


@admin.register(OfficerAssignment)
class OfficerAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "level", "area_code")
    autocomplete_fields = ("user",)
