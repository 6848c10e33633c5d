"""The OpenAPI schema at /api/schema/: valid, free of warnings, and honest about every refusal."""
import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema, prefix="/api/v1/"):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS and path.startswith(prefix):
                yield path, method, operation


def test_the_schema_validates_without_a_single_warning(tmp_path):
    GENERATOR_STATS.reset()  # warnings of schemas generated earlier in this process are not ours
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/v1/applications/{number}/commit/" in yaml.safe_load(target.read_text())["paths"]


def test_the_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/progress/{number}/" in response.content


def test_operation_ids_are_unique_and_every_operation_has_a_tag(schema):
    ids = [operation["operationId"] for _, _, operation in operations(schema)]
    assert len(ids) == len(set(ids))
    assert all(operation.get("tags") for _, _, operation in operations(schema))


def test_every_application_action_documents_400_401_403_404_409_with_the_error_shape(schema):
    actions = [(path, op) for path, method, op in operations(schema, "/api/v1/applications/{number}/")
               if method == "post"]
    assert len(actions) == 19  # seventeen transitions (issue 11 added six), the material upload, the rating (15)
    for path, operation in actions:
        for status in ("400", "401", "403", "404", "409"):
            content = operation["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, status)
        assert {"200", "201"} & set(operation["responses"]), path  # the rating answers 201 (it makes one)


def test_the_error_shape_has_a_detail_and_an_optional_field(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]
    assert set(error["properties"]) == {"detail", "field", "errors"}


def test_submitting_documents_who_may_not_and_what_is_wrong(schema):
    responses = schema["paths"]["/api/v1/applications/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409"} <= set(responses)


def test_public_progress_needs_no_credentials_and_documents_its_404(schema):
    operation = schema["paths"]["/api/v1/progress/{number}/"]["get"]
    assert operation.get("security", []) in ([], [{}])  # no scheme required
    assert "404" in operation["responses"]
    assert any(p["name"] == "code" and p["required"] for p in operation["parameters"])
    assert "applicant" not in schema["components"]["schemas"]["Progress"]["properties"]


def test_the_detail_answers_every_deadline_of_the_issue(schema):
    deadlines = schema["components"]["schemas"]["Deadlines"]["properties"]
    assert set(deadlines) == {"notice_due", "commitment_due", "decision_due", "materials_due", "inspection_due"}
    assert all(d.get("format") == "date" and d.get("nullable") for d in deadlines.values())
