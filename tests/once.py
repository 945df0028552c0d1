"""One-time form tokens for tests that post a form without opening its page first."""

from __future__ import annotations

from scrubhub import once


def token(form_class, scope: str = "") -> dict[str, str]:
    """A fresh token for `form_class` (and the form's `once_scope()`, if it has one), as its
    page would render it: each call is a new page, so two calls are two people (or two
    tabs) sending the form."""
    return {once.FIELD: once.token_new(form_class.form_name(), scope)}
