"""Issue 13: five single-column indexes that composite indexes already lead with, dropped.

Application's applicant, authority and regulator are found through application_applicant_idx,
application_authority_idx and application_regulator_idx, its status through (status, decision_due), and a
material row's application through uniq_application_material. Each index dropped is one less to keep up on
every write of the busiest tables, and one less for the planner to weigh on every read.

AlterField alone would drop and re-add each foreign key, re-checking every row under a lock that stops
writers (seconds at a million applications). The state changes as AlterField says; the database only loses
the indexes, CONCURRENTLY on PostgreSQL (so `atomic = False`), and gets them back the same way on reversal.
"""
import django.db.models.deletion
from django.db import migrations, models

# (table, index, column, operator class): Django's own names for them, the same on every backend.
INDEXES = [
    ("licensing_application", "licensing_application_applicant_id_6731778d", "applicant_id", ""),
    ("licensing_application", "licensing_application_authority_id_f44155a1", "authority_id", ""),
    ("licensing_application", "licensing_application_regulator_id_a1d713bb", "regulator_id", ""),
    ("licensing_application", "licensing_application_status_23e7d06c", "status", ""),
    ("licensing_application", "licensing_application_status_23e7d06c_like", "status", "varchar_pattern_ops"),
    ("licensing_materialsubmission", "licensing_materialsubmission_application_id_9e527022", "application_id", ""),
]


def _online(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def drop(apps, schema_editor):
    for _, index, _, _ in INDEXES:
        schema_editor.execute(f'DROP INDEX{_online(schema_editor)} IF EXISTS "{index}"')


def create(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table, index, column, opclass in INDEXES:
        if opclass and not postgresql:
            continue  # the LIKE index exists on PostgreSQL only
        schema_editor.execute(f'CREATE INDEX{_online(schema_editor)} IF NOT EXISTS "{index}" '
                              f'ON "{table}" ("{column}"{" " + opclass if opclass else ""})')


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('licensing', '0016_registrations_and_shared_materials'),
        ('portal', '0011_external_identity'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, create)],
            state_operations=[
                migrations.AlterField(
                    model_name='application',
                    name='applicant',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='applications', to='licensing.applicant', verbose_name='申请人'),
                ),
                migrations.AlterField(
                    model_name='application',
                    name='authority',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='以其名义作出决定的机关', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applications_decided', to='portal.organisation', verbose_name='审批机关'),
                ),
                migrations.AlterField(
                    model_name='application',
                    name='regulator',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='regulated_applications', to='portal.organisation', verbose_name='行业主管部门'),
                ),
                migrations.AlterField(
                    model_name='application',
                    name='status',
                    field=models.CharField(choices=[('submitted', '已提交'), ('notice_issued', '已告知，待承诺'), ('committed', '已承诺，待决定'), ('accepted', '已受理，审查中'), ('correction', '待补正'), ('approved', '准予许可'), ('rejected', '不予许可'), ('filed', '已备案'), ('recorded', '已登记（取消审批）'), ('lapsed', '逾期未承诺，已终止'), ('revoked', '许可已撤销'), ('withdrawn', '已撤回'), ('filing_correction', '备案信息不实，待改正')], default='submitted', max_length=24, verbose_name='状态'),
                ),
                migrations.AlterField(
                    model_name='materialsubmission',
                    name='application',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='materials', to='licensing.application'),
                ),
            ],
        ),
    ]
