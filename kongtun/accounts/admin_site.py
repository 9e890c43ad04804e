"""The admin site, whose own login page is replaced by ours.

Django's admin login would log a person in with the password alone, skipping the two-step
login. This site sends it to ours instead (Django's documented way to override the default
site: an AdminConfig with `default_site`, listed in INSTALLED_APPS instead of
django.contrib.admin).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode


class KongtunAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated:
            # Logged in but not staff: our login would send them straight back here (it skips
            # the form for the logged-in), round and round. Say no instead.
            return render(request, "accounts/admin_forbidden.html", status=403)
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(reverse("accounts-login") + "?" + urlencode({"next": next_url}))


class AdminConfig(DjangoAdminConfig):
    default_site = "kongtun.accounts.admin_site.KongtunAdminSite"
