"""Issue 13: a page or an API answer asks "may this user see the application" for every permission it
shows (act, sign, view identity, …); the answer is read from the database once per application."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

VISIBILITY_CHECK = 'SELECT 1 AS "a" FROM "licensing_application"'


def test_the_application_page_asks_once_whether_the_applicant_may_see_it(login, applicant_user, enterprise):
    application = ApplicationFactory(applicant=enterprise, actor=applicant_user)
    client = login(applicant_user)
    with CaptureQueriesContext(connection) as seen:
        page = client.get(reverse("web-application-detail", args=[application.number]))
    assert page.status_code == 200 and application.number in page.content.decode()
    assert sum(VISIBILITY_CHECK in q["sql"] for q in seen.captured_queries) == 1


def test_the_answer_is_per_user(login, applicant_user, enterprise, outsider):
    """Another account asking about the same application gets its own answer, not the first one's."""
    from licensing.selectors import application_visible

    application = ApplicationFactory(applicant=enterprise, actor=applicant_user)
    assert application_visible(applicant_user, application) is True
    assert application_visible(outsider, application) is False
    assert application_visible(applicant_user, application) is True
