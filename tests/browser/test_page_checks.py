"""The checks every browser test runs on its pages catch what they are there to catch."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_small_text

pytestmark = pytest.mark.xdist_group("browser")

PAGE = """<!doctype html><html lang="en"><head><style>
  body {{ font-size: 19px; }} .fine {{ font-size: 12px; }}
</style></head><body>{}</body></html>"""


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_small_type_is_caught_in_html_and_in_a_shrunken_drawing(phone_page):
    phone_page.set_content(PAGE.format('<p>Readable</p><p class="fine">Small print</p>'))
    with pytest.raises(AssertionError, match=r"Small print \(12\.0 px\)"):
        assert_no_small_text(phone_page)
    # 16 units of SVG text in a 1000-unit drawing shown 390 px wide: about 6 px to the eye.
    phone_page.set_content(
        PAGE.format(
            '<svg viewBox="0 0 1000 100" width="390"><text x="0" y="50" font-size="16">'
            "Scrub top M</text></svg>"
        )
    )
    with pytest.raises(AssertionError, match="Scrub top M"):
        assert_no_small_text(phone_page)


def test_text_hidden_from_sight_or_large_enough_passes(phone_page):
    phone_page.set_content(
        PAGE.format(
            '<p>Readable</p><span class="visually-hidden fine">for screen readers</span>'
            '<p class="fine" hidden>not shown</p>'
        ).replace("</style>", ".visually-hidden { position: absolute; }</style>")
    )
    assert_no_small_text(phone_page)
