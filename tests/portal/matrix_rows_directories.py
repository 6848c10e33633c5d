"""Permission-matrix rows of issue 14 (directories): merged into tests.portal.matrix_rows.MATRIX.

监管对象库 and 执法检查人员库 are each regulator organisation's own (supervision.directories): item 13's
regulator sees the enterprise's licence in its directory and keeps its inspectors; another organisation's
regulator has directories of its own (empty of them) and is told the first's inspector does not exist
(404); everyone who keeps no directory is refused (403), like the other staff desks.
"""
from portal.constants import Role
from tests.factories import UserFactory
from tests.portal.matrix_rows import SIGN_IN, SIGNED_IN, UNKNOWN_ARGS, Probe, Redirect, desk

KEEPERS = ("regulator", "other_regulator")


def _colleague(w):
    """A regulator account of item 13's regulator, not yet in its directory."""
    return UserFactory(role=Role.REGULATOR, organisation=w.fixture("regulator").organisation, full_name="执法新人")


def _new_inspector(w):
    from supervision.models import Inspector

    user = _colleague(w)
    return Inspector.objects.create(organisation=user.organisation, user=user, code=f"45079{user.pk:06d}")


def inspector_args(w):
    return (_new_inspector(w).pk,)


UNKNOWN_ARGS[inspector_args] = lambda w: (999_999_999,)


def keeper(ok, stranger=404):
    """Item 13's regulator `ok`; another organisation's regulator `stranger`; the rest 403."""
    return {**dict.fromkeys(SIGNED_IN, 403), "regulator": ok, "other_regulator": stranger, "anonymous": SIGN_IN}


def add_form(w):
    # another organisation's regulator names an account that is not its own: refused (400), nothing added
    return {"username": _colleague(w).username, "code": "45079-MATRIX"}


def conflict_form(w):
    return {"identifier": w.enterprise.identifier, "relation": "近亲属任该企业法定代表人"}


ROWS = {
    "entity-directory": [Probe("get", desk(KEEPERS), state="approved", lists=("regulator",))],
    "entity-directory-export": [Probe("get", desk(KEEPERS), state="approved")],
    "inspector-directory": [Probe("get", desk(KEEPERS))],
    "inspector-add": [Probe("post", keeper(Redirect("/desk/inspectors/"), stranger=400), data=add_form)],
    "inspector-detail": [Probe("get", keeper(200), args=inspector_args)],
    "inspector-active": [Probe("post", keeper(Redirect("/desk/inspectors/")), args=inspector_args,
                               data=lambda w: {"active": "false"})],
    "inspector-conflict-add": [Probe("post", keeper(Redirect("/desk/inspectors/")), args=inspector_args,
                                     data=conflict_form)],
}
