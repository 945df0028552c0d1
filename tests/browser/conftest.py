"""Playwright in Debian's Chromium, and axe-core injected into each page.

axe is injected with page.evaluate (through the DevTools protocol), so the site's strict
Content-Security-Policy stays on while it runs.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.test.client import AsyncClientHandler, ClientHandler

CHROMIUM = "/usr/bin/chromium"
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _RequestsInFlight:
    """How many requests the live server is still answering. A test can end (and its
    browser close) while the server is mid-way through a request the page or its service
    worker started; the database flush after the test must wait for it, or the two lock
    each other's tables. Only the live server's requests count: the test client finishes a
    streamed response only when a test reads it to the end, which many never do."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    @staticmethod
    def _served(sender) -> bool:
        # A live server's response names its handler; the test client's names none.
        return isinstance(sender, type) and not issubclass(sender, TEST_CLIENT_HANDLERS)

    def started(self, sender, **kwargs):
        if self._served(sender):
            with self.lock:
                self.count += 1

    def finished(self, sender, **kwargs):
        if self._served(sender):
            with self.lock:
                self.count -= 1

    def wait_until_none(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count > 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        # A request the server gave up on (its client went away mid-answer) must not make
        # every later test wait.
        with self.lock:
            self.count = 0


TEST_CLIENT_HANDLERS = (ClientHandler, AsyncClientHandler)
IN_FLIGHT = _RequestsInFlight()
request_started.connect(IN_FLIGHT.started, weak=False)
request_finished.connect(IN_FLIGHT.finished, weak=False)


@pytest.fixture(autouse=True)
def _live_server_done_before_flush(request):
    if "live_server" not in request.fixturenames:
        yield
        return
    # Set up after the database, so this runs before its flush.
    request.getfixturevalue("transactional_db")
    yield
    IN_FLIGHT.wait_until_none()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is missing: `make test` installs it (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server, world):
    """page_for("maker") gives a phone-sized page signed in as that persona."""
    from django.conf import settings
    from django.test import Client

    contexts = []

    def make(
        persona: str = "anonymous", viewport: dict | None = None, device_scale_factor: float = 1
    ):
        context = browser.new_context(
            viewport=viewport or PHONE,
            device_scale_factor=device_scale_factor,
            base_url=live_server.url,
        )
        contexts.append(context)
        user = world.user(persona)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


# Every WCAG 2.0, 2.1 and 2.2 level A and AA rule, plus axe's best practices. target-size
# (WCAG 2.2 AA, 2.5.8: targets at least 24 x 24 px or spaced) is off by default in axe, so it
# is switched on by name.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "rules": {"target-size": {"enabled": True}},
    "resultTypes": ["violations"],
}


def axe_violations(page) -> list[dict]:
    """Runs axe-core's WCAG 2.2 AA rules and best practices on the current page; returns the
    violations."""
    page.wait_for_load_state("load")  # a link just clicked may still be loading its page
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async (options) => {
            const results = await axe.run(document, options);
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }""",
        AXE_OPTIONS,
    )
    return result


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe found problems on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


def assert_page_does_not_pan_sideways(page) -> None:
    """A wide table scrolls inside its own region; the page itself never pans sideways."""
    sideways = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert sideways <= 0, f"{page.url} pans sideways by {sideways}px at its screen width"


# Type smaller than this is hard to read for the makers we write for (body text is 19 px).
SMALLEST_TEXT_PX = 15

VISIBLE_SMALL_TEXT = """(smallest) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || element.closest('[hidden], .visually-hidden')) {
      continue;
    }
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(element).visibility === 'hidden') {
      continue;
    }
    // What the eye gets: SVG text shrinks with its drawing.
    const scale = element instanceof SVGElement && element.getScreenCTM()
      ? element.getScreenCTM().a : 1;
    const size = parseFloat(getComputedStyle(element).fontSize) * scale;
    if (size < smallest) {
      found.push(`${node.textContent.trim().slice(0, 40)} (${size.toFixed(1)} px)`);
    }
  }
  return found.slice(0, 5);
}"""


def assert_no_small_text(page) -> None:
    small = page.evaluate(VISIBLE_SMALL_TEXT, SMALLEST_TEXT_PX)
    assert not small, f"{page.url} shows text under {SMALLEST_TEXT_PX} px: {small}"


def check_page(page) -> None:
    assert_no_axe_violations(page)
    assert_page_does_not_pan_sideways(page)
    assert_no_small_text(page)


@pytest.fixture
def axe():
    """axe(page): no axe-core violations, the page fits its screen's width, and no visible
    text is smaller than SMALLEST_TEXT_PX."""
    return check_page
