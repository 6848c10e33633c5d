"""Hostile input to every URL of the project, as every persona (issue 8): never a server error.

Every URL pattern of the project (tests/portal/permission_matrix.project_urls, new ones included
as they are added) is asked by every persona, signed in the way the portal requires (staff with
their second factor; the API with a token), with
- path parameters filled with real values (an application of the enterprise, its documents and
  materials, the item, the applicant) and with hostile ones (a NUL byte, invalid UTF-8, an
  overlong value, a number past PostgreSQL's bigint);
- in the query string (GETs), the form body (page POSTs) or a JSON body (API POSTs): NUL bytes,
  overlong values, invalid UTF-8, deep nesting, wrong types, more fields than allowed.
No answer may be a 5xx, and a refusal explains itself in Chinese. Each request runs in a savepoint
that is rolled back, so every request meets the same world (a withdrawal or a sign-out that a
junk request happened to carry out does not change what the next one sees).

The admin site sends everyone but admins to its sign-in page before it reads anything, so its
~120 patterns are asked as the admin; the other personas ask its index. The issue's cases are
pinned one by one in test_bad_input.py.
"""
import copy
import json
import re
from urllib.parse import quote

import pytest
from django.db import transaction
from rest_framework.authtoken.models import Token

from licensing.constants import MaterialDue
from notices.constants import DocumentKind
from notices.services import document_pdf
from tests.factories import commitment_application, pdf_file
from tests.portal.matrix_rows import PERSONAS
from tests.portal.permission_matrix import project_urls

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Route parameters: <conv:name>, (?P<name>regex), and unnamed (regex) groups (simple_history's admin).
PARAMETER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>"
                       r"|\(\?P<(?P<rname>\w+)>(?P<regex>[^)]*)\)|\((?P<bare>[^?)][^)]*)\)")
NUMERIC = {"int", "[0-9]+", r"\d+"}

# Field names the portal's forms, serializers and filters read (and a few it does not): every
# hostile request sets all of them at once.
FIELDS = ("q", "code", "number", "page", "next", "identifier", "name", "kind", "item", "applicant", "channel",
          "details", "wants_commitment", "signatory", "meet_by", "reason", "credit_reason", "username",
          "password", "otp", "token", "start", "days", "reform_mode", "seq_no", "level", "authority", "status",
          "confirmations", "confirm_1", "email", "new_password1", "new_password2", "old_password", "format",
          "ordering", "search", "o", "p", "id", "device", "all", "action", "_selected_action", "post", "expired",
          # issue 11's steps
          "opinion", "comments", "received_on", "note", "findings", "correct_by", "false_filing", "month")
OVERLONG = "钦" + "A" * 2100  # past every max_length (2000 for a reason), quick to parse
DEEP_TEXT = "[{" * 100  # nothing reads JSON from a query or a form; the API's bodies go deep below
NESTED_JSON = "[" * 100_000 + "]" * 100_000


# --- the world every request names ---------------------------------------------------------------

class World:
    """An approved application of item 13 for the enterprise, with its documents and materials."""

    def __init__(self, request):
        fixture = request.getfixturevalue
        self.item = fixture("commitment_item")
        self.enterprise = fixture("enterprise")
        self.application = commitment_application(item=self.item, applicant=self.enterprise,
                                                  actor=fixture("applicant_user"), officer=fixture("officer"),
                                                  until="approved", channel="online")
        self.decision = self.application.documents.get(kind=DocumentKind.DECISION)
        self.handed_in = self.item.materials.get(due=MaterialDue.AT_COMMITMENT)
        document_pdf(self.decision)  # made once here, not again inside every rolled-back request

    def value(self, name, numeric):
        """A real value for a route parameter, by its name; "1" or "x1" for one this test does not know."""
        known = {"number": self.application.number, "code": self.item.code, "verification_code":
                 self.decision.verification_code, "material_id": self.handed_in.pk, "pk": self.enterprise.pk,
                 "format": "json"}
        return str(known.get(name, 1 if numeric else "x1"))


# Percent-encoded, as they travel in a request line.
HOSTILE_SEGMENTS = {
    "nul": ("%00", "9%00"),
    "invalid-utf8": ("%FF%FE", "%C0%AF"),
    "overlong": (quote("钦" * 300, safe=""), "9" * 400),
    "past-bigint": ("9" * 25, "9" * 25),
}


def urls_of(route, world, hostile=None):
    """The route's path with its parameters filled: real values, or one hostile kind everywhere."""
    def fill(match):
        name = match["name"] or match["rname"] or ""
        numeric = (match["conv"] or match["regex"] or match["bare"] or "str") in NUMERIC
        if hostile is None:
            return quote(world.value(name, numeric), safe="")
        text, number = HOSTILE_SEGMENTS[hostile]
        return number if numeric else text
    path = "/" + PARAMETER.sub(fill, route)
    return path.replace("\\", "").replace("?", "")


def has_parameters(route) -> bool:
    return bool(PARAMETER.search(route))


# --- what the requests carry ---------------------------------------------------------------------

def _query(value):
    return "&".join(f"{name}={quote(value, safe='')}" for name in FIELDS)


