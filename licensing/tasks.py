"""Celery jobs of licensing: thin wrappers around the services, safe to run twice.

The jobs select by state and date and each transition locks its row and checks the state
again, so a second run (a retry after acks_late redelivery, two beat instances, a manual run)
finds nothing left to do: one effect only. Each row is done in its own transaction: one that
fails is logged with its application number and left for the next run, and the others are done
(licensing/services/_jobs.py). Each job returns the numbers of the applications it acted on.

Every job here is a beat job, and runs one at a time however many beats send it (portal.singleton):
a run that finds another under way returns None and does nothing. Except registration_tell, queued once per
registration after the intake commits, which claims its row itself.
"""
from celery import shared_task

from licensing.reports.services import quarterly_reports_generate_due
from licensing.services import applications_lapse_overdue, applications_revoke_for_overdue_materials
from licensing.services.conditions import applications_remind_conditions, applications_revoke_for_unmet_conditions
from licensing.services.materials import material_files_remove_orphans
from licensing.services.records import records_route_pending
from licensing.services.registration_notify import (
    TellNotSent, registration_tell as registration_tell_service, registrations_tell_pending,
)
from portal.singleton import one_at_a_time


@shared_task
@one_at_a_time
def revoke_for_overdue_materials() -> list[str]:
    """Revoke decisions whose after-decision materials are overdue (附件3 第六条、第九条)."""
    return applications_revoke_for_overdue_materials()


@shared_task
@one_at_a_time
def lapse_overdue_commitments() -> list[str]:
    """Close applications whose commitment was not returned within 3 working days (附件3 第三条)."""
    return applications_lapse_overdue()


@shared_task
@one_at_a_time
def remove_orphan_material_files() -> list[str]:
    """Delete material files no row names, past a grace period (what a rolled-back upload left)."""
    return material_files_remove_orphans()


@shared_task
@one_at_a_time
def route_pending_records() -> list[str]:
    """Send on the approval records that waited for a regulator, once a route names one (issue 9)."""
    return records_route_pending()


@shared_task
@one_at_a_time
def revoke_for_unmet_conditions() -> list[str]:
    """Revoke licences whose holder let the date to meet the conditions pass undeclared (钦政发〔2019〕20号;
    as for late materials, 附件3 第六、九条)."""
    return applications_revoke_for_unmet_conditions()


@shared_task
@one_at_a_time
def remind_conditions() -> list[str]:
    """Mail holders whose date to meet the conditions is near, once each (钦政发〔2019〕20号)."""
    return applications_remind_conditions()


@shared_task
@one_at_a_time
def generate_quarterly_reports() -> list[str]:
    """Make the quarter just ended's report of every department that has none yet (钦政发〔2019〕20号: due
    by the 5th of the quarter's first month, the lead unit's by the 10th); runs on the 1st to the 4th."""
    return quarterly_reports_generate_due()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(TellNotSent,), retry_backoff=300, max_retries=6)
def registration_tell(registration_id: int) -> bool:
    """双告知 (issue 16): mail the enterprise which items its registration needs, once (told_at claims it); a
    mail server that refused is tried again later, backing off from 5 minutes."""
    return registration_tell_service(registration_id=registration_id)


@shared_task
@one_at_a_time
def tell_pending_registrations() -> list[int]:
    """Beat (every 30 minutes): queue again the mail of recent registrations still untold (issue 16)."""
    return registrations_tell_pending()
