"""Printing at the window (issue 12): the 告知书 and the 告知承诺书 in two copies each, in one file.

附件3 第二条: the notice and the commitment are made out in two copies, one kept by the applicant and
one by the authority. The clerk prints both from the desk in one action, for the applicant to sign
and keep. The file is put together from the PDFs already kept (notices.services.document_pdf):
nothing is rendered while the clerk waits; a PDF not kept yet is enqueued (prepare_missing) and the
page says it is being prepared.

Order, for a duplex printer: notice copy 1, notice copy 2, commitment copy 1, commitment copy 2; a
copy with an odd number of pages is followed by a blank page, so that every copy starts on a fresh
sheet and the two sides separate cleanly. Each page of copy 1 is labelled "第一联 申请人留存" at its
top right, each page of copy 2 "第二联 审批机关留存".

The printed file carries no signature: copying a page into a new file leaves the PDF signature
(PAdES, notices/seal.py) behind, since it covers the bytes of the original file only. The seal's
picture is kept on the page, drawn into its content (a paper copy shows what the original shows),
and paper is checked with what each document prints in its verification block: the QR code and
the verification code, which lead to the public verification page and the frozen text.
"""
import io

from django.utils.translation import override

from notices import selectors, services
from notices.constants import DOCUMENT_LANGUAGE, DocumentKind
from notices.models import Document


# What the window prints, in this order (附件3 第二条: 告知书与告知承诺书一式两份).
PRINTED_KINDS = (DocumentKind.NOTICE, DocumentKind.COMMITMENT)
COPY_LABELS = ("第一联 申请人留存", "第二联 审批机关留存")
LABEL_MARGIN_MM = (20, 9)  # from the page's right edge (the documents' side margin) and its top edge
MM = 72 / 25.4


class PdfNotReady(Exception):
    """A PDF the bundle needs is not kept yet: the caller enqueues it and says it is being prepared."""

    def __init__(self, documents):
        super().__init__(", ".join(d.number for d in documents))
        self.documents = documents


def documents_to_print(application) -> list[Document]:
    """The newest version of the application's notice and, once the applicant has signed, of its
    commitment, in print order; empty while no notice is issued."""
    found = {}
    for document in selectors.documents_for_application(application).filter(kind__in=PRINTED_KINDS):
        if document.kind not in found or document.version > found[document.kind].version:
            found[document.kind] = document
    if DocumentKind.NOTICE not in found:
        return []
    return [found[kind] for kind in PRINTED_KINDS if kind in found]


def missing_pdfs(documents, *, user) -> list[Document]:
    """The documents whose PDF for `user` (masked or not: selectors.document_masked_for, as the
    download decides) is not kept yet."""
    return [d for d in documents
            if not services.document_pdf_ready(d, masked=selectors.document_masked_for(user, d))]


def prepare_missing(documents) -> None:
    """Ask a worker for these documents' PDFs: the same rule as the download (notices.services)."""
    services.documents_request_pdfs(documents)


def print_bundle(documents, *, user) -> bytes:
    """One PDF of every document in `documents` (documents_to_print), each in two labelled copies, from
    the PDFs kept for `user`. Raises PdfNotReady, rendering nothing, when any of them is not kept yet."""
    from pypdf import PdfReader, PdfWriter

    missing = missing_pdfs(documents, user=user)
    if missing:
        raise PdfNotReady(missing)
    labels = [PdfReader(io.BytesIO(_label(text))).pages[0] for text in COPY_LABELS]
    writer = PdfWriter()
    for document in documents:
        # Read from the kept file only: document_pdf renders nothing once the PDF is kept (checked above).
        data = services.document_pdf(document, masked=selectors.document_masked_for(user, document))
        for label in labels:
            # A reader per copy: pages added twice from one reader share their content streams, and the
            # second label would be drawn on the first copy too. compress_identical_objects below
            # merges what the copies have in common again.
            _add_copy(writer, PdfReader(io.BytesIO(data)), label)
    with override(DOCUMENT_LANGUAGE):  # the printed file is the documents themselves, in Chinese (issue 15)
        title = " ".join(f"{d.get_kind_display()} {d.number}" for d in documents) + "（一式两份）"
    writer.add_metadata({"/Title": title, "/Producer": "钦州市“证照分离”改革政务服务平台"})
    writer.compress_identical_objects()  # the two copies share fonts and pictures; drop the orphans left
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _label(text: str) -> bytes:
    from notices.pdf import copy_label_pdf

    return copy_label_pdf(text)


def _add_copy(writer, source, label) -> None:
    for original in source.pages:
        # The annotations stay behind: the seal's widget and its signature value (see the module
        # docstring); the widget's picture is drawn into the page instead.
        page = writer.add_page(original, excluded_keys=("/Annots",))
        for appearance, placement in _widget_appearances(original):
            page.merge_transformed_page(appearance, placement)
        page.merge_transformed_page(label, _label_placement(page, label))
    if len(source.pages) % 2:
        last = source.pages[-1]
        writer.add_blank_page(width=float(last.mediabox.width), height=float(last.mediabox.height))


def _label_placement(page, label):
    """The label's page put at the page's top right, inside the margin above the document header."""
    from pypdf import Transformation

    right, top = (value * MM for value in LABEL_MARGIN_MM)
    box = page.mediabox
    x = float(box.right) - right - float(label.mediabox.width)
    y = float(box.top) - top - float(label.mediabox.height)
    return Transformation().translate(x, y)


def _widget_appearances(page):
    """Each widget annotation's normal appearance (the seal's stamp) as a one-object page, with the
    transformation that puts it on its /Rect (PDF 32000-1:2008 12.5.5: the form's bounding box, after
    its /Matrix, is fitted to the annotation's rectangle)."""
    from pypdf import PageObject, Transformation
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    annotations = page["/Annots"] if "/Annots" in page else []  # [] resolves an indirect array
    for ref in annotations:
        annotation = ref.get_object()
        if annotation.get("/Subtype") != "/Widget" or "/AP" not in annotation:
            continue
        if "/F" in annotation and int(annotation["/F"]) & 2:  # the annotation's Hidden flag
            continue
        appearance = annotation["/AP"]
        normal = appearance.raw_get("/N") if "/N" in appearance else None  # the reference, kept as it is
        stream = normal.get_object() if normal is not None else None
        if not isinstance(stream, StreamObject) or "/BBox" not in stream:
            continue
        matrix = stream["/Matrix"] if "/Matrix" in stream else (1, 0, 0, 1, 0, 0)
        x1, y1, x2, y2 = _transformed_box([float(v) for v in stream["/BBox"]], [float(v) for v in matrix])
        rect = [float(v) for v in annotation["/Rect"]]
        left, right = sorted((rect[0], rect[2]))
        bottom, top = sorted((rect[1], rect[3]))
        if x2 - x1 <= 0 or y2 - y1 <= 0:
            continue
        holder = PageObject.create_blank_page(width=right - left or 1, height=top - bottom or 1)
        holder[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): DictionaryObject(
            {NameObject("/Stamp"): normal})})
        content = StreamObject()
        content.set_data(b"q /Stamp Do Q")
        holder.replace_contents(content)
        sx, sy = (right - left) / (x2 - x1), (top - bottom) / (y2 - y1)
        yield holder, Transformation((sx, 0, 0, sy, left - sx * x1, bottom - sy * y1))


def _transformed_box(bbox, matrix):
    a, b, c, d, e, f = matrix
    corners = [(x, y) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    xs = [a * x + c * y + e for x, y in corners]
    ys = [b * x + d * y + f for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)
