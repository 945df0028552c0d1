"""Every link in an HTML email is a large button with its address written out beside it,
and the links lead to the address the site is served at."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from makers.services import signin_link_send
from packages.summaries import weekly_summaries_send
from scrubhub.notifications import services
from scrubhub.notifications.models import Message
from tests.packages.test_summaries import MONDAY_8AM, active_maker  # noqa: F401

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    """Each <a>: its href, its style, the cell it sits in, and the text outside links."""

    def __init__(self):
        super().__init__()
        self.links: list[dict] = []
        self.cells: list[dict] = []
        self.outside: list[str] = []
        self._in_link = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "td":
            self.cells.append(attrs)
        if tag == "a":
            self._in_link = True
            self.links.append({**attrs, "cell": self.cells[-1] if self.cells else None})

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_link = False
        if tag == "td" and self.cells:
            self.cells.pop()

    def handle_data(self, data):
        if not self._in_link:
            self.outside.append(data)


def links_in(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def px(style: str, name: str) -> list[int]:
    found = re.search(rf"(?:^|;)\s*{name}:\s*([^;]+)", style)
    return [int(v) for v in re.findall(r"(\d+)px", found.group(1))] if found else []


def assert_every_link_is_a_button(html: str) -> None:
    parsed = links_in(html)
    assert parsed.links, "expected at least one link"
    outside = " ".join(" ".join(parsed.outside).split())
    for link in parsed.links:
        style = link.get("style", "")
        assert "display:inline-block" in style, link
        padding = px(style, "padding")
        line_height = px(style, "line-height")
        assert padding and line_height, link
        assert 2 * padding[0] + line_height[0] >= 44, f"{link['href']} is under 44px tall"
        assert link["cell"] is not None and link["cell"].get("bgcolor"), "a button's cell"
        href = link["href"]
        address = href.split(":", 1)[1] if href.startswith(("tel:", "mailto:")) else href
        assert address in outside.replace(" ", "") or address in outside, (
            f"{href}: its address is not written out beside the button"
        )


def test_a_sign_in_link_is_a_button_with_the_address_beside_it(world, settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    maker = world.user("maker").maker
    signin_link_send(email=maker.email)
    message = Message.objects.get(kind="maker_signin_link")
    link = next(w for w in message.body.split() if "/signin/link/" in w)
    assert link.startswith("http://127.0.0.1:8101/")
    assert_every_link_is_a_button(message.html_body)
    parsed = links_in(message.html_body)
    signin = next(a for a in parsed.links if a["href"] == link)
    assert ">Sign in</a>" in message.html_body, "the button says what it does"
    assert signin["cell"]["bgcolor"]


def test_an_email_without_a_hub_still_has_its_link_as_a_button(world):
    message = services.message_queue(
        idempotency_key="reset",
        to_address="someone@example.org",
        subject="Reset your password",
        body="Hello,\n\nTo choose a new password, open this link:\n\n"
        "http://testserver/accounts/password/reset/key/1-abc/\n\nThank you.",
        kind="password_reset_key",
    )
    assert_every_link_is_a_button(message.html_body)


def test_an_address_inside_a_sentence_gets_a_button_after_it(world):
    message = services.message_queue(
        idempotency_key="inline",
        to_address="someone@example.org",
        subject="Sign in",
        body="Please sign in at http://127.0.0.1:8000/accounts/login/. Thank you.",
        kind="signin_link_refused",
        hub=world.hub,
    )
    parsed = links_in(message.html_body)
    assert [a["href"] for a in parsed.links] == ["http://127.0.0.1:8000/accounts/login/"]
    assert_every_link_is_a_button(message.html_body)


def test_the_weekly_summary_footer_and_stop_link_are_buttons(world, active_maker):  # noqa: F811
    weekly_summaries_send(hub=world.hub, now=MONDAY_8AM)
    summary = Message.objects.get(kind="weekly_summary", to_address=active_maker.email)
    hrefs = [a["href"] for a in links_in(summary.html_body).links]
    assert any("/messages/stop/" in href for href in hrefs)
    assert any(href.startswith("tel:") for href in hrefs)
    assert_every_link_is_a_button(summary.html_body)


def test_text_in_a_message_is_escaped_in_its_html(world):
    message = services.message_queue(
        idempotency_key="escape",
        to_address="someone@example.org",
        subject="Hi",
        body='Hello <b>Ann</b> & "friends"',
        kind="note",
        hub=world.hub,
    )
    assert "<b>Ann</b>" not in message.html_body
    assert "&lt;b&gt;Ann&lt;/b&gt;" in message.html_body
