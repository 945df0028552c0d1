"""The answer the phone's outbox reads (static/js/outbox.js): a handover it kept while there
was no signal, sent again, is answered in JSON (sent, already or refused), not a page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse


def _from_outbox(request: HttpRequest) -> bool:
    """The phone's outbox (static/js/outbox.js) sending a handover it kept while there was
    no signal: it reads a short answer, not a page."""
    return request.headers.get("Accept", "").startswith("application/json")


def _outbox_answer(result: str, message: str, status: int = 200) -> JsonResponse:
    """The outbox's answer: sent, already (recorded before; the outbox forgets it like a
    sent one) or refused (it shows the message to the helper)."""
    return JsonResponse({"result": result, "message": str(message)}, status=status)


def _form_problems(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)
