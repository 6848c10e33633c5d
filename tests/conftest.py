"""Personas shared by every test: who is acting, for whom, from which organisation.

Transactional tests (django_db(transaction=True)) must pass serialized_rollback=True: the
catalogue and the calendar are data migrations, and a flush would take them from later tests.
"""
import io
import os
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from licensing.constants import ApplicantKind
from portal.constants import OrgKind, Role
from portal.security import needs_second_factor
from tests import clock
from tests.factories import ApplicantFactory, OrganisationFactory, UserFactory, ready_commitment_item


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite the test database is a file of this run, not memory: a real worker process
    (tests/notices/test_outbox_faults.py) must see the rows the tests commit. PostgreSQL's is
    already a database other processes can open."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    in_memory = os.environ.get("PORTAL_TEST_SQLITE_MEMORY") == "1"  # opt-out: those tests then skip
    if database["ENGINE"] == "django.db.backends.sqlite3" and not in_memory:
        name = Path(tempfile.gettempdir()) / f"portal-test-{os.getpid()}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(name)


@pytest.fixture(scope="session", autouse=True)
def _demo_seals(django_db_setup, django_db_blocker, tmp_path_factory):
    """The organisations the migrations load get a demonstration seal each, as `scripts/run` gives
    them (manage.py seal_demo_certs); those the factories make get theirs as they are made. In a
    directory of this run's own: factory codes repeat from run to run, and an organisation made
    without a seal must not find one a previous run left."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DOCUMENT_SEAL_DIR = tmp_path_factory.mktemp("seals")
    with django_db_blocker.unblock():
        call_command("seal_demo_certs", verbosity=0, stdout=io.StringIO())


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no rate-limit counters (portal/ratelimit.py counts in the cache), and with
    no current version of the stored calendar, so that it reads the calendar afresh (portal.calendar)."""
    from django.core.cache import cache
    cache.clear()


@pytest.fixture
def at():
    """Travel to a Qinzhou wall-clock time, standing still there: `with at(2024, 10, 14, 9): ...`."""
    return clock.at


@pytest.fixture
def applicant_user(db):
    return UserFactory(role=Role.APPLICANT, full_name="张三")


@pytest.fixture
def colleague(db):
    return UserFactory(role=Role.APPLICANT, full_name="李四")


@pytest.fixture
def outsider(db):
    return UserFactory(role=Role.APPLICANT, full_name="王五")


@pytest.fixture
def enterprise(applicant_user, colleague):
    return ApplicantFactory(kind=ApplicantKind.ENTERPRISE, name="钦州市好客旅馆有限公司",
                            members=[applicant_user, colleague])


@pytest.fixture
def commitment_item(db):
    return ready_commitment_item()


@pytest.fixture
def officer(commitment_item):
    """An approval officer of item 13's implementing authority."""
    org = commitment_item.authorities.first().organisation
    return UserFactory(role=Role.OFFICER, organisation=org, full_name="审批员")


@pytest.fixture
def other_officer(db):
    return UserFactory(role=Role.OFFICER, organisation=OrganisationFactory(name="其他审批部门"))


@pytest.fixture
def clerk(db):
    return UserFactory(role=Role.CLERK, organisation=OrganisationFactory(kind=OrgKind.SERVICE_HALL, name="政务服务中心"))


@pytest.fixture
def regulator(commitment_item):
    return UserFactory(role=Role.REGULATOR, organisation=commitment_item.regulator_routes.get().regulator)


@pytest.fixture
def other_regulator(db):
    return UserFactory(role=Role.REGULATOR, organisation=OrganisationFactory(kind=OrgKind.REGULATOR))


@pytest.fixture
def admin_user(db):
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)


def pdf_upload(name="材料.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n% test material\n", content_type="application/pdf")


@pytest.fixture
def a_pdf():
    return pdf_upload


@pytest.fixture
def not_a_pdf():
    return SimpleUploadedFile("伪装.pdf", io.BytesIO(b"MZ\x90\x00 not really a pdf").read(), content_type="application/pdf")


@pytest.fixture
def login(client):
    """Sign a persona in the way the portal requires for its role; returns the test client.

    Staff must also pass a second factor (issue 4): this fixture is the one place tests do that.
    """
    def sign_in(user):
        client.force_login(user)
        if needs_second_factor(user):
            pass_second_factor(client, user)
        return client
    return sign_in


def pass_second_factor(client, user):
    """Mark the client's session as having passed the second factor, as otp_verify does."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="测试备用码", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def eager():
    """Queued jobs run in-process, as a worker would run them. Set on Celery's own configuration: a value
    set there once (tests/notices/test_after_commit.py) hides later changes of the Django setting."""
    from portal.celery import app as celery_app

    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture
def queue(tmp_path):
    """The Celery messages this test sends, in a filesystem broker of its own (tests/broker.py)."""
    from portal.celery import app as celery_app
    from tests.broker import Queue, point_celery_at

    before = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options, celery_app.conf.task_always_eager)
    celery_app.conf.task_always_eager = False  # messages go to the broker, nothing renders in-process
    broker = Queue(tmp_path / "broker")
    broker.point_here()
    yield broker
    point_celery_at(*before[:2])
    celery_app.conf.broker_write_url = None
    celery_app.conf.task_always_eager = before[2]
