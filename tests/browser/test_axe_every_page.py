"""axe-core on every HTML page in the access matrix, as the first persona allowed to see it."""

from __future__ import annotations

import pytest

from tests.access.matrix import page_params, page_url

pytestmark = pytest.mark.xdist_group("browser")


@pytest.mark.parametrize(("route", "persona"), list(page_params()))
def test_page_has_no_axe_violations(route, persona, page_for, world, axe):
    page = page_for(persona)
    url = page_url(route, world)
    response = page.goto(url)
    assert response.status == 200, f"{url} answered {response.status} for {persona}"
    axe(page)


def test_csp_blocks_inline_script_while_axe_still_runs(page_for, axe):
    """The strict CSP is on in the browser: an inline script injected into the page is refused."""
    page = page_for("anonymous")
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__inline_ran = true';
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("() => window.__inline_ran === true") is False
    axe(page)


def test_axe_harness_reports_a_real_violation(page_for):
    """The harness itself: a page with an unlabelled input must not pass."""
    from tests.browser.conftest import axe_violations

    page = page_for("anonymous")
    page.goto("/")
    page.evaluate(
        "() => document.querySelector('main').appendChild(document.createElement('input'))"
    )
    assert "label" in {v["id"] for v in axe_violations(page)}


def test_axe_harness_checks_wcag_22_target_size(page_for):
    """WCAG 2.2's target-size rule is on: two 10 px buttons side by side must not pass."""
    from tests.browser.conftest import axe_violations

    page = page_for("anonymous")
    page.goto("/")
    page.evaluate(
        """() => { for (const name of ['A', 'B']) {
            const b = document.createElement('button');
            b.textContent = name;
            b.style.cssText = 'width:10px;height:10px;padding:0;margin:0;font-size:8px';
            document.querySelector('main').appendChild(b);
        } }"""
    )
    assert "target-size" in {v["id"] for v in axe_violations(page)}
