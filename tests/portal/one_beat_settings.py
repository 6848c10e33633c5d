"""Settings of the Celery processes tests/portal/test_one_beat.py starts: the test settings, with a
beat that sends one job, the overdue-materials revocation, every second instead of hourly.

The database, broker and cache come from the environment the test gives the processes."""
import datetime as dt

from portal.settings.test import *  # noqa: F401,F403

CELERY_BEAT_SCHEDULE = {
    "one-beat-test": {"task": "licensing.tasks.revoke_for_overdue_materials", "schedule": dt.timedelta(seconds=1)},
}
