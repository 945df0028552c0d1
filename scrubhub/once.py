"""One-time form tokens: a form that creates something saves once, however often it is sent.

A double tap, the back button or a slow phone sending again all post the same form twice.
Each such form carries a signed token in a hidden field (`OnceForm`). The view saves inside
`claim(form)`, which inserts a `FormSubmission` row keyed by the token in the same
transaction as the create. The key is unique: a second post of the same form waits on the
index while the first is saving, then finds the first one's row and raises `AlreadySent`,
whose `redirect()` goes where the first one went. If the create is refused, the claim is
rolled back with it, so the person can correct the form and send it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FIELD = "form_token"
SALT = "scrubhub.once"
# A form left open longer than this is refused once with a fresh token (nothing is lost:
# the answers are shown again). Used keys are kept for twice as long, then pruned.
MAX_AGE = 24 * 60 * 60
STALE_MESSAGE = gettext_lazy(
    "This form was open for a long time, so we could not save it. Please check your "
    "answers and send it again."
)


def token_new(form_name: str, scope: str = "") -> str:
    data = {"f": form_name, "n": uuid.uuid4().hex}
    if scope:
        data["s"] = scope
    return signing.dumps(data, salt=SALT)


def token_key(token: str, form_name: str, scope: str = "") -> str | None:
    """The key a token claims, or None if it is stale, forged, or for another form or
    another scope (another hub's copy of the same form)."""
    try:
        data = signing.loads(token[:500], salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("f") != form_name or data.get("s", "") != scope:
        return None
    key = data.get("n")
    return key if isinstance(key, str) and len(key) == 32 else None


class OnceForm:
    """Mixin for a form that creates something: put it first among the bases, and render
    `{{ form.form_token }}` inside the <form> if the template does not render hidden fields.
    After is_valid(), `once_key` is the token's key for `claim`. A form whose token must
    not be spent on another copy of the page (one hub's join form at another hub) gives
    `once_scope()`."""

    once_name = ""  # defaults to the form class's dotted name

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.once_key: str | None = None
        self.fields[FIELD] = forms.CharField(
            widget=forms.HiddenInput,
            required=False,
            initial=self._token_new,
        )

    @classmethod
    def form_name(cls) -> str:
        return cls.once_name or f"{cls.__module__}.{cls.__qualname__}"

    def once_scope(self) -> str:
        return ""

    def _token_new(self) -> str:
        return token_new(self.form_name(), self.once_scope())

    def _post_clean(self):
        # After the form's own clean(), which may ask whether anything else is wrong.
        super()._post_clean()
        sent = self.cleaned_data.get(FIELD) or ""
        self.once_key = token_key(sent, self.form_name(), self.once_scope())
        if self.once_key is None:
            self.add_error(None, STALE_MESSAGE)
            # Shown again with a fresh token, so pressing the button once more works.
            fresh = self.data.copy()
            fresh[self.add_prefix(FIELD)] = self._token_new()
            self.data = fresh


class AlreadySent(Exception):  # noqa: N818 - it is an outcome, not a fault
    """This form was saved before; `url` is where its first sending went."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url

    def redirect(self, request: HttpRequest) -> HttpResponseRedirect:
        messages.info(request, _("That was already saved, so nothing was added twice."))
        return HttpResponseRedirect(self.url or request.path)


class Claim:
    def __init__(self, submission):
        self.submission = submission
        self.done_url = ""


@contextmanager
def claim(form: OnceForm) -> Iterator[Claim]:
    """Claim the form's token around the create (see the module's note). Set `done_url`
    on what it yields to the page a repeat of this form should go to."""
    from makers.models import FormSubmission

    if not form.once_key:
        raise ValueError("claim() needs a form that passed is_valid().")
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = FormSubmission.objects.create(
                    key=form.once_key, form=form.form_name()[:100]
                )
        except IntegrityError:
            first = FormSubmission.objects.filter(key=form.once_key).first()
            raise AlreadySent(first.done_url if first else "") from None
        claimed = Claim(submission)
        yield claimed
        if claimed.done_url:
            FormSubmission.objects.filter(pk=submission.pk).update(done_url=claimed.done_url[:500])


def submissions_prune() -> int:
    """Forget used keys whose tokens have expired anyway; returns how many."""
    from makers.models import FormSubmission

    cutoff = timezone.now() - timedelta(seconds=2 * MAX_AGE)
    deleted, _rows = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
