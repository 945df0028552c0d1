"""The Jinja2 environment for the fragments pages render through `{% jinja2 %}` (long lists
and the dashboard's tables, where Django's template engine cost most of the page's time).
It offers what those fragments use from Django's templates, with the same results: `url()`
(and `url_each()` for a list's rows), `static()`, the `date`, `timesince`, `intcomma` and
`display` filters, and `{% trans %}` through Django's translation functions."""

from __future__ import annotations

import re
from functools import cache

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, ngettext
from jinja2 import Environment


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


# A key that an <int:> or <str:> path part writes as it is: letters and digits only.
_PLAIN_KEY = re.compile(r"[A-Za-z0-9]+")
_SAMPLE_KEY = "7305917"


def url_each(name: str):
    """For a list's rows: `{% set label_url = url_each('hubs:kit_label') %}` before the loop,
    then `label_url(kit.code)` in it gives what `url('hubs:kit_label', kit.code)` gives.
    reverse() costs about 18 µs a call, a tenth of a 50-row list's time; this reverses once
    and puts each row's key into the path. For routes whose one argument is an <int:> or
    <str:> part; a key that such a part might write differently (anything but letters and
    digits, or letters where the route takes numbers only) goes through reverse() itself."""
    before, found, after = url(name, _SAMPLE_KEY).partition(_SAMPLE_KEY)
    if not found or _SAMPLE_KEY in after:
        return lambda key: url(name, key)
    try:
        url(name, "Az")
        takes_letters = True
    except NoReverseMatch:
        takes_letters = False

    def url_for(key) -> str:
        text = str(key)
        plain = _PLAIN_KEY.fullmatch(text) and (takes_letters or text.isdigit())
        if isinstance(key, bool) or not plain:
            return url(name, key)
        return f"{before}{text}{after}"

    return url_for


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
    env.globals.update(url=url, url_each=url_each, static=static)
    env.filters.update(date=date, timesince=timesince, intcomma=intcomma, display=display)
    return env
