"""Permission-matrix rows of issue 16 (registrations): merged into tests.portal.matrix_rows.MATRIX.

登记告知 in the enterprise's account (双告知): the enterprise's two accounts see its registrations and open one;
the outsider (another applicant account) is told the registration does not exist (404); staff are refused by the
applicant's desk (403), like 我的办件; anonymous visitors sign in first.
"""
import datetime as dt

from django.utils import timezone

from tests.portal.matrix_rows import (
    APPLICANT_ACCOUNTS, PERSONAS, SIGN_IN, SIGNED_IN, UNKNOWN_ARGS, Probe, desk,
)

MEMBERS = ("applicant_user", "colleague")


def registration_args(w):
    """A registration of the enterprise as the intake stores it: item 13 (住宿服务) needed."""
    from licensing.models import Item, Registration, RegistrationItem, RegistrationSender

    sender, _ = RegistrationSender.objects.get_or_create(token_sha256="b" * 64, defaults={
        "name": "钦州市市场主体登记系统", "secret": "whsec_bWF0cml4"})
    registration = Registration.objects.create(
        sender=sender, event_id=f"MATRIX-{Registration.objects.count() + 1}", uscc=w.enterprise.identifier,
        name=w.enterprise.name, scope="许可项目：住宿服务。", address="钦州市钦南区扬帆大道1号", legal_representative="赵六",
        registered_on=dt.date(2024, 10, 8), applicant=w.enterprise, received_at=timezone.now())
    RegistrationItem.objects.create(registration=registration, item=w.item, reform_mode=w.item.reform_mode,
                                    words=["住宿服务"])
    return (registration.pk,)


UNKNOWN_ARGS[registration_args] = lambda w: (999_999_999,)


def member(ok=200) -> dict:
    return {**{p: 403 for p in SIGNED_IN}, **dict.fromkeys(MEMBERS, ok), "outsider": 404, "anonymous": SIGN_IN}


ROWS = {
    "my-registrations": [Probe("get", desk(APPLICANT_ACCOUNTS))],
    "my-registration": [Probe("get", member(), args=registration_args)],
}
assert all(set(probe.answers) == set(PERSONAS) for probes in ROWS.values() for probe in probes)
