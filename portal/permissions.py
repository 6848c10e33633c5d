"""Roles, as `rules` predicates: the base every app's permission rules are built from.

Each app registers its own permissions (`<app>.<verb>_<object>`) in its `rules.py`, from its
AppConfig.ready(), and views, the API and admin check them with user.has_perm(name, obj), which
binds superusers too (portal.models.User.has_perm).
"""
import rules

from portal.constants import Role


def _role(role):
    @rules.predicate(name=f"has_role_{role}")
    def check(user):
        return user.is_authenticated and user.is_active and user.role == role
    return check


is_applicant_user = _role(Role.APPLICANT)
is_clerk = _role(Role.CLERK)
is_officer = _role(Role.OFFICER)
is_regulator = _role(Role.REGULATOR)
is_admin = _role(Role.ADMIN)
is_staff_role = is_clerk | is_officer | is_regulator | is_admin
