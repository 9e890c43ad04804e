"""The one place tenancy is enforced.

Every URL that names a fund (`<fund_code>`) passes through FundScopeMiddleware: anonymous users
go to the login page, users without a role in that fund get 404 (the same answer as a fund that
does not exist, so the URL reveals nothing), and the view runs inside `scope(fund=…)`. Any query
on a fund-owned model outside such a scope raises ScopeError: forgetting a filter fails closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django_scopes import scope

from kongtun.funds.models import Fund, FundRole
from kongtun.funds.permissions import role_permissions

View = Callable[..., HttpResponse]


@contextmanager
def fund_scope(funds: Fund | list[Fund]) -> Iterator[None]:
    """Enter the scope of one fund, or of several for area aggregates.

    django-scopes treats a scope of None as "no filter", so refuse anything but real funds.
    """
    items = funds if isinstance(funds, list) else [funds]
    if not all(isinstance(f, Fund) and f.pk for f in items):
        raise ImproperlyConfigured("fund_scope needs saved Fund objects")
    value: Any = items[0].pk if isinstance(funds, Fund) else [f.pk for f in items]
    with scope(fund=value):
        yield


class FundScopeMiddleware:
    def __init__(self, get_response: View) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: View, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        code = kwargs.get("fund_code")
        if code is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        role = (
            FundRole.objects.select_related("fund", "fund__tambon__amphoe__province")
            .filter(fund__code=code, user=request.user, is_active=True)
            .first()
        )
        if role is None:
            raise Http404
        request.fund = role.fund  # type: ignore[attr-defined]
        request.fund_role = role  # type: ignore[attr-defined]
        request.fund_permissions = role_permissions(role.role)  # type: ignore[attr-defined]
        # Rendering happens inside the view (render(), not TemplateResponse), so every lazy
        # query in the template also runs inside the scope.
        with fund_scope(role.fund):
            response = view(request, *args, **kwargs)
        # Fund pages carry personal data: shared office PCs must not keep them in the cache.
        add_never_cache_headers(response)
        return response


def current_fund(request: HttpRequest) -> Fund:
    """The fund of the URL, as the middleware found it (only on fund URLs)."""
    fund: Fund = request.fund  # type: ignore[attr-defined]
    return fund


def has_fund_permission(request: HttpRequest, permission: str) -> bool:
    return permission in getattr(request, "fund_permissions", frozenset())


def fund_permission_required(permission: str) -> Callable[[View], View]:
    """Allow the view only to users whose role in the URL's fund carries `permission` (else 403)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not hasattr(request, "fund"):
                raise ImproperlyConfigured(f"{view.__name__} needs <fund_code> in its URL")
            if not has_fund_permission(request, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.fund_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
