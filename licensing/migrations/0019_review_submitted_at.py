"""Each first-review stage keeps its application's submission time, so that an examining organisation's
list of applications walks an index of its own newest first (issue 13: licensing.selectors.applications_listed)."""
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_submitted_at(apps, schema_editor):
    Application = apps.get_model("licensing", "Application")
    ApplicationReview = apps.get_model("licensing", "ApplicationReview")
    ApplicationReview.objects.update(submitted_at=Subquery(
        Application.objects.filter(pk=OuterRef("application_id")).values("submitted_at")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("licensing", "0018_order_children_by_parent_column"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicationreview", name="submitted_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="申请时间")),
        migrations.RunPython(copy_submitted_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="applicationreview", name="submitted_at",
            field=models.DateTimeField(editable=False, verbose_name="申请时间")),
        migrations.AddIndex(
            model_name="applicationreview",
            index=models.Index(fields=["organisation", "-submitted_at", "-application"], name="review_list_idx")),
    ]
