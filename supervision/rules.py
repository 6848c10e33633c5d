"""Who may read and sign for the regulator's inbox (registered from SupervisionConfig.ready()).

A record is for the organisation it was pushed to (谁主管、谁监管): its own regulators read and
acknowledge it; no one else, not even an admin, acts in another organisation's name. Whose inbox
a user reads is one selector (selectors.inbox_organisation_id), which the lists use too.
"""
import rules

from supervision.queue import queue_organisation_id
from supervision.selectors import inbox_organisation_id


@rules.predicate
def reads_an_inbox(user):
    return inbox_organisation_id(user) is not None


@rules.predicate
def of_own_organisation(user, record):
    return record is not None and record.organisation_id == inbox_organisation_id(user)


rules.add_perm("supervision.view_inbox", reads_an_inbox)
rules.add_perm("supervision.view_inbox_record", reads_an_inbox & of_own_organisation)
rules.add_perm("supervision.acknowledge_inbox_record", reads_an_inbox & of_own_organisation)


# issue 10: the 核查工作台 is for the regulators who work an inspection queue (supervision.queue);
# which inspection each one works is queue.inspection_for (another organisation's: 404).
@rules.predicate
def works_an_inspection_queue(user):
    return queue_organisation_id(user) is not None


rules.add_perm("supervision.use_regulator_desk", works_an_inspection_queue)
