"""Every HTML page in the access matrix at 320 CSS px wide and at 200% zoom (WCAG 1.4.10
Reflow and 1.4.4 Resize text): the page never pans sideways and nothing is cut off.

Two ways a person gets there, each its own browser context:
- browser zoom at 200% on a 640 px wide window: the page lays out in 320 CSS px, each drawn
  with two device pixels. That is a 320 px viewport with deviceScaleFactor 2 (Chromium's
  zoom changes exactly these two numbers), the same layout a 320 px phone gets.
- text-only zoom at 200% on a 640 px window: the root font size doubles, so everything sized
  in rem or em doubles while the window stays 640 px.
"""

from __future__ import annotations

import pytest

from tests.access.matrix import page_params, page_url
from tests.browser.conftest import assert_page_does_not_pan_sideways

pytestmark = pytest.mark.xdist_group("browser")

ZOOMS = (
    ("320 px, browser zoom 200%", {"width": 320, "height": 640}, 2, "100%"),
    ("640 px, text zoom 200%", {"width": 640, "height": 800}, 1, "200%"),
)

# Text that is cut off: inside a box that hides its overflow yet is wider than the box, or
# reaching past the right edge of the screen outside any region that scrolls on its own.
# Words kept for screen readers only (.visually-hidden and the like, 1 px boxes) are meant
# to be out of sight, and so is the skip link until it has focus. A map (Leaflet) pans its
# own drawing (its panes: tiles, markers, shapes) inside its box, which WCAG 1.4.10 allows
# for two-dimensional content; its controls (zoom buttons, the map's credits) are checked
# like any other text, and must sit inside the map's box.
CLIPPED = """() => {
  const found = [];
  const width = document.documentElement.clientWidth;
  const hidden = (el) => el.closest('[hidden], .visually-hidden, .visually-hidden-focusable, '
      + '.skip-link, .hub-contact-name, template, dialog:not([open]), .leaflet-pane, '
      + 'details:not([open]) > *:not(summary)');
  const scrolls = (el) => {
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === 'auto' || x === 'scroll') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (hidden(el)) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (box.width <= 2 && box.height <= 2) continue;
    const classes = typeof el.className === 'string' ? el.className.trim() : '';
    const label = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + (classes ? '.' + classes.split(/\\s+/).join('.') : '');
    const hasText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const x = style.overflowX;
    const map = el.closest('.leaflet-control-container') && el.closest('.leaflet-container');
    if (map) {
      const edge = map.getBoundingClientRect();
      if (box.left < edge.left - 1 || box.right > edge.right + 1) {
        found.push(`${label} is cut off at the map's edge`);
      }
    }
    if ((x === 'hidden' || x === 'clip') && !el.matches('.leaflet-container')
        && el.scrollWidth > el.clientWidth + 1
        && !['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName)) {
      found.push(`${label} hides ${el.scrollWidth - el.clientWidth}px of its content`);
    }
    if ((hasText || ['INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'IMG', 'svg'].includes(el.tagName))
        && box.right > width + 1 && !scrolls(el)) {
      found.push(`${label} reaches ${Math.round(box.right - width)}px past the screen's edge`);
    }
  }
  return found.slice(0, 5);
}"""


def assert_nothing_clipped(page, where: str) -> None:
    clipped = page.evaluate(CLIPPED)
    assert not clipped, f"{page.url} cuts things off at {where}: {clipped}"


@pytest.mark.parametrize(("route", "persona"), list(page_params()))
def test_page_reflows_at_320px_and_200_percent(route, persona, browser, page_for, world):
    url = page_url(route, world)
    for where, viewport, scale, text_zoom in ZOOMS:
        page = page_for(persona, viewport=viewport, device_scale_factor=scale)
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status} for {persona}"
        if text_zoom != "100%":
            page.evaluate(f"() => document.documentElement.style.fontSize = '{text_zoom}'")
        assert_page_does_not_pan_sideways(page)
        assert_nothing_clipped(page, where)
        page.context.close()


def test_the_clipping_check_catches_cut_off_text(browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    page = context.new_page()
    page.set_content(
        '<!doctype html><html lang="en"><body style="margin:0">'
        '<p style="width:100px;overflow:hidden;white-space:nowrap">'
        "A line far too long for its box</p>"
        '<span class="visually-hidden" style="position:absolute;width:1px;height:1px;'
        'overflow:hidden">for screen readers</span></body></html>'
    )
    with pytest.raises(AssertionError, match=r"p hides \d+px"):
        assert_nothing_clipped(page, "320 px")
    page.set_content(
        '<!doctype html><html lang="en"><body style="margin:0;overflow-x:hidden">'
        '<p style="width:500px">Wider than the screen</p></body></html>'
    )
    with pytest.raises(AssertionError, match="past the screen's edge"):
        assert_nothing_clipped(page, "320 px")
    page.set_content(
        '<!doctype html><html lang="en"><body style="margin:0">'
        '<div style="overflow-x:auto"><table style="width:600px"><tr><td>Wide table</td></tr>'
        "</table></div><p>Fits</p></body></html>"
    )
    assert_nothing_clipped(page, "320 px")
    # A map may pan its drawing inside its box, but not cut its own controls off.
    page.set_content(
        '<!doctype html><html lang="en"><body style="margin:0">'
        '<div class="leaflet-container" style="position:relative;width:300px;height:200px;'
        'overflow:hidden"><div class="leaflet-pane" style="position:absolute;left:-400px">'
        '<svg width="1200" height="200"></svg></div><div class="leaflet-control-container">'
        '<a style="position:absolute;left:250px;width:100px">Map credits</a></div></div>'
        "</body></html>"
    )
    with pytest.raises(AssertionError, match="cut off at the map's edge"):
        assert_nothing_clipped(page, "320 px")
    page.evaluate("() => document.querySelector('a').style.left = '150px'")
    assert_nothing_clipped(page, "320 px")
    context.close()
