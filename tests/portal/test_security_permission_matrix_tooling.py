"""The tooling the permission matrix test stands on (issue 4): it lists every URL of the
project, so a new endpoint without a row in the matrix is noticed."""
from django.test import override_settings
from django.urls import include, path

from licensing.web import public as views
from tests.portal.permission_matrix import project_urls, rows_missing

urlpatterns = [  # this module doubles as a URLconf: the project's URLs plus one new page
    path("", include("portal.urls")),
    path("brand-new/", views.home, name="brand-new-page"),
]


def keys():
    return [url.key for url in project_urls()]


def test_it_lists_pages_api_endpoints_and_the_admin_once_each():
    listed = keys()
    for key in ("home", "login", "otp-verify", "window-desk", "document-pdf", "auth-token", "item-list", "schema",
                "api-docs", "admin"):
        assert key in listed
    assert len(listed) == len(set(listed))
    assert not any(key.startswith("admin:") for key in listed)


def test_routes_are_written_as_a_person_reads_them():
    routes = {url.key: url.route for url in project_urls()}
    assert routes["otp-setup"] == "accounts/otp/setup/"
    assert routes["item-detail"] == "api/v1/items/(?P<code>[^/.]+)/"


def test_drf_format_suffix_twins_count_once_and_the_admin_in_full_on_request():
    assert len([url for url in project_urls() if url.key == "item-list"]) == 1
    assert any(url.key == "admin:index" for url in project_urls(include_admin=True))


def test_a_matrix_with_every_row_misses_nothing():
    assert rows_missing(keys()) == []


def test_a_matrix_without_a_row_for_a_page_names_it():
    missing = rows_missing([key for key in keys() if key != "otp-setup"])
    assert [url.key for url in missing] == ["otp-setup"]


def test_a_new_endpoint_without_a_row_is_caught():
    matrix = keys()
    with override_settings(ROOT_URLCONF=__name__):
        assert [str(url).split()[0] for url in rows_missing(matrix)] == ["brand-new-page"]
