import hashlib

from django.db import models

from notices.constants import DocumentKind


class Document(models.Model):
    """A document issued for an application, frozen at issue.

    The HTML is rendered once when the document is issued and never again, so what was
    issued is what is verified; the PDF is made from that HTML on first download and kept.
    """

    application = models.ForeignKey("licensing.Application", verbose_name="办件", on_delete=models.PROTECT,
                                    related_name="documents")
    kind = models.CharField("文书类型", max_length=24, choices=DocumentKind.choices)
    number = models.CharField("文书编号", max_length=40, unique=True)
    verification_code = models.CharField("验证码", max_length=16, unique=True)
    html = models.TextField("文书内容")
    sha256 = models.CharField("内容摘要", max_length=64)
    pdf = models.FileField("PDF", upload_to="documents/%Y/%m/", blank=True)
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
