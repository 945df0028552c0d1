"""Walks the project's URL patterns."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def named_url_patterns() -> list[str]:
    """Every URL pattern's full name (namespace:name). Admin patterns collapse to 'admin:*'."""
    names: list[str] = []

    def walk(patterns, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner == "admin":
                    names.append("admin:*")
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                if not pattern.name:
                    names.append(f"<unnamed {pattern.pattern}>")
                else:
                    names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return sorted(set(names))
