"""The audit table at the database (PostgreSQL): nobody empties it with TRUNCATE, and the role the
application connects as in docker-compose reads and writes rows but cannot empty, drop or alter
a table (portal/sql/app_role.sql, applied by `manage.py grant_app_role`)."""
import secrets

import psycopg2
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models.sql import InsertQuery

from portal import audit
from portal.models import AuditAction, AuditEvent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="TRUNCATE, triggers on it and roles are PostgreSQL's")


def truncate(sql):
    # The test runner's connections may truncate (portal/settings/test.py); any other may not.
    with pytest.raises(DatabaseError, match="审计记录不可清空"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portal.allow_truncate = off")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts: no pending FK checks
        cursor.execute(sql)


@pytest.mark.django_db
def test_truncate_of_the_audit_table_is_refused_and_the_rows_stay():
    row = audit.write(AuditAction.LOGIN, object_repr="某人")
    truncate("TRUNCATE portal_auditevent")
    truncate("TRUNCATE portal_auditevent RESTART IDENTITY CASCADE")
    truncate("TRUNCATE portal_user CASCADE")  # cascades to the audit rows that name a user
    assert AuditEvent.objects.filter(pk=row.pk).exists()


# --- the application's role ----------------------------------------------------------------------
@pytest.fixture
def app_role(monkeypatch):
    role, password = f"portal_app_test_{secrets.token_hex(4)}", secrets.token_urlsafe(18)
    monkeypatch.setenv("PORTAL_APP_USER", role)
    monkeypatch.setenv("PORTAL_APP_PASSWORD", password)
    call_command("grant_app_role")
    call_command("grant_app_role")  # again, as every `docker compose up` does: one role, same rights
    settings = connection.settings_dict
    app = psycopg2.connect(dbname=settings["NAME"], host=settings["HOST"] or None, port=settings["PORT"] or None,
                           user=role, password=password)
    app.autocommit = True
    try:
        yield app
    finally:
        app.close()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')


def insert_sql(event):
    """The INSERT Django itself would send for this row."""
    query = InsertQuery(AuditEvent)
    query.insert_values([f for f in AuditEvent._meta.concrete_fields if not f.primary_key], [event])
    return query.get_compiler(connection=connection).as_sql()[0]


def refused(app, sql):
    with app.cursor() as cursor, pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cursor.execute(sql)
    return True


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_application_role_writes_audit_rows_but_cannot_empty_drop_or_alter_the_table(app_role):
    with app_role.cursor() as cursor:
        cursor.execute(*insert_sql(AuditEvent(action=AuditAction.LOGIN, object_repr="应用角色写入")))
        cursor.execute("UPDATE licensing_item SET remark = remark WHERE code = 'QZ-013'")  # ordinary rows: yes
    assert AuditEvent.objects.filter(object_repr="应用角色写入").exists()

    assert refused(app_role, "TRUNCATE portal_auditevent")
    assert refused(app_role, "DROP TABLE portal_auditevent")
    assert refused(app_role, "ALTER TABLE portal_auditevent DISABLE TRIGGER ALL")
    assert refused(app_role, "ALTER TABLE portal_auditevent ADD COLUMN note text")
    assert refused(app_role, "DELETE FROM portal_auditevent")  # the trigger, as for everyone
    assert refused(app_role, "TRUNCATE licensing_item CASCADE")  # no table is emptied at all
    assert refused(app_role, "CREATE TABLE portal_scratch (id int)")
    assert AuditEvent.objects.filter(object_repr="应用角色写入").exists()
