"""The project's form renderer: ``{{ form }}`` uses the div layout in templates/includes/."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Render forms with the project's templates: errors next to each field, ARIA wired.

    TemplatesSetting looks templates up through settings.TEMPLATES, so the project's
    templates/ folder and Django's own widget templates (the "django.forms" app) are found.
    """

    form_template_name = "includes/_form.html"
    field_template_name = "includes/_field.html"
