"""Issue 13: the applications API's list reads a page as plain values, not a serializer per row. Its
rows must be exactly what ApplicationListSerializer (which declares the API) gives for the same
applications: every field, in the same order, masked the same way, in every state and route."""
import json

import pytest
from rest_framework.test import APIClient, APIRequestFactory

from licensing.models import Application
from licensing.serializers_applications import ApplicationListSerializer
from tests.factories import ApplicantFactory, ApplicationFactory, valid_id_number
from tests.licensing.test_api_applications import token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_states(applicant_user, enterprise, officer):
    person = ApplicantFactory(kind="person", identifier=valid_id_number(7), name="张三", members=[applicant_user])
    made = [ApplicationFactory(applicant=enterprise, actor=applicant_user),
            ApplicationFactory(committed=True, applicant=person, actor=applicant_user, officer=officer),
            ApplicationFactory(decided=True, applicant=enterprise, actor=applicant_user, officer=officer),
            ApplicationFactory(accepted=True, applicant=enterprise, actor=applicant_user),
            ApplicationFactory(filed=True, applicant=person, actor=applicant_user),
            ApplicationFactory(recorded=True, applicant=enterprise, actor=applicant_user)]
    return made


def test_the_lists_rows_are_what_the_serializer_gives(clerk, many_states):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(clerk)}")
    answer = client.get("/api/v1/applications/")
    assert answer.status_code == 200
    rows = answer.json()["results"]
    numbers = [row["number"] for row in rows]
    assert set(numbers) == {a.number for a in many_states}

    request = APIRequestFactory().get("/api/v1/applications/")
    request.user = clerk
    applications = sorted(Application.objects.select_related("item", "applicant").filter(number__in=numbers),
                          key=lambda a: numbers.index(a.number))
    expected = json.loads(json.dumps(ApplicationListSerializer(applications, many=True,
                                                               context={"request": request}).data))
    assert rows == expected
    assert [list(row) for row in rows] == [list(row) for row in expected]  # the fields in the same order
    # Enough kinds of rows that a wrong column would show: persons and enterprises, dates and no dates.
    assert {row["applicant"]["kind"] for row in rows} == {"person", "enterprise"}
    assert any(row["decision_due"] is None for row in rows) and any(row["decision_due"] for row in rows)
    assert all("*" in row["applicant"]["identifier"] for row in rows)  # masked in lists, even for the clerk
