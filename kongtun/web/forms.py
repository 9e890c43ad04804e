from django.core.exceptions import ValidationError
from django.forms import Form
from django.forms.renderers import TemplatesSetting


class Renderer(TemplatesSetting):
    """Every form field renders through one template: big label, input, help, error in words."""

    form_template_name = "web/form.html"
    field_template_name = "web/field.html"


def apply_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's field errors next to the fields the user typed them in."""
    for field, messages in error.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
