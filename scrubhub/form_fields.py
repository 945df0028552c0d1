"""Form fields every app's forms share."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateField(forms.DateField):
    """A date typed or picked in the browser's own date box. The box shows only ISO dates
    (2026-12-31), so the value it starts with is written that way; any other format leaves
    it looking empty, and the form is then refused for a date the person never cleared."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {"invalid": _("Enter a date, like 31/12/2026.")}
