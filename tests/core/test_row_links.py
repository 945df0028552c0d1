"""A long list's row links come from one reverse() for the whole list, and each is the link
reverse() would give that row."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse

from scrubhub.row_links import row_link


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("makers:staff_maker", 7),
        ("makers:staff_maker", 1234567890123),
        ("makers:staff_maker", "42"),
        ("makers:staff_maker", 0),
        ("hubs:kit_label", "ABC1234"),
        ("hubs:kit_label", "7305917"),  # the key the helper reverses with
        ("hubs:kit_label", "a b?c&d"),  # reverse() quotes these: so must the rows
        ("hubs:kit_label", "é"),
        ("hubs:allocate_kit", "K9"),
        ("dropoffs:kit", 12),
    ],
)
def test_a_row_link_is_what_reverse_gives(name, key):
    assert row_link(name)(key) == reverse(name, args=[key])


def test_a_key_the_route_refuses_is_refused():
    with pytest.raises(NoReverseMatch):
        row_link("makers:staff_maker")(True)
    with pytest.raises(NoReverseMatch):
        row_link("makers:staff_maker")("4-2")
