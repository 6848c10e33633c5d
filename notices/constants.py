from django.db import models


class DocumentKind(models.TextChoices):
    NOTICE = "notice", "告知书"
    COMMITMENT = "commitment", "告知承诺书"
    DECISION = "decision", "准予行政许可决定书"
    REJECTION = "rejection", "不予行政许可决定书"
    FILING_RECEIPT = "filing_receipt", "备案回执"
    CANCEL_RECEIPT = "cancel_receipt", "经营信息登记回执"
    REVOCATION = "revocation", "撤销行政许可决定书"


# Each document's number prefix, e.g. 钦告〔2026〕000123号.
NUMBER_PREFIX = {
    DocumentKind.NOTICE: "告", DocumentKind.COMMITMENT: "诺", DocumentKind.DECISION: "准",
    DocumentKind.REJECTION: "不准", DocumentKind.FILING_RECEIPT: "备", DocumentKind.CANCEL_RECEIPT: "登",
    DocumentKind.REVOCATION: "撤",
}
