from django.forms.renderers import TemplatesSetting


class Renderer(TemplatesSetting):
    """Every form field renders through one template: big label, input, help, error in words."""

    form_template_name = "web/form.html"
    field_template_name = "web/field.html"
