"""Uploads are judged by their content, not their name: PDF, JPEG or PNG, at most 10 MB."""
from portal.exceptions import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
SIGNATURES = [(b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]


def check_upload(upload) -> str:
    """The content type of an acceptable upload, or InvalidInput saying why not."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"文件“{upload.name}”超过10MB，请压缩后再上传。", field="files")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise InvalidInput(f"文件“{upload.name}”不是PDF、JPG或PNG文件，请上传扫描件或照片。", field="files")
