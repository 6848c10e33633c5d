"""Admins see everything but act for no one: the portal's rules bind superusers too."""
import pytest

from licensing.services import application_submit


@pytest.mark.django_db
def test_an_admin_may_view_an_application_but_not_decide_or_sign_it(admin_user, enterprise, commitment_item,
                                                                    applicant_user):
    application = application_submit(item=commitment_item, applicant=enterprise, actor=applicant_user)
    assert admin_user.is_superuser
    assert admin_user.has_perm("licensing.view_application", application)
    assert not admin_user.has_perm("licensing.act_as_officer", application)
    assert not admin_user.has_perm("licensing.act_as_applicant", application)


@pytest.mark.django_db
def test_django_model_permissions_still_let_the_admin_keep_the_catalogue(admin_user):
    assert admin_user.has_perm("licensing.change_item")
