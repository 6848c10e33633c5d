"""Who may watch the outbox's 3-working-day SLA (registered from NoticesConfig.ready()).

Admins watch every record; an approval officer watches its own organisation's (谁审批谁负责).
Which records each one sees is one selector (selectors_outbox.outbox_records_visible_to).
"""
import rules

from notices.selectors_outbox import may_watch_sla
from portal.permissions import is_admin


@rules.predicate
def watches_sla(user):
    return may_watch_sla(user)


rules.add_perm("notices.view_outbox_sla", watches_sla)

# Issue 16: the 归集 to the credit publicity systems (its SLA and daily files) is the platform's, watched by
# admins only: no approving authority answers for another's records there.
rules.add_perm("notices.view_publicity", is_admin)
