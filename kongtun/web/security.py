"""Security headers on every response: a strict content security policy and a permissions policy.

Django's own middleware already sends nosniff, the referrer policy, X-Frame-Options and the
opener policy; this adds what Django 5.2 cannot. The policy allows only our own files: no inline
script, no inline style, no eval, nothing from another site. A page is never framed, and a form
posts only back to us, so injected markup can neither run code nor send data away.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # No page draws a data: image (QR codes are drawn server-side, into PDFs): none allowed.
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

# Browser features no page needs. The camera is allowed only on the collection session page,
# where the collector scans a member card's QR code (contributions/static/contributions/scan.js).
_DENIED = (
    "accelerometer",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
)
CAMERA_URL_NAMES = frozenset({"contributions-session"})


def permissions_policy(*, camera: bool) -> str:
    features = [f"{name}=()" for name in _DENIED]
    features.append("camera=(self)" if camera else "camera=()")
    return ", ".join(sorted(features))


class SecurityHeadersMiddleware:
    """Adds the policies unless a view set its own (setdefault)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        camera = match is not None and match.url_name in CAMERA_URL_NAMES
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", permissions_policy(camera=camera))
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
