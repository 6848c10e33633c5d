"""The verification page's second question (issue 12): is the seal of a PDF someone holds intact, whose
seal is it, and which document is it?

Public, like the verification by code: anyone holding a downloaded PDF uploads it and learns whether
its signature is intact and covers the whole file (notices.seal.check_pdf), which organisation of the
portal signed it and whether that was a demonstration seal, and, from the verification code the
signature names (or the one typed in), which document it is and whether the file is byte for byte the
PDF the portal keeps. Nothing is stored and nothing changes; the upload is read once and dropped.

Bad input (no file, an empty one, not a PDF, over notices.seal.MAX_CHECKED_PDF_BYTES, a PDF that cannot
be read) is a 400 with a Chinese message on the same page. Requests past the public lookups' rate
(portal/ratelimit.py, scope "verify", shared with the verification by code) are answered 429 before
they get here.
"""
import re
from dataclasses import dataclass

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from notices import seal as seals
from notices import selectors
from notices.models import Document
from portal.models import Organisation

MAX_MB = seals.MAX_CHECKED_PDF_BYTES // (1024 * 1024)
NO_FILE = _("请选择要核验的 PDF 文件。")
EMPTY = _("上传的文件是空的，请选择从本平台下载的文书 PDF 文件。")
TOO_BIG = _("文件超过 %(mb)sMB，不是本平台出具的文书 PDF（本平台文书的 PDF 远小于此）。")  # params: mb
NOT_A_PDF = _("上传的文件不是 PDF 文件，请选择从本平台下载的文书 PDF 文件。")
UNREADABLE = _("PDF 文件无法读取，可能已损坏或不完整，请重新下载后再核验。")
CODE_TOO_LONG = _("验证码为12位，请核对后重新输入。")
# The reason of every signature the portal makes names the document's code (notices.services.document_pdf).
CODE_IN_REASON = re.compile(r"验证码\s*([0-9A-Za-z]{12})")


class PdfCheckForm(forms.Form):
    pdf = forms.FileField(label=_("文书 PDF 文件"), error_messages={
        "required": NO_FILE, "missing": NO_FILE, "invalid": NO_FILE, "empty": EMPTY})
    code = forms.CharField(label=_("验证码（选填）"), required=False, max_length=40,
                           error_messages={"max_length": CODE_TOO_LONG})

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        # The size the upload handler counted, before anything is read into memory.
        if upload.size > seals.MAX_CHECKED_PDF_BYTES:
            raise forms.ValidationError(TOO_BIG, params={"mb": MAX_MB})
        data = b"".join(upload.chunks())
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError(NOT_A_PDF)
        return data

    def clean_code(self):
        return selectors.normalise_code(self.cleaned_data.get("code"))


@dataclass(frozen=True)
class PdfReport:
    """What the page says of an uploaded PDF."""

    check: seals.SignatureCheck
    document: Document | None = None
    code: str = ""                # the code the document was looked up by
    code_from_signature: bool = False
    typed_code: str = ""          # a code typed in that differs from the one the signature names
    same_as: str = ""             # "original" or "masked" when byte for byte a PDF the portal keeps

    @property
    def verdict(self) -> str:
        check = self.check
        if not check.signed:
            return "unsigned"
        if not (check.intact and check.covers_whole_file):
            return "modified"
        if not check.ours:
            return "stranger"
        return "good"


def _signers():
    """The organisations whose certificates may have signed one of our PDFs: those that issued documents."""
    issuers = Document.objects.exclude(organisation=None).values("organisation_id")
    return Organisation.objects.filter(pk__in=issuers).order_by("code")


def _same_as(document: Document, data: bytes) -> str:
    for name, field in (("original", document.pdf), ("masked", document.masked_pdf)):
        if not field:
            continue
        try:
            if field.size != len(data):
                continue
            with field.open("rb") as kept:
                if kept.read() == data:
                    return name
        except OSError:  # a kept file gone from storage is simply not the same file
            continue
    return ""


def report_of(data: bytes, typed_code: str = "") -> PdfReport:
    """The report on `data` (raises notices.seal.NotAPdf when it cannot be read)."""
    check = seals.check_pdf(data, _signers())
    match = CODE_IN_REASON.search(check.reason)
    signed_code = selectors.normalise_code(match[1]) if match else ""
    code = signed_code or typed_code
    document = selectors.document_by_code(code) if code else None
    return PdfReport(check=check, document=document, code=code, code_from_signature=bool(signed_code),
                     typed_code=typed_code if signed_code and typed_code and typed_code != signed_code else "",
                     same_as=_same_as(document, data) if document else "")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def verify_pdf(request):
    """Public: upload a downloaded PDF and learn whether its seal is intact and whose it is."""
    report = None
    if request.method == "POST":
        form = PdfCheckForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = report_of(form.cleaned_data["pdf"], form.cleaned_data["code"])
            except seals.NotAPdf:
                form.add_error("pdf", UNREADABLE)
    else:
        form = PdfCheckForm()
    return render(request, "notices/verify.html", {
        "code": "", "searched": False, "verification": None, "pdf_form": form, "pdf_report": report,
        "pdf_code": form.data.get("code", "")[:40] if form.is_bound else "", "max_pdf_mb": MAX_MB,
    }, status=400 if form.errors else 200)
