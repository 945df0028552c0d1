"""Counts that stop at a cap, so a page costs the same however many rows match.

A list of 30,000 open kits does not need its exact size on every page view: "more than
2,000" says enough, and counting stops there (an index range read up to the cap, where a
full count grows with the hub). Below the cap the number is exact; above it the page says
"more than" the cap and never shows a wrong number.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

LIST_COUNT_CAP = 2000  # lists: 40 pages of 50
TODO_COUNT_CAP = 1000  # the dashboard's to-do counts
FIGURE_COUNT_CAP = 10_000  # makers counted for the dashboard's and makers' figures


@dataclass(frozen=True)
class CappedCount:
    value: int  # exact when `more` is false, else the cap
    more: bool  # more rows match than the cap


def count_up_to(queryset: QuerySet, cap: int) -> CappedCount:
    """How many rows match, reading at most cap + 1 of them."""
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return CappedCount(value=min(found, cap), more=found > cap)


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap` (a multiple of the page size): the pages
    reach the first `cap` rows, and `more` says whether there are others (templates then
    say "more than" the count and suggest narrowing the list)."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        cap = LIST_COUNT_CAP if cap is None else cap
        self.cap = cap - cap % per_page or per_page

    @cached_property
    def _capped(self) -> CappedCount:
        return count_up_to(self.object_list, self.cap)

    @cached_property
    def count(self) -> int:
        return self._capped.value

    @property
    def more(self) -> bool:
        return self._capped.more
