"""The Jinja2 environment for the fragments pages render through `{% jinja2 %}` (long lists
and the dashboard's tables, where Django's template engine cost most of the page's time).
It offers what those fragments use from Django's templates, with the same results: `url()`,
`static()`, the `date`, `timesince`, `intcomma` and `display` filters, and `{% trans %}` through
Django's translation functions."""

from __future__ import annotations

from functools import cache

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def date(value, format_string: str | None = None) -> str:
    """Django's `|date` filter, given local time as Django's engine gives it."""
    return defaultfilters.date(template_localtime(value), format_string)


def timesince(value) -> str:
    """Django's `|timesince` filter, given local time as Django's engine gives it."""
    return defaultfilters.timesince_filter(template_localtime(value))


@cache
def _choice_labels(field) -> dict:
    return dict(field.flatchoices)


def display(instance, field_name: str):
    """`instance|display("status")` shows what `instance.get_status_display()` shows. Django's
    builds a dict of the field's choices on every call, a tenth of a long list's time; this
    builds it once per field (the labels stay lazy, so each page gets its own language).
    For fields with fixed choices, which are all of ours."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    label = _choice_labels(field).get(value, value)
    return label if label is None else str(label)


def environment(**options) -> Environment:
    # Always escaped: `{% jinja2 %}` puts the output into the page as it is.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(url=url, static=static)
    env.filters.update(date=date, timesince=timesince, intcomma=intcomma, display=display)
    return env
