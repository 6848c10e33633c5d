"""Materials handed in and their files: what the application page lists and what a download serves."""
from django.db.models import Prefetch

from licensing.models import MaterialFile


def application_materials(application):
    """The application's materials, each with every file ever handed in (`current_file`, `earlier_files`)."""
    return application.materials.select_related("material").prefetch_related(
        Prefetch("files", MaterialFile.objects.order_by("uploaded_at", "id")))


def material_file(application, material_id, file_id=None):
    """The file the officer reads for a handed-in material (the current one), or with `file_id` one of
    its files, current or earlier; None when there is none (the caller answers 404)."""
    files = MaterialFile.objects.select_related("submission__material").filter(
        submission__application=application, submission__material_id=material_id)
    if file_id is None:
        return files.filter(replaced_at__isnull=True).first()
    return files.filter(pk=file_id).first()
