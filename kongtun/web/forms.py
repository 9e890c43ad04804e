from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.forms.renderers import TemplatesSetting
from django.http import HttpRequest, HttpResponseRedirect

T = TypeVar("T")


class Renderer(TemplatesSetting):
    """Every form field renders through one template: big label, input, help, error in words."""

    form_template_name = "web/form.html"
    field_template_name = "web/field.html"


def apply_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's field errors next to the fields the user typed them in."""
    for field, field_messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


def submit(
    request: HttpRequest,
    form: Form,
    action: Callable[[], T],
    success: str | Callable[[T], str],
) -> T | None:
    """Run a bound form's service: on success flash `success` and return what it returned.

    On a form or service error return None, with the errors on the form next to the fields
    the user typed, so the page can be shown again with the input kept.
    """
    if not form.is_bound or not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result


def see_other(url: str) -> HttpResponseRedirect:
    """Redirect after a POST with 303, so reloading the next page never posts again."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response
