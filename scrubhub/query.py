"""A page's query string (request.GET) read through a form, so what a link or a hand-edited
address carries is checked like anything typed: a value that does not validate is left out
(the page shows as if it were not there), never a server error.

The classic failures this stops: Postgres refuses a NUL byte in a query, str.isdigit() says
yes to "²" (int() then refuses it), and int() refuses more than 4,300 digits.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest


class SearchField(forms.CharField):
    """Words typed into a search box: cut to `max_length` rather than refused, so a pasted
    paragraph still searches; a NUL byte makes it invalid (CharField's own validator)."""

    def __init__(self, *, max_length: int = 100, **kwargs):
        self.cut = max_length
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        return super().to_python(value)[: self.cut]


class QueryForm(forms.Form):
    """Declare a page's GET parameters as fields; `read` gives each one's clean value, or
    the field's initial value when it is missing or does not validate."""

    @classmethod
    def read(cls, request: HttpRequest, *, data=None, **kwargs) -> dict:
        """The page's values from request.GET (or `data`, e.g. a POST that carries one)."""
        form = cls(request.GET if data is None else data, **kwargs)
        form.is_valid()
        values = {}
        for name, field in form.fields.items():
            # A field that did not validate is not in cleaned_data: read as empty.
            value = form.cleaned_data.get(name, field.to_python(None))
            if value in field.empty_values and field.initial is not None:
                value = field.initial
            values[name] = value
        return values
