from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kongtun.accounts.models import User
from kongtun.accounts.services import mfa_reset


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Kongtun"), {"fields": ("full_name",)}))  # type: ignore[misc]
    list_display = ("username", "full_name", "is_active", "is_superuser", "two_step", "last_login")
    search_fields = ("username", "full_name")
    actions = ["reset_two_step"]

    @admin.display(description=_("two-step login"), boolean=True)
    def two_step(self, obj: User) -> bool:
        device = getattr(obj, "mfa_device", None)
        return device is not None and device.confirmed_at is not None

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("mfa_device")

    @admin.action(
        description=_("Reset two-step login (a lost phone): set it up again at next login")
    )
    def reset_two_step(self, request: HttpRequest, queryset: QuerySet[User]) -> Any:
        count = sum(mfa_reset(user=user, actor=request.user, reason="admin") for user in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d person will set up the app again at their next login.",
                "%(count)d people will set up the app again at their next login.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
