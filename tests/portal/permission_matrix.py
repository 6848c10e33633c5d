"""Tooling for the permission matrix test (issue 4): every URL pattern of the project, so that
the matrix can assert each one has a row and a new endpoint without one fails.

    from tests.portal.permission_matrix import project_urls, rows_missing
    assert rows_missing(MATRIX) == []          # MATRIX: {"licensing:…"/"name": {...}, ...}

A pattern's key is its URL name, namespaced like reverse() takes it ("admin:index",
"web-application-decide"); a pattern without a name is keyed by its route.
"""
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# django-admin's ~7 patterns per registered model are covered by the admin's own checks
# (staff-only site, second factor): the matrix keeps one row for the whole site.
ADMIN_PREFIX = "admin/"


@dataclass(frozen=True)
class ProjectUrl:
    key: str        # "namespace:name", or the route when the pattern has no name
    route: str      # "applications/<str:number>/decide/"
    view: str       # dotted path of the view callable

    def __str__(self):
        return f"{self.key}  /{self.route}  ({self.view})"


def project_urls(*, include_admin=False):
    """Every URL pattern of ROOT_URLCONF, walked through includes, in resolver order, one per
    key (DRF's ".json" format-suffix twin of a route shares its name, view and permissions)."""
    everything = list(_walk(get_resolver().url_patterns, prefix="", namespace=""))
    found = [url for url in everything if include_admin or not url.route.startswith(ADMIN_PREFIX)]
    if not include_admin and len(found) < len(everything):
        found.append(ProjectUrl(key="admin", route=ADMIN_PREFIX, view="django.contrib.admin.sites.AdminSite"))
    return _unique(found)


def rows_missing(matrix_keys):
    """The project's URLs whose key is not among `matrix_keys` (a dict or any iterable of keys)."""
    keys = set(matrix_keys)
    return [url for url in project_urls() if url.key not in keys]


def _walk(patterns, prefix, namespace):
    for pattern in patterns:
        route = prefix + str(pattern.pattern).removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                pattern.namespace or namespace)
            yield from _walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield ProjectUrl(key=name or route, route=route, view=_dotted(pattern.callback))


def _dotted(callback):
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
    return f"{view.__module__}.{getattr(view, '__qualname__', view.__class__.__name__)}"


def _unique(urls):
    """One entry per key: the first pattern with that name."""
    seen, result = set(), []
    for url in urls:
        if url.key not in seen:
            seen.add(url.key)
            result.append(url)
    return result
