"""No two of the project's modules import each other, directly or round a longer circle
(issue 26): dependencies run one way, so any module can be read, and changed, knowing only
what it imports. The graph is import-linter's (grimp), function-level imports included."""

from __future__ import annotations

import grimp

PROJECT = ("scrubhub", "makers", "packages", "dropoffs")


def _circles(graph) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return circles


def test_no_module_imports_round_a_circle():
    graph = grimp.build_graph(*PROJECT, cache_dir=None)
    assert _circles(graph) == []


def test_a_circle_would_be_found():
    graph = grimp.ImportGraph()
    for module in ("a", "a.one", "a.two", "a.three"):
        graph.add_module(module)
    graph.add_import(importer="a.one", imported="a.two")
    graph.add_import(importer="a.two", imported="a.one")
    graph.add_import(importer="a.three", imported="a.one")
    assert _circles(graph) == [["a.one", "a.two"]]
