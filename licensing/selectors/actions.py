"""What a user may do next with an application: the buttons a page draws and the API's
`allowed_actions`. Derived from the one transition table (licensing.constants.TRANSITIONS: the
route and the state) and the permission rules (who takes which side), never written again.
"""
from django.utils.translation import gettext as _

from licensing.constants import DECIDED, OPEN, TRANSITIONS, Action, MaterialDue, MaterialStatus, Side, Status
from licensing.selectors.ratings import RATE, rating_allowed

PERMISSION_OF_SIDE = {Side.APPLICANT: "licensing.act_as_applicant", Side.OFFICER: "licensing.act_as_officer",
                      Side.REGULATOR: "licensing.act_as_regulator"}
# A step with a rule of its own: signing the 承诺书 needs a verified link (licensing/rules.py).
PERMISSION_OF_ACTION = {Action.COMMIT: "licensing.sign_commitment"}
SIGN_COMMITMENT = PERMISSION_OF_ACTION[Action.COMMIT]


def permission_for(action, transition) -> str | None:
    """The permission that lets a user take `action`: its own rule, else its side's."""
    return PERMISSION_OF_ACTION.get(action) or PERMISSION_OF_SIDE.get(transition.side)


def transition_allowed(application, action) -> bool:
    """The application's route, state and stage allow `action` (whoever asks)."""
    return TRANSITIONS[action].allows(application)


def application_allowed_actions(application, user) -> list[str]:
    """The steps `user` may take now, in the order of the table; beat-job steps are nobody's to take."""
    granted = {}  # each permission asked once
    allowed = []
    for action, transition in TRANSITIONS.items():
        perm = permission_for(action, transition)
        if perm is None or not transition_allowed(application, action):
            continue
        if perm not in granted:
            granted[perm] = user.has_perm(perm, application)
        if granted[perm]:
            allowed.append(str(action))
    if rating_allowed(application, user):  # 好差评 once it has ended (issue 15): not a transition, the state stays
        allowed.append(RATE)
    return allowed


def commitment_awaits_verification(application, user) -> bool:
    """The application waits for the applicant's 承诺书, and this account could sign it but for its
    link to the applicant, which nobody has verified yet: the page says why and what to do."""
    return (transition_allowed(application, Action.COMMIT)
            and user.has_perm(PERMISSION_OF_SIDE[Side.APPLICANT], application)
            and not user.has_perm(SIGN_COMMITMENT, application))


def material_frozen_reason(application, submission) -> str:
    """Why the file handed in for `submission` may no longer be replaced, or "" if it may (issue 8).

    A material's file is frozen once it has been relied on:
    - by the decision: once the application is decided (or closed at once, cancel and filing
      items), no file handed in before it is replaced, and a material owed after the decision
      (附件3 第四条) is handed in once, by its date, and frozen at once;
    - by the acceptance of the materials, which has no step of its own: the signed 承诺书 vouches
      for the materials handed in with it (附件3 第二条（二）), and the officer's 受理 accepts those of
      the ordinary procedure until a correction request (补正) opens them again.
    Before that (submitted, notice issued, correction) the applicant side may replace a file; each
    replacement is an event and the earlier file is kept.
    """
    if submission.status != MaterialStatus.SUBMITTED:
        return ""
    name = submission.material.name
    if submission.material.due == MaterialDue.AFTER_DECISION and application.status in DECIDED:
        return _("材料“%(name)s”已在许可决定后提交，提交后即不能更换。") % {"name": name}
    if application.decided_at is not None or application.status in DECIDED:
        return _("办件已作出决定，材料“%(name)s”不能再更换。") % {"name": name}
    if application.status == Status.COMMITTED:
        return _("材料“%(name)s”已随承诺书递交，不能再更换。") % {"name": name}
    if application.status == Status.ACCEPTED:
        return _("材料“%(name)s”已受理，不能再更换；审批部门要求补正时可以重新上传。") % {"name": name}
    return ""


def materials_to_hand_in(application, user) -> list:
    """Materials the applicant side may hand in on their own (not with the commitment form): those
    owed, and those handed in whose file may still be replaced (`replacing` set on the row)."""
    if application.status not in OPEN or not user.has_perm(PERMISSION_OF_SIDE[Side.APPLICANT], application):
        return []
    # An account that may not sign yet hands these in on their own meanwhile.
    with_commitment = transition_allowed(application, Action.COMMIT) and user.has_perm(SIGN_COMMITMENT, application)
    rows = []
    # Not those obtained by sharing: never asked of the applicant (issue 16).
    for s in application.materials.exclude(status__in=[MaterialStatus.OVERDUE, MaterialStatus.SHARED]
                                           ).select_related("material"):
        s.replacing = s.status == MaterialStatus.SUBMITTED
        if s.replacing:
            if not material_frozen_reason(application, s):
                rows.append(s)
            continue
        if with_commitment and s.material.due != MaterialDue.AFTER_DECISION:
            continue  # handed in with the 承诺书, in its form
        if s.material.due == MaterialDue.AFTER_DECISION and application.status != Status.APPROVED:
            continue  # offered once the decision gives it a date (附件3 第四条)
        rows.append(s)
    return rows
