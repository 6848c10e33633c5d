"""Uploads are judged by their content, not their name: PDF, JPEG or PNG, at most 10 MB.

The uploader's file name is never used on disk or in a download: a file is stored under a random
name with the extension of the type its content shows (a `.bat`, `.html` or `.exe` that starts
with `%PDF-` is stored and served as a PDF), and the original name is kept only as cleaned
display text.

A file written inside a transaction that rolls back would stay on disk with no row naming it.
`removed_on_error` deletes the files written under it when an exception leaves it (the service's
own error path); whatever escapes that (a crash, a rollback without an exception further out) is
removed by the orphan job (licensing.services.materials.material_files_remove_orphans).

Shared by every app that takes files: licensing's materials, supervision's inspection files.
"""
import contextvars
import secrets
import unicodedata
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNATURES = [(b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
STORED_UNDER = "materials"
DISPLAY_NAME_LENGTH = 100


def check_upload(upload) -> str:
    """The content type of an acceptable upload, or InvalidInput saying why not."""
    name = display_name(getattr(upload, "name", "")) or _("上传的文件")
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("文件“%(name)s”超过10MB，请压缩后再上传。") % {"name": name}, field="files")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise InvalidInput(_("文件“%(name)s”不是PDF、JPG或PNG文件，请上传扫描件或照片。") % {"name": name}, field="files")


def display_name(name) -> str:
    """The uploader's file name as text to show: no path, no control or format characters
    (a right-to-left override could disguise an extension), spaces collapsed, at most 100 characters."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(c).startswith("Z") else c for c in name
                   if not unicodedata.category(c).startswith("C"))
    return " ".join(name.split())[:DISPLAY_NAME_LENGTH]


def download_name(label: str, content_type: str) -> str:
    """`<label>.<ext>`: what a download is called, from our own label and the detected type."""
    label = display_name(label).strip(". ") or _("材料")
    return f"{label}.{EXTENSIONS.get(content_type, 'bin')}"


# --- storing, and removing what a rolled-back transaction leaves -----------------------------

_written = contextvars.ContextVar("uploads_written", default=None)


def store(upload, content_type: str, *, under: str = STORED_UNDER) -> str:
    """Write the upload under a random name with the detected type's extension, in the folder
    `under` (materials; inspection files); returns the stored name."""
    now = timezone.localtime()
    name = f"{under}/{now:%Y/%m}/{secrets.token_hex(16)}.{EXTENSIONS[content_type]}"
    upload.seek(0)
    stored = default_storage.save(name, upload)
    written = _written.get()
    if written is not None:
        written.append(stored)
    return stored


@contextmanager
def removed_on_error():
    """Files stored inside are deleted if an exception leaves the block (its transaction rolls back).

    Use it inside the service's `transaction.atomic`, as a decorator below it: an exception that
    leaves the block leaves the atomic block too, so the rows naming the files are gone. Nested
    blocks hand their files to the enclosing one on success, so a later step of the outer service
    that fails removes them as well.
    """
    outer = _written.get()
    written = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    finally:
        _written.reset(token)
    if outer is not None:
        outer.extend(written)
