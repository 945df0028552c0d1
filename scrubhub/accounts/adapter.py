"""Sends allauth's messages (password reset, sign-in codes) through our outbox."""

from __future__ import annotations

import uuid

from allauth.account.adapter import DefaultAccountAdapter

from scrubhub.accounts.services import user_sessions_end
from scrubhub.notifications.services import message_queue


class AccountAdapter(DefaultAccountAdapter):
    def logout(self, request) -> None:
        # Signing out signs the person out everywhere (a shared or lost phone, say).
        if request.user.is_authenticated:
            user_sessions_end(user_id=request.user.pk)
        super().logout(request)

    def is_open_for_signup(self, request) -> bool:
        # People join through a hub's own form, which creates their account.
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        rendered = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(rendered, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        message_queue(
            # Each request for a reset or code is its own message.
            idempotency_key=f"account:{template_prefix}:{uuid.uuid4()}",
            to_address=email,
            subject=rendered.subject,
            body=rendered.body,
            html_body=html,
            kind=template_prefix.rsplit("/", 1)[-1],
        )
