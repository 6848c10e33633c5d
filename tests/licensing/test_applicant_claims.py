"""Claiming an enterprise (issue 8): typing a 统一社会信用代码 makes a pending claim, not an owner.

A pending claim prepares applications (register, submit, upload) but signs no 承诺书 until the
window checks the papers or a verifier confirms it; a second account's claim is accepted as
another pending claim, and the clerk settles the conflict: verify the true one, remove the false.
"""
import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from licensing import selectors, services
from licensing.constants import Channel, ClaimStatus, CommitmentKind, MaterialDue, Status
from licensing.models import ApplicantMembership, Application, Commitment
from licensing.verifiers import IdentityVerifier, NullVerifier, VerificationResult
from portal.exceptions import NotAllowed
from portal.models import AuditAction, AuditEvent, User
from tests.factories import ApplicantFactory, UserFactory, commitment_application, files_owed_at_commitment, pdf_file

pytestmark = pytest.mark.django_db

SEVEN = [True] * 7


# --- a verifier for tests (the portal ships only NullVerifier) ---------------------------------

class ListedAccountsVerifier:
    """Verifies the accounts listed in `trusted` (as 电子营业执照 would confirm a legal representative)."""

    name = "test-verifier"
    trusted: set = set()

    def verify(self, applicant, user) -> VerificationResult:
        if user.username in self.trusted:
            return VerificationResult(True)
        return VerificationResult(False, "测试核验：该账号不是法定代表人。")


class BrokenVerifier:
    name = "broken"

    def verify(self, applicant, user):
        raise ConnectionError("identity service unreachable")


TEST_VERIFIER = f"{__name__}.ListedAccountsVerifier"


@pytest.fixture
def trusted():
    ListedAccountsVerifier.trusted = set()
    yield ListedAccountsVerifier.trusted
    ListedAccountsVerifier.trusted = set()


# --- helpers ---------------------------------------------------------------------------------------

def claim(enterprise, user) -> ApplicantMembership:
    return ApplicantMembership.objects.get(applicant=enterprise, user=user)


def claims(user, enterprise):
    """`user` claims `enterprise` online on 办理主体, by typing its code (and any name)."""
    return services.applicant_register(kind=enterprise.kind, identifier=enterprise.identifier, name="随便写的名称",
                                       actor=user, user=user)


def sign(application, actor, **overrides):
    return services.application_commit(**{
        "application": application, "actor": actor, "kind": CommitmentKind.ALREADY_MEETS, "confirmations": SEVEN,
        "signatory": "王五", "files": files_owed_at_commitment(application), **overrides})


def audit_rows(action, enterprise):
    return list(AuditEvent.objects.filter(action=action, object_type="licensing.applicant",
                                          object_id=str(enterprise.pk)))


@pytest.fixture
def pending_application(outsider, enterprise, commitment_item, officer):
    """The outsider claims the enterprise (pending), files item 13 online and gets the 告知书."""
    claims(outsider, enterprise)
    return commitment_application(item=commitment_item, applicant=enterprise, actor=outsider, officer=officer,
                                  until="notice_issued", channel=Channel.ONLINE)


# --- a claim starts pending; a second one is accepted ------------------------------------------

def test_registering_an_enterprise_online_makes_a_pending_claim(outsider):
    enterprise = services.applicant_register(kind="enterprise", identifier=ApplicantFactory.build().identifier,
                                             name="钦州市新开张有限公司", actor=outsider, user=outsider)
    link = claim(enterprise, outsider)
    assert (link.status, link.verified_at, link.verified_by, link.verified_via) == (ClaimStatus.PENDING, None, None, "")
    [bound] = audit_rows(AuditAction.ACCOUNT_BIND, enterprise)
    assert bound.details["status"] == "pending"


def test_a_second_account_claiming_an_enterprise_is_accepted_as_another_pending_claim(outsider, enterprise):
    claims(outsider, enterprise)  # the first account to register it no longer owns it online

    assert claim(enterprise, outsider).status == ClaimStatus.PENDING
    assert enterprise.members.count() == 3
    assert claim(enterprise, outsider).applicant.name == enterprise.name  # the name typed changes nothing


# --- a pending claim prepares but does not sign ----------------------------------------------------

def test_a_pending_claim_prepares_the_application_and_uploads_but_is_not_offered_the_commitment(
        outsider, enterprise, pending_application):
    application = pending_application
    actions = selectors.application_allowed_actions(application, outsider)
    assert "commit" not in actions and {"choose_ordinary", "withdraw"} <= set(actions)
    # meanwhile the materials due with the 承诺书 are offered on their own, and taken
    offered = {s.material.due for s in selectors.materials_to_hand_in(application, outsider)}
    assert MaterialDue.AT_COMMITMENT in offered
    material = application.materials.get(material__due=MaterialDue.AT_COMMITMENT)
    services.material_submit(application=application, material_id=material.material_id, upload=pdf_file(),
                             actor=outsider)
    material.refresh_from_db()
    assert material.status == "submitted"


