"""What a user may do next with an application: the buttons a page draws and the API's
`allowed_actions`. Derived from the one transition table (licensing.constants.TRANSITIONS: the
route and the state) and the permission rules (who takes which side), never written again.
"""
from licensing.constants import OPEN, TRANSITIONS, Action, MaterialDue, MaterialStatus, Side, Status

PERMISSION_OF_SIDE = {Side.APPLICANT: "licensing.act_as_applicant", Side.OFFICER: "licensing.act_as_officer"}


def transition_allowed(application, action) -> bool:
    """The application's route and state allow `action` (whoever asks)."""
    transition = TRANSITIONS[action]
    return application.status in transition.sources and transition.route in (None, application.route)


def application_allowed_actions(application, user) -> list[str]:
    """The steps `user` may take now, in the order of the table; beat-job steps are nobody's to take."""
    sides = {side for side, perm in PERMISSION_OF_SIDE.items() if user.has_perm(perm, application)}
    return [str(action) for action, transition in TRANSITIONS.items()
            if transition.side in sides and transition_allowed(application, action)]


def materials_to_hand_in(application, user) -> list:
    """Owed materials the applicant side may hand in on their own (not with the commitment form)."""
    if application.status not in OPEN or not user.has_perm(PERMISSION_OF_SIDE[Side.APPLICANT], application):
        return []
    with_commitment = transition_allowed(application, Action.COMMIT)
    rows = []
    for s in application.materials.filter(status=MaterialStatus.OWED).select_related("material"):
        if with_commitment and s.material.due != MaterialDue.AFTER_DECISION:
            continue  # handed in with the 承诺书, in its form
        if s.material.due == MaterialDue.AFTER_DECISION and application.status != Status.APPROVED:
            continue  # offered once the decision gives it a date (附件3 第四条)
        rows.append(s)
    return rows
