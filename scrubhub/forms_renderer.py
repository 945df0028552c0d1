"""How form widgets are rendered."""

from pathlib import Path

from django.forms import renderers
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

# Our own widget templates (Jinja2), beside Django's.
WIDGET_TEMPLATES = Path(__file__).parent / "jinja2"
# Django's templates we render with our own copy: the same HTML, written out in one template
# rather than an include per <option> (half the cost of a hub's list of 175 points).
WRITTEN_OUT = {"django/forms/widgets/select.html": "scrubhub/widgets/select.html"}


class WidgetRenderer(renderers.Jinja2):
    """Django's built-in widgets (every <input>, <select> and <option>) through Django's own
    Jinja2 copies of their templates: the same HTML at about a third of the cost, which on a
    page of filters was a third of the page's time. A widget that ships only a Django
    template (the admin's, a library's) is rendered as Django would render it.
    Selects use our one-template copy of Django's (WRITTEN_OUT)."""

    @cached_property
    def engine(self):
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [Path(renderers.__file__).parent / "jinja2", WIDGET_TEMPLATES],
                "NAME": "djangoforms",
                "OPTIONS": {},
            }
        )

    @cached_property
    def _django_templates(self):
        return renderers.DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(WRITTEN_OUT.get(template_name, template_name))
        except TemplateDoesNotExist:
            return self._django_templates.get_template(template_name)
