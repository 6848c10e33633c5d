"""Downloads: how a file is named in the response, whatever the user's browser."""
import re
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def attachment(filename: str, *, fallback: str = "download", disposition: str = "attachment") -> str:
    """A Content-Disposition header value for `filename` (RFC 6266 / RFC 5987): an ASCII fallback
    for old clients (only letters, digits, dot, dash and underscore, so no quote or control
    character reaches the header), the UTF-8 name for the others."""
    ascii_name = _UNSAFE_ASCII.sub("-", filename.encode("ascii", "ignore").decode()).strip("-.")
    stem, dot, ext = filename.rpartition(".")
    if not ascii_name or ascii_name.lower() == _UNSAFE_ASCII.sub("", ext).lower():
        # nothing but the extension survived (a Chinese name): the fallback word with that extension
        ascii_name = f"{fallback}.{_UNSAFE_ASCII.sub('', ext)}" if dot and ext.isascii() and ext else fallback
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def inline(filename: str, *, fallback: str = "download") -> str:
    """The same header for a file the browser shows itself (a PDF to print), named as attachment() names it."""
    return attachment(filename, fallback=fallback, disposition="inline")


def uploaded_file_response(stored, *, kind_label: str, fallback: str):
    """An uploaded file's row (`file`, `content_type` as its content showed on upload, `original_name`) served
    as an attachment under a name of our own making, never cached; None when the row outlived its file (a
    restore without the media volume), for the view to answer 404."""
    from django.http import FileResponse

    from portal.uploads import download_name

    try:
        handle = stored.file.open("rb")
    except OSError:
        return None
    name = stored.original_name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    response = FileResponse(handle, content_type=stored.content_type)
    response["Content-Disposition"] = attachment(download_name(stem or kind_label, stored.content_type),
                                                 fallback=fallback)
    response["Cache-Control"] = "private, no-store"
    return response
