"""The query-count harness: a page must make the same number of queries at any data size."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return [query["sql"] for query in captured.captured_queries]


def assert_same_queries_at_sizes(
    client,
    url: str | Callable[[], str],
    grow_to: Callable[[int], None],
    sizes: tuple[int, int] = (10, 1000),
) -> int:
    """Builds the data to `sizes[0]` rows, counts the page's queries, grows the data to
    `sizes[1]` rows and counts again. Fails when the counts differ; returns the count.

    `grow_to(n)` must bring the relevant rows up to n (it is called with the small size
    first, then the large one). The page is fetched once before counting so that
    per-session work (e.g. the first session save) does not count.
    """
    small, large = sizes
    resolve = url if callable(url) else (lambda: url)
    grow_to(small)
    client.get(resolve())
    at_small = queries_for(client, resolve())
    grow_to(large)
    at_large = queries_for(client, resolve())
    assert len(at_small) == len(at_large), (
        f"{resolve()} made {len(at_small)} queries at {small} rows and {len(at_large)} at "
        f"{large} rows:\n" + "\n".join(at_large)
    )
    return len(at_large)
