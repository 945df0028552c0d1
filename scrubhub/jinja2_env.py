"""The Jinja2 environment for the fragments pages render through `{% jinja2 %}` (long lists
and the dashboard's tables, where Django's template engine cost most of the page's time).
It offers what those fragments use from Django's templates, with the same results: `url()`,
`static()`, the `date`, `timesince` and `intcomma` filters, and `{% trans %}` through
Django's translation functions."""

from __future__ import annotations

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


def environment(**options) -> Environment:
    # Always escaped: `{% jinja2 %}` puts the output into the page as it is.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(url=url, static=static)
    env.filters.update(date=date, timesince=timesince, intcomma=intcomma)
    return env
