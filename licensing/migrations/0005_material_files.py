"""Every file ever handed in for a material becomes a MaterialFile row (issue 8): the files handed in
so far move there as the current ones, with their size and SHA-256 where the file is on disk."""
import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def files_to_rows(apps, schema_editor):
    MaterialSubmission = apps.get_model("licensing", "MaterialSubmission")
    MaterialFile = apps.get_model("licensing", "MaterialFile")
    for submission in MaterialSubmission.objects.exclude(file="").exclude(file__isnull=True).iterator():
        size, digest = _measure(submission.file)
        name = (submission.original_name or "").replace("\\", "/").rsplit("/", 1)[-1]
        MaterialFile.objects.create(
            submission=submission, file=submission.file.name,
            content_type=submission.content_type or "application/octet-stream",
            display_name="".join(c for c in name if c.isprintable())[:100], size=size, sha256=digest,
            uploaded_at=submission.submitted_at, uploaded_by_id=submission.submitted_by_id)


def _measure(field_file):
    try:
        digest = hashlib.sha256()
        size = 0
        with field_file.storage.open(field_file.name, "rb") as handle:
            for chunk in iter(lambda: handle.read(65536), b""):
                digest.update(chunk)
                size += len(chunk)
        return size, digest.hexdigest()
    except OSError:  # a row whose file is gone: keep the row, unmeasured
        return 0, ""


def rows_to_files(apps, schema_editor):
    MaterialFile = apps.get_model("licensing", "MaterialFile")
    for stored in MaterialFile.objects.filter(replaced_at__isnull=True).select_related("submission"):
        submission = stored.submission
        submission.file = stored.file.name
        submission.original_name = stored.display_name
        submission.content_type = stored.content_type
        submission.save(update_fields=["file", "original_name", "content_type"])


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('licensing', '0004_event_actions'),
    ]

    operations = [
        migrations.CreateModel(
            name='MaterialFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=200, upload_to='', verbose_name='文件')),
                ('content_type', models.CharField(max_length=64, verbose_name='文件类型')),
                ('display_name', models.CharField(blank=True, max_length=100, verbose_name='上传时的文件名')),
                ('size', models.PositiveBigIntegerField(default=0, verbose_name='大小（字节）')),
                ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                ('uploaded_at', models.DateTimeField(verbose_name='上传时间')),
                ('replaced_at', models.DateTimeField(blank=True, null=True, verbose_name='被更换时间')),
                ('submission', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='licensing.materialsubmission', verbose_name='办件材料')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='上传人')),
            ],
            options={
                'verbose_name': '材料文件',
                'verbose_name_plural': '材料文件',
                'ordering': ['submission', 'uploaded_at', 'id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('replaced_at__isnull', True)), fields=('submission',), name='one_current_file_per_material')],
            },
        ),
        migrations.RunPython(files_to_rows, rows_to_files),
        migrations.RemoveField(
            model_name='materialsubmission',
            name='content_type',
        ),
        migrations.RemoveField(
            model_name='materialsubmission',
            name='file',
        ),
        migrations.RemoveField(
            model_name='materialsubmission',
            name='original_name',
        ),
    ]
