import importlib

import pytest
from django.apps import apps

from portal.models import CalendarYear


@pytest.fixture
def seeded_calendar(db):
    """The rows migration 0002 seeds (a transactional test elsewhere may have flushed them)."""
    if not CalendarYear.objects.exists():
        importlib.import_module("portal.migrations.0002_seed_calendar").seed(apps, None)
