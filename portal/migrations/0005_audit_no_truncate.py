from django.db import migrations

# The audit table survives TRUNCATE too (等保 2.0 三级: 审计记录应受到保护, 避免非预期的删除).
# Row triggers (0003) do not fire on TRUNCATE; a statement-level trigger does, whoever asks,
# including a TRUNCATE of another table that cascades here. In docker-compose the application's
# role has no TRUNCATE privilege at all (portal/sql/app_role.sql); this guards the owner's own
# sessions (a `manage.py flush` on the wrong database) and deployments without a separate role.
#
# The one exception is a session that has set portal.allow_truncate = on: the test runner's
# flush empties every table between transactional tests, and its connections set it
# (portal/settings/test.py). It gives nothing away: a session able to TRUNCATE the table owns
# it (or is superuser), and could as well drop the trigger.
# SQLite has no TRUNCATE.
FORWARD = [
    """CREATE OR REPLACE FUNCTION portal_auditevent_no_truncate() RETURNS trigger AS $$
    BEGIN
        IF current_setting('portal.allow_truncate', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '审计记录不可清空 (portal_auditevent is append-only)'
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER portal_auditevent_no_truncate BEFORE TRUNCATE ON portal_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION portal_auditevent_no_truncate()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS portal_auditevent_no_truncate ON portal_auditevent",
    "DROP FUNCTION IF EXISTS portal_auditevent_no_truncate()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0004_audit_actions"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
