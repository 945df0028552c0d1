"""Every module of the project opens by saying what it owns (issue 26)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("scrubhub", "makers", "packages", "dropoffs")


def _modules_with_code():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            tree = ast.parse(path.read_text())
            if "migrations" not in path.parts and tree.body:
                yield path, tree


def test_each_module_opens_with_what_it_owns():
    modules = list(_modules_with_code())
    silent = [str(path.relative_to(ROOT)) for path, tree in modules if not ast.get_docstring(tree)]
    assert len(modules) > 100  # the walk found the project
    assert silent == []