def test_a_pending_claim_cannot_sign_and_is_told_in_chinese_what_to_do(outsider, pending_application):
    with pytest.raises(NotAllowed) as refused:
        sign(pending_application, outsider)

    assert "尚未核验" in refused.value.message and "窗口" in refused.value.message
    assert "营业执照" in refused.value.message
    pending_application.refresh_from_db()
    assert pending_application.status == Status.NOTICE_ISSUED
    assert not Commitment.objects.exists()


def test_an_account_with_no_link_cannot_sign_through_the_service_either(pending_application):
    stranger = UserFactory(role="applicant")
    with pytest.raises(NotAllowed):
        sign(pending_application, stranger)
    assert not Commitment.objects.exists()


def test_the_clerk_records_the_commitment_the_applicant_signed_on_paper_whatever_the_claim(
        clerk, pending_application):
    committed = sign(pending_application, clerk, signatory="王五（纸质承诺书）")
    assert committed.status == Status.COMMITTED and committed.commitment.recorded_by == clerk


def test_the_application_page_says_why_the_commitment_waits_and_what_to_do(login, outsider, pending_application):
    html = login(outsider).get(reverse("web-application-detail", args=[pending_application.number])).content.decode()

    assert "尚未核验，暂不能签署承诺书" in html and "营业执照" in html and "政务服务中心窗口" in html
    assert reverse("web-application-commit", args=[pending_application.number]) not in html


def test_posting_the_commitment_form_anyway_is_refused_in_chinese(login, outsider, pending_application):
    form = {"kind": CommitmentKind.ALREADY_MEETS, "signatory": "王五", **{f"confirm_{n}": "on" for n in range(1, 8)},
            **{f"material_{k}": v for k, v in files_owed_at_commitment(pending_application).items()}}
    response = login(outsider).post(reverse("web-application-commit", args=[pending_application.number]), form)

    assert response.status_code == 403
    assert "尚未核验" in response.content.decode()
    pending_application.refresh_from_db()
    assert pending_application.status == Status.NOTICE_ISSUED


def test_the_api_offers_no_commit_and_refuses_one(outsider, pending_application):
    client = APIClient()
    client.force_authenticate(outsider)
    url = f"/api/v1/applications/{pending_application.number}/"
    assert "commit" not in client.get(url).json()["allowed_actions"]

    response = client.post(f"{url}commit/", {"kind": "already_meets", "confirmations": SEVEN, "signatory": "王五"},
                           format="json")
    assert response.status_code == 403 and "尚未核验" in response.json()["detail"]


# --- a pending claim sees nothing of what the enterprise's own accounts filed -------------------------

