import hashlib

from django.db import models

from notices.constants import DocumentKind


class Document(models.Model):
    """A document issued for an application, frozen at issue.

    The HTML is rendered once when the document is issued and never again, so what was
    issued is what is verified; the PDF is made from that HTML on first download and kept.

    Identifiers (issue 8). Whoever sees the applicant's 统一社会信用代码 or 身份证号码 masked on the
    pages (licensing.selectors.may_see_identity: "licensing.view_applicant_identity") sees it masked
    in every document too. The document is therefore frozen twice at issue, from one rendering:
    `html` is the original, whose digest `sha256` the public verification page checks, served with
    its own kept `pdf` to those who may see the identity; `masked_html` is that same HTML with
    every occurrence of the applicant's identifier replaced by the mask the pages use
    (portal.masking.mask_identifier), served with its own kept `masked_pdf` to everyone else.
    Masking by replacement rather than by a second template rendering catches the identifier
    wherever it appears (the parties table, or typed by the applicant into its own text), and
    freezing the result at issue means a later change of the applicant's record cannot unmask an
    old document. The original is never rewritten, so it stays byte for byte what was verified.
    """

    application = models.ForeignKey("licensing.Application", verbose_name="办件", on_delete=models.PROTECT,
                                    related_name="documents")
    kind = models.CharField("文书类型", max_length=24, choices=DocumentKind.choices)
    number = models.CharField("文书编号", max_length=40, unique=True)
    verification_code = models.CharField("验证码", max_length=16, unique=True)
    html = models.TextField("文书内容")
    sha256 = models.CharField("内容摘要", max_length=64)
    pdf = models.FileField("PDF", upload_to="documents/%Y/%m/", blank=True)
    masked_html = models.TextField("文书内容（证件号码隐去部分字符）", blank=True)
    masked_pdf = models.FileField("PDF（证件号码隐去部分字符）", upload_to="documents/%Y/%m/", blank=True)
    issued_at = models.DateTimeField("出具时间")

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["issued_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="uniq_document_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"

    @staticmethod
    def digest(html: str) -> str:
        return hashlib.sha256(html.encode("utf-8")).hexdigest()


class DocumentNumberCounter(models.Model):
    """One row per kind of document and year (钦告〔2027〕000001号); bumped under its row lock, so
    numbers of a kind never repeat, and never depend on the application's own number."""

    kind = models.CharField("文书类型", max_length=24, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    last = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        verbose_name = "文书编号计数器"
        verbose_name_plural = "文书编号计数器"
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="uniq_document_counter")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}：{self.last}"
