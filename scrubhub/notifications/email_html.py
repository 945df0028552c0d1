"""The HTML part of an email. Every link is a large button (a table cell, which email
clients draw reliably) with its address written out under it, for anyone whose client
hides the button or who would rather copy the address. Email clients drop style sheets,
so every style here is inline; the site's Content-Security-Policy does not reach email."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# An address in a plain-text message ends at a space, or at a full stop or bracket that
# closes the sentence around it.
URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]']")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _label_for(url: str) -> str:
    """What pressing the button does, from the page the link opens."""
    labels = {
        "makers:signin_link": _("Sign in"),
        "account_login": _("Sign in"),
        "account_reset_password": _("Choose a new password"),
        "account_reset_password_from_key": _("Choose a new password"),
        "hubs:invitation": _("Open the invitation"),
        "dropoffs:kit": _("Open the kit's page"),
        "notifications:stop": _("Stop these emails"),
    }
    parts = urlsplit(url)
    if url.startswith(settings.SITE_URL) or parts.hostname in settings.ALLOWED_HOSTS:
        try:
            return labels.get(resolve(parts.path).view_name, _("Open the link"))
        except Resolver404:
            pass
    return _("Open the link")


def link_button(url: str, label: str = "", shown: str | None = None) -> SafeString:
    """A button for an http(s), tel: or mailto: link, with what it leads to written under
    it (`shown`; empty when the words around the button already say it)."""
    if shown is None:
        if url.startswith("tel:"):
            shown = _("Phone: %(number)s") % {"number": unquote(url[4:])}
        elif url.startswith("mailto:"):
            shown = _("Email: %(address)s") % {"address": unquote(url[7:])}
        else:
            shown = _("Or copy this address into your browser: %(url)s") % {"url": url}
    return render_to_string(
        "notifications/messages/button.html",
        {"url": url, "label": label or _label_for(url), "shown": shown},
    )


def text_as_html(text: str) -> SafeString:
    """A plain-text message as HTML paragraphs (escaped), each address in it followed by
    its button; a paragraph that is only an address becomes the button and the address."""
    blocks = []
    for paragraph in PARAGRAPH_BREAK.split(text.strip()):
        urls = URL.findall(paragraph)
        words = URL.sub("", paragraph).strip(" \n:")
        if words:
            lines = escape(paragraph.strip()).replace("\n", "<br>")
            blocks.append(f'<p style="margin:0 0 16px;">{lines}</p>')
        # Inside a sentence the address is already written out just above its button.
        blocks.extend(link_button(url, shown="" if words else None) for url in urls)
    return mark_safe("\n".join(blocks))  # noqa: S308  # nosec B703 B308 - escaped above