def test_a_pending_claim_sees_and_touches_only_what_its_own_account_filed(
        login, applicant_user, outsider, enterprise, commitment_item, officer):
    theirs = commitment_application(item=commitment_item, applicant=enterprise, actor=applicant_user, officer=officer,
                                    until="notice_issued", channel=Channel.ONLINE)
    claims(outsider, enterprise)
    mine = services.application_submit(item=commitment_item, applicant=enterprise, actor=outsider)
    client = login(outsider)

    listing = client.get(reverse("my-applications")).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(reverse("web-application-detail", args=[theirs.number])).status_code == 404
    assert client.post(reverse("web-application-withdraw", args=[theirs.number])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.NOTICE_ISSUED
    # the enterprise's verified accounts see what the claimant filed in its name
    assert selectors.application_visible(applicant_user, mine)


# --- the window settles it ---------------------------------------------------------------------------

def test_the_window_shows_the_accounts_claiming_the_applicant_and_which_is_verified(login, clerk, outsider, enterprise):
    claims(outsider, enterprise)
    html = login(clerk).get(reverse("window-applicant", args=[enterprise.pk])).content.decode()

    assert "有 3 个账号声称代该申请人办理，其中 2 个已核验" in html
    assert outsider.username in html and "待核验" in html
    assert reverse("window-claim-verify", args=[enterprise.pk, claim(enterprise, outsider).pk]) in html
    assert reverse("window-claim-remove", args=[enterprise.pk, claim(enterprise, outsider).pk]) in html


def test_the_clerk_verifies_the_true_claim_after_checking_the_papers_and_it_then_signs(
        login, clerk, outsider, enterprise, pending_application):
    link = claim(enterprise, outsider)
    response = login(clerk).post(reverse("window-claim-verify", args=[enterprise.pk, link.pk]), follow=True)

    assert f"已核验：账号 {outsider.username}" in response.content.decode()
    link.refresh_from_db()
    assert (link.status, link.verified_by, link.verified_via) == (ClaimStatus.VERIFIED, clerk, "window")
    assert link.verified_at is not None
    [verified] = audit_rows(AuditAction.CLAIM_VERIFY, enterprise)
    assert (verified.actor, verified.details["account"], verified.details["via"]) == (clerk, outsider.username, "window")
    assert "commit" in selectors.application_allowed_actions(pending_application, outsider)
    assert sign(pending_application, outsider).status == Status.COMMITTED


def test_verifying_twice_writes_one_row_and_says_it_is_done(login, clerk, outsider, enterprise):
    claims(outsider, enterprise)
    client = login(clerk)
    url = reverse("window-claim-verify", args=[enterprise.pk, claim(enterprise, outsider).pk])
    client.post(url)
    again = client.post(url, follow=True)

    assert "已核验，无需再次核验" in again.content.decode()
    assert len(audit_rows(AuditAction.CLAIM_VERIFY, enterprise)) == 1


def test_the_clerk_removes_the_false_claim_with_an_audit_row_naming_the_clerk(
        login, clerk, outsider, enterprise, pending_application):
    link = claim(enterprise, outsider)
    response = login(clerk).post(reverse("window-claim-remove", args=[enterprise.pk, link.pk]),
                                 {"reason": "营业执照核对不符"}, follow=True)

    assert f"已删除账号 {outsider.username} 与 {enterprise.name} 的关联" in response.content.decode()
    assert not ApplicantMembership.objects.filter(pk=link.pk).exists()
    [removed] = audit_rows(AuditAction.CLAIM_REMOVE, enterprise)
    assert (removed.actor, removed.role) == (clerk, "clerk")
    assert removed.details["account"] == outsider.username and removed.details["status"] == "pending"
    assert removed.details["reason"] == "营业执照核对不符"
    # the false claimant acts for the enterprise no more, not even on what it filed
    assert not outsider.has_perm("licensing.apply_for", enterprise)
    assert not selectors.application_visible(outsider, pending_application)


def test_binding_an_account_at_the_window_verifies_its_pending_claim(login, clerk, outsider, enterprise):
    claims(outsider, enterprise)
    login(clerk).post(reverse("window-bind-account", args=[enterprise.pk]), {"username": outsider.username})

    link = claim(enterprise, outsider)
    assert (link.status, link.verified_by, link.verified_via) == (ClaimStatus.VERIFIED, clerk, "window")
    assert len(audit_rows(AuditAction.CLAIM_VERIFY, enterprise)) == 1


@pytest.mark.parametrize("step", ["window-claim-verify", "window-claim-remove"])
def test_only_the_window_settles_claims(login, applicant_user, outsider, enterprise, step):
    claims(outsider, enterprise)
    link = claim(enterprise, outsider)
    response = login(applicant_user).post(reverse(step, args=[enterprise.pk, link.pk]))

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.status == ClaimStatus.PENDING
    assert audit_rows(AuditAction.CLAIM_VERIFY, enterprise) == audit_rows(AuditAction.CLAIM_REMOVE, enterprise) == []


@pytest.mark.parametrize("step", ["window-claim-verify", "window-claim-remove"])
def test_a_claim_of_another_applicant_is_not_found_from_this_one(login, clerk, outsider, enterprise, step):
    other = ApplicantFactory(claimants=[outsider])
    response = login(clerk).post(reverse(step, args=[enterprise.pk, claim(other, outsider).pk]))
    assert response.status_code == 404
    assert claim(other, outsider).status == ClaimStatus.PENDING


# --- verifiers ---------------------------------------------------------------------------------------

def test_the_shipped_verifier_verifies_nothing(outsider, enterprise):
    assert isinstance(NullVerifier(), IdentityVerifier)
    assert not NullVerifier().verify(enterprise, outsider).verified
    claims(outsider, enterprise)
    assert claim(enterprise, outsider).status == ClaimStatus.PENDING


def test_a_configured_verifier_verifies_the_claim_when_it_is_made(settings, trusted, outsider, enterprise):
    settings.IDENTITY_VERIFIER = TEST_VERIFIER
    trusted.add(outsider.username)
    assert isinstance(ListedAccountsVerifier(), IdentityVerifier)

    claims(outsider, enterprise)

    link = claim(enterprise, outsider)
    assert (link.status, link.verified_via, link.verified_by) == (ClaimStatus.VERIFIED, "test-verifier", None)
    [verified] = audit_rows(AuditAction.CLAIM_VERIFY, enterprise)
    assert verified.actor == outsider and verified.details["via"] == "test-verifier"


def test_a_verifier_that_says_no_or_fails_leaves_the_claim_pending(settings, trusted, outsider, colleague):
    enterprise = ApplicantFactory()
    settings.IDENTITY_VERIFIER = TEST_VERIFIER
    claims(outsider, enterprise)
    settings.IDENTITY_VERIFIER = f"{__name__}.BrokenVerifier"
    claims(colleague, enterprise)  # a service that is down loses neither the claim nor the registration
    assert {m.status for m in enterprise.applicantmembership_set.all()} == {ClaimStatus.PENDING}


def test_the_account_asks_the_verifier_again_from_its_applicants_page(settings, trusted, login, outsider, enterprise):
    claims(outsider, enterprise)
    settings.IDENTITY_VERIFIER = TEST_VERIFIER
    client = login(outsider)
    html = client.get(reverse("my-applicants")).content.decode()
    assert "在线核验" in html

    refused = client.post(reverse("my-applicants"), {"verify_claim": claim(enterprise, outsider).pk}, follow=True)
    assert "测试核验：该账号不是法定代表人" in refused.content.decode()
    trusted.add(outsider.username)
    done = client.post(reverse("my-applicants"), {"verify_claim": claim(enterprise, outsider).pk}, follow=True)
    assert "已在线核验" in done.content.decode()
    assert claim(enterprise, outsider).status == ClaimStatus.VERIFIED


def test_no_online_verification_is_offered_while_none_is_connected(login, outsider, enterprise):
    claims(outsider, enterprise)
    client = login(outsider)
    html = client.get(reverse("my-applicants")).content.decode()
    assert "在线核验" not in html and "待核验" in html and "政务服务中心窗口" in html
    response = client.post(reverse("my-applicants"), {"verify_claim": claim(enterprise, outsider).pk}, follow=True)
    assert "暂不能在线核验" in response.content.decode()
    assert claim(enterprise, outsider).status == ClaimStatus.PENDING


def test_an_account_cannot_verify_someone_elses_claim(settings, trusted, login, applicant_user, outsider, enterprise):
    settings.IDENTITY_VERIFIER = TEST_VERIFIER
    claims(outsider, enterprise)
    trusted.add(outsider.username)
    response = login(applicant_user).post(reverse("my-applicants"), {"verify_claim": claim(enterprise, outsider).pk})
    assert response.status_code == 404
    assert claim(enterprise, outsider).status == ClaimStatus.PENDING


# --- the demo ------------------------------------------------------------------------------------------

def test_the_demo_applicants_enterprise_is_loaded_verified_so_the_demo_journey_can_sign():
    call_command("load_demo")
    call_command("load_demo")
    applicant = User.objects.get(username="demo-applicant")
    [link] = ApplicantMembership.objects.filter(user=applicant)
    assert link.status == ClaimStatus.VERIFIED and link.verified_by == User.objects.get(username="demo-clerk")
    assert applicant.has_perm("licensing.sign_commitment", link.applicant)
    assert Application.objects.count() == 0


# --- links made before claims were verified ------------------------------------------------------------

def test_the_migration_verifies_the_links_a_clerk_bound_and_leaves_self_made_ones_pending(clerk, outsider, colleague):
    import importlib

    from django.apps import apps

    from portal import audit

    migration = importlib.import_module("licensing.migrations.0006_applicant_claims")
    enterprise = ApplicantFactory(claimants=[outsider, colleague])
    audit.write(AuditAction.ACCOUNT_BIND, actor=clerk, obj=enterprise, details={"account": outsider.username})
    audit.write(AuditAction.ACCOUNT_BIND, actor=colleague, obj=enterprise, details={"account": colleague.username})

    migration.verify_links_bound_at_the_window(apps, None)

    bound = claim(enterprise, outsider)
    assert (bound.status, bound.verified_by, bound.verified_via) == (ClaimStatus.VERIFIED, clerk, "window")
    assert claim(enterprise, colleague).status == ClaimStatus.PENDING


@pytest.mark.parametrize("bad", ["²", "9" * 30, "", "abc"])
def test_a_strange_claim_number_is_not_found_never_a_server_error(login, outsider, enterprise, bad):
    claims(outsider, enterprise)
    response = login(outsider).post(reverse("my-applicants"), {"verify_claim": bad})
    assert response.status_code == 404
    assert claim(enterprise, outsider).status == ClaimStatus.PENDING


def test_applying_for_a_commitment_item_with_a_pending_claim_says_the_claim_must_be_verified_first(
        login, outsider, enterprise, commitment_item):
    claims(outsider, enterprise)
    response = login(outsider).post(reverse("apply", args=[commitment_item.code]), {
        "applicant": enterprise.pk, "wants_commitment": "yes", "details": "客房30间",
        **{f"material_{m.pk}": pdf_file() for m in commitment_item.materials.filter(due=MaterialDue.AT_APPLICATION)}},
        follow=True)

    html = response.content.decode()
    assert "申请已提交" in html and "尚未核验" in html and "不能签署承诺书" in html
