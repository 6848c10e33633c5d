"""The quarterly reports' PDFs (issue 14): licensing.reports renders its own template through the one
module where WeasyPrint lives (notices.pdf), which licensing may not import itself (the layers'
contract in pyproject.toml). A report is not a document of an application: no number, no
verification code, no seal; it is A4 like the documents, with the same fonts."""
from notices.pdf import RenderedDocument, render_pdf


def report_pdf(template_name: str, context: dict) -> RenderedDocument:
    """`template_name` rendered with `context` to HTML, and that HTML to an A4 PDF (both returned: the
    HTML for tests and for the page that shows the same report)."""
    return render_pdf(template_name, context)