RAW_INVALID_UTF8 = "&".join(f"{name}=%FF%FE%C0%AF" for name in FIELDS)
GET_QUERIES = {
    "nul": _query("\x00"),
    "overlong": _query(OVERLONG),
    "invalid-utf8": RAW_INVALID_UTF8,
    "deep": _query(DEEP_TEXT) + "&" + "a" + "[b]" * 100 + "=1",
}

FORM = "application/x-www-form-urlencoded"
FORM_BODIES = {
    "nul": _query("\x00").encode(),
    "overlong": _query(OVERLONG).encode(),
    "invalid-utf8": RAW_INVALID_UTF8.encode() + b"&raw=\xff\xfe\xc0\xaf",
    "deep": _query(DEEP_TEXT).encode(),
    "too-many-fields": "&".join(f"f{n}=1" for n in range(3000)).encode(),
}

JSON = "application/json"
JSON_BODIES = {
    "nul": json.dumps(dict.fromkeys(FIELDS, "\x00")).encode(),
    "nul-in-keys-and-lists": json.dumps({"a\x00": ["\x00", {"b\x00": "\x00"}],
                                         **dict.fromkeys(FIELDS, ["\x00"])}).encode(),
    "overlong": json.dumps(dict.fromkeys(FIELDS, OVERLONG)).encode(),
    "invalid-utf8": b'{"username": "\xff\xfe", "item": "\xc0\xaf", "details": "\xed\xa0\x80"}',
    "deep-array": NESTED_JSON.encode(),
    "deep-object": ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
    "deep-in-a-field": (json.dumps(dict.fromkeys(FIELDS, "x"))[:-1] + ', "applicant": ' + NESTED_JSON + "}").encode(),
    "wrong-types": json.dumps(dict.fromkeys(FIELDS, {"a": [1, None, True, {"b": 2.5}]})).encode(),
    "huge-numbers": ("{" + ", ".join(f'"{name}": 1e999' for name in FIELDS[:20]) + ', "days": '
                     + "9" * 5000 + ', "seq_no": -99999999999999999999999}').encode(),
    "not-an-object": b'"\\u0000"',
}


def get_requests(path):
    for variant, query in GET_QUERIES.items():
        yield f"GET {variant}", dict(method="GET", path=f"{path}?{query}")


def post_requests(path, *, api):
    if api:
        for variant, body in JSON_BODIES.items():
            yield f"POST json {variant}", dict(method="POST", path=path, data=body, content_type=JSON)
        return
    for variant, body in FORM_BODIES.items():
        yield f"POST form {variant}", dict(method="POST", path=path, data=body, content_type=FORM)
    nul_named = pdf_file("材料\x00.pdf")
    yield "POST multipart nul", dict(method="POST", path=path, multipart={
        **dict.fromkeys(FIELDS, "\x00"), "file": nul_named, "files_1": pdf_file("x" * 300 + ".pdf")})


def requests_for(url, world):
    """Every hostile request for one URL pattern: (what, request kwargs)."""
    api = url.route.startswith("api/")
    path = urls_of(url.route, world)
    yield from get_requests(path)
    yield from post_requests(path, api=api)
    if has_parameters(url.route):
        for hostile in HOSTILE_SEGMENTS:
            bad_path = urls_of(url.route, world, hostile)
            yield f"GET path {hostile}", dict(method="GET", path=bad_path)
            yield f"POST path {hostile}", dict(method="POST", path=bad_path, data=b"{}" if api else b"",
                                               content_type=JSON if api else FORM)


# --- asking and checking ---------------------------------------------------------------------------

class Asker:
    def __init__(self, client, user):
        self.client = client
        self.client.raise_request_exception = False
        self.token = Token.objects.create(user=user).key if user is not None else None
        self.failures = []

    def ask(self, what, url, method, path, data=b"", content_type=FORM, multipart=None):
        headers = {"HTTP_AUTHORIZATION": f"Token {self.token}"} if self.token and path.startswith("/api/") else {}
        cookies = copy.deepcopy(self.client.cookies)  # a sign-out carried out stays in its savepoint
        with transaction.atomic():
            if multipart is not None:
                response = self.client.post(path, multipart, **headers)
            else:
                response = self.client.generic(method, path, data, content_type=content_type, **headers)
            transaction.set_rollback(True)
        self.client.cookies = cookies
        self.check(what, url, response)

    def check(self, what, url, response):
        where = f"{url.key} {what}: {response.status_code}"
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            self.failures.append(f"{where} {exc[1]!r:.300}" if exc else where)
        elif response.status_code >= 400 and response.content and not CHINESE.search(said(response)):
            self.failures.append(f"{where} (not in Chinese) {response.content[:200]!r}")


def said(response) -> str:
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return str(json.loads(text))  # "\u4e2d" escapes read as the characters they are
        except ValueError:
            pass
    return text


def urls_for(persona):
    if persona == "admin_user":
        return project_urls(include_admin=True)
    return project_urls()  # the admin site as one URL: its sign-in page, before it reads anything


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_hostile_request_to_any_url_gets_a_server_error(request, client, login, persona):
    world = World(request)
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if user is not None:
        login(user)
    asker = Asker(client, user)
    for url in urls_for(persona):
        for what, kwargs in requests_for(url, world):
            asker.ask(what, url, **kwargs)
    assert asker.failures == [], f"{len(asker.failures)} failures:\n" + "\n".join(f[:300] for f in asker.failures[:40])
