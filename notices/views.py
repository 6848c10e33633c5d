"""The documents' pages: the PDF and the frozen HTML for those who may see the application,
and the public verification page."""
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from licensing import selectors as licensing_selectors
from notices import i18n, selectors, services
from portal import audit, progress
from portal.downloads import attachment
from portal.models import AuditAction


# The frozen HTML is served as it was issued, inline <style> included (a linked stylesheet could
# change later and with it the document). It may carry applicant text, so it runs with no
# script, no network, in a sandbox, and only inside our own document page.
FROZEN_HTML_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                   "frame-ancestors 'self'; sandbox")


def _document_for(request, verification_code):
    """The document, for users who may view its application; 404 otherwise, so that a code
    that exists and one that does not look the same to an outsider."""
    document = selectors.document_by_code(verification_code)
    if document is None or not request.user.has_perm("licensing.view_application", document.application):
        raise Http404(_("没有找到该文书。"))
    return document


def _attachment(filename: str) -> str:
    return attachment(filename, fallback="document")


def _audit(request, action, document, masked, **details):
    """Who read or took which document, and whether its identifiers were masked for them."""
    audit.record(request, action, document, "success", kind=document.kind, application=document.application.number,
                 masked=masked, **details)


@require_GET
@login_required
@never_cache
def document_pdf(request, verification_code):
    """The kept PDF the user may take (the original, or its masked copy). A web worker never renders
    one (issue 12: rendered before anyone asks): a PDF not kept yet is asked of a Celery worker again
    and the answer is a 202 page that says it is being prepared and re-requests this URL, which then
    downloads it. Only a PDF actually served is audited as a download."""
    document = _document_for(request, verification_code)
    masked = selectors.document_masked_for(request.user, document)
    if not services.document_pdf_ready(document, masked=masked):
        return _preparing(request, document)
    if progress.polled(request):  # issue 15: the preparing page's poll; the page then asks for the PDF itself
        return progress.ready(request)
    response = HttpResponse(services.document_pdf(document, masked=masked), content_type="application/pdf")
    _audit(request, AuditAction.DOCUMENT_DOWNLOAD, document, masked)
    version = "-" + _("第%(version)s版") % {"version": document.version} if document.version > 1 else ""
    name = f"{document.get_kind_display()}-{document.application.number}{version}.pdf"
    response["Content-Disposition"] = _attachment(name)
    return response


def _preparing(request, document):
    """202 and the "being prepared" page, whose meta refresh (and Retry-After) asks again."""
    services.documents_request_pdfs([document])
    refresh = settings.DOCUMENT_PREPARING_REFRESH_SECONDS
    if progress.polled(request):  # issue 15: the page polls with htmx; it already says all this
        return progress.still_running(refresh)
    response = render(request, "notices/preparing.html", {
        "title": _("文书 PDF 正在生成"), "what": i18n.document_title(document),
        "back_url": reverse("document-html", args=[document.verification_code]), "refresh_seconds": refresh,
    }, status=202)
    response["Retry-After"] = str(refresh)
    return response


@require_GET
@login_required
@never_cache
def document_html(request, verification_code):
    document = _document_for(request, verification_code)
    masked = selectors.document_masked_for(request.user, document)
    _audit(request, AuditAction.DOCUMENT_VIEW, document, masked, view="page")
    return render(request, "notices/document.html", {
        "document": document, "application": document.application, "masked": masked,
        "pdf_ready": services.document_pdf_ready(document, masked=masked)})


@require_GET
@login_required
@never_cache
@xframe_options_sameorigin
def document_content(request, verification_code):
    """The frozen HTML itself: byte for byte what its SHA-256 was taken of, for those who may see the
    applicant's identity; its masked copy, frozen beside it at issue, for everyone else."""
    document = _document_for(request, verification_code)
    masked = selectors.document_masked_for(request.user, document)
    response = HttpResponse(selectors.document_html(document, masked=masked), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = FROZEN_HTML_CSP
    _audit(request, AuditAction.DOCUMENT_VIEW, document, masked, view="content")
    return response


@require_GET
def verify(request):
    """Public: anyone holding a document checks it was issued here and is unchanged."""
    code = request.GET.get("code", "")
    verification = selectors.document_verify(code) if code.strip() else None
    return render(request, "notices/verify.html", {
        "code": selectors.normalise_code(code), "searched": bool(code.strip()), "verification": verification,
        "operating": _operating(code) if verification and verification.has_licence else None})


def _operating(code):
    """Whether the licence's holder may operate yet (钦政发〔2019〕20号: 达到经营许可条件并按要求提交材料后，
    方可开展经营): one rule with the public progress page (licensing.selectors.operating_status)."""
    return licensing_selectors.operating_status(selectors.document_by_code(code).application)
