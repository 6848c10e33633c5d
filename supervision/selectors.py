from supervision.models import CreditRecord


def applicant_barred_from_commitment(applicant) -> CreditRecord | None:
    """The unrepaired credit record that bars notify-and-commit (附件3 第九条), or None."""
    return CreditRecord.objects.filter(applicant=applicant, repaired_at__isnull=True).order_by("-recorded_at").first()
