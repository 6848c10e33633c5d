"""The lockout under attack (issue 8): failures against an account survive anyone else's success,
accounts lock across addresses and addresses across accounts, the client's own address counts
behind the documented TLS proxy, and the token endpoint tells no one which part was wrong."""
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from portal.constants import Role
from portal.models import AuditAction, AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory, second_factor_code

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
TOKEN_URL = "/api/v1/auth/token/"
COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"


@pytest.fixture
def attacker(db):
    """The attacker's own, perfectly valid account."""
    return UserFactory(role=Role.APPLICANT, full_name="赵六")


def web_sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def token_request(username, password, client=None, **fields):
    client = client or APIClient()
    return client.post(TOKEN_URL, {"username": username, "password": password, **fields}, format="json")


# --- 1. a success clears only the successful account's own failures ---------------------------
def test_guesses_interleaved_with_sign_ins_to_the_attackers_own_account_end_in_a_lockout(
        client, applicant_user, attacker):
    for n in range(40):
        web_sign_in(client, applicant_user.username, f"guess-{n:02d}-wrong")
        web_sign_in(client, attacker.username, TEST_PASSWORD)
    right = web_sign_in(client, applicant_user.username, TEST_PASSWORD)
    assert right.status_code == 429 and "锁定" in right.content.decode()
    assert client.session.get("_auth_user_id") != str(applicant_user.pk)


def test_guesses_through_the_api_interleaved_with_sign_ins_end_in_a_lockout(client, applicant_user, attacker):
    api = APIClient()
    for n in range(40):
        token_request(applicant_user.username, f"guess-{n:02d}-wrong", api)
        web_sign_in(client, attacker.username, TEST_PASSWORD)
    right = token_request(applicant_user.username, TEST_PASSWORD, api)
    assert right.status_code == 429 and "锁定" in right.json()["detail"]
    assert "token" not in right.json()


def test_another_accounts_success_leaves_the_failures_against_an_account_in_place(
        client, applicant_user, attacker):
    for _ in range(LIMIT - 1):
        web_sign_in(client, applicant_user.username, "wrong-password")
    assert web_sign_in(Client(), attacker.username, TEST_PASSWORD).status_code == 302
    assert web_sign_in(client, applicant_user.username, "wrong-password").status_code == 429


def test_an_accounts_own_success_clears_its_earlier_slips_from_that_address(client, applicant_user):
    for _ in range(LIMIT - 1):
        web_sign_in(client, applicant_user.username, "wrong-password")
    assert web_sign_in(client, applicant_user.username, TEST_PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(LIMIT - 1):
        assert web_sign_in(client, applicant_user.username, "wrong-password").status_code == 200
    assert web_sign_in(client, applicant_user.username, TEST_PASSWORD).status_code == 302


def test_an_account_is_locked_by_failures_from_many_addresses(applicant_user):
    for n in range(LIMIT):
        web_sign_in(Client(), applicant_user.username, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert web_sign_in(Client(), applicant_user.username, TEST_PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_an_address_spraying_many_accounts_is_locked_even_after_its_own_successes(client, attacker):
    for n in range(LIMIT):
        web_sign_in(client, f"someone-{n}", "wrong-password")
        if n < LIMIT - 1:
            assert web_sign_in(client, attacker.username, TEST_PASSWORD).status_code == 302
    assert web_sign_in(client, attacker.username, TEST_PASSWORD).status_code == 429


# --- 2. behind the TLS proxy: the client's own address ------------------------------------------
def compose_web():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["web"]


def default_of(value):
    """`${VAR:-default}` as compose resolves it when VAR is not set."""
    return str(value).split(":-", 1)[1].rstrip("}") if str(value).startswith("${") else str(value)


def trusted_hops_in_compose():
    """TRUSTED_PROXY_COUNT as docker-compose sets it for web."""
    return int(default_of(compose_web()["environment"].get("TRUSTED_PROXY_COUNT", "0")))


def through_the_proxy(client_address, forged=None):
    """What the proxy hands gunicorn: its own address as the peer, the client's appended to XFF."""
    hops = [forged, client_address] if forged else [client_address]
    return {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_FOR": ", ".join(hops)}


def addresses_of(action):
    return set(AuditEvent.objects.filter(action=action).values_list("ip_address", flat=True))


@pytest.fixture
def behind_the_compose_proxy():
    with override_settings(TRUSTED_PROXY_COUNT=trusted_hops_in_compose()):
        yield


def test_docker_compose_trusts_exactly_the_one_proxy_in_front_of_web():
    assert trusted_hops_in_compose() == 1
    # …and gunicorn is reachable only through it: whoever reached it directly could claim any address.
    (published,) = compose_web()["ports"]
    host = published.split("}:", 1)[0] + "}" if published.startswith("${") else published.split(":", 1)[0]
    assert default_of(host) == "127.0.0.1"


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(
        behind_the_compose_proxy, applicant_user, colleague):
    for n in range(LIMIT):
        web_sign_in(Client(), f"guess-{n}", "wrong-password", **through_the_proxy("203.0.113.10"))
    assert web_sign_in(Client(), colleague.username, TEST_PASSWORD,
                       **through_the_proxy("203.0.113.10")).status_code == 429
    other = web_sign_in(Client(), applicant_user.username, TEST_PASSWORD, **through_the_proxy("198.51.100.20"))
    assert other.status_code == 302
    assert addresses_of(AuditAction.LOCKED_OUT) == {"203.0.113.10"}
    assert addresses_of(AuditAction.LOGIN) == {"198.51.100.20"}


def test_a_forged_forwarded_address_does_not_let_a_locked_client_escape(behind_the_compose_proxy, applicant_user):
    for n in range(LIMIT):
        web_sign_in(Client(), f"guess-{n}", "wrong-password", **through_the_proxy("203.0.113.10"))
    forged = web_sign_in(Client(), applicant_user.username, TEST_PASSWORD,
                         **through_the_proxy("203.0.113.10", forged="198.51.100.77"))
    assert forged.status_code == 429
    api = token_request(applicant_user.username, TEST_PASSWORD,
                        APIClient(**through_the_proxy("203.0.113.10", forged="198.51.100.77")))
    assert api.status_code == 429


# --- 3. the token endpoint: one answer for every wrong part -------------------------------------
def test_a_wrong_password_and_a_missing_or_wrong_code_get_the_same_answer(officer):
    second_factor_code(officer)  # the officer has a second factor
    answers = [token_request(officer.username, "wrong-password"),
               token_request(officer.username, TEST_PASSWORD),
               token_request(officer.username, TEST_PASSWORD, otp=""),
               token_request(officer.username, TEST_PASSWORD, otp="12345678")]
    assert {(answer.status_code, answer.content) for answer in answers} == {(answers[0].status_code,
                                                                             answers[0].content)}
    assert answers[0].status_code == 400 and "动态验证码" in answers[0].json()["detail"]
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 4


def test_missing_codes_and_wrong_passwords_together_lock_the_staff_account(officer):
    for n in range(LIMIT):
        token_request(officer.username, TEST_PASSWORD if n % 2 else "wrong-password")
    locked = token_request(officer.username, TEST_PASSWORD, otp=second_factor_code(officer))
    assert locked.status_code == 429 and "token" not in locked.json()
