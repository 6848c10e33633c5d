"""Each organisation's seal on its documents' PDFs: the one module where pyHanko lives (issue 12).

A document is signed in the name of the organisation that issued it (`Document.organisation`), with
that organisation's certificate and private key, which are kept outside the database:

    DOCUMENT_SEAL_DIR/<机构代码>/cert.pem   the signing certificate (PEM)
    DOCUMENT_SEAL_DIR/<机构代码>/key.pem    its private key (PEM; encrypted with the passphrase in the
                                            environment variable SEAL_PASSPHRASE_<机构代码>, if set)

The signature is PAdES (ETSI.CAdES.detached, SHA-256) with a visible stamp where the document prints
its issuer's name. A self-signed certificate is a demonstration seal: `make_demo_seal` (run for every
organisation by `manage.py seal_demo_certs`, which scripts/run calls) makes one, and documents sealed
with it say that they carry no legal 电子印章 (GB/T 38540). Only a certificate issued to the
organisation by a certification authority counts as its seal.

`check_pdf` is the verification page's question: is the signature in this PDF intact, and was it made
with the certificate an organisation of the portal holds?
"""
import datetime as dt
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from notices.constants import SealKind

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
# Certificates an organisation signed with before its current one: PDFs they signed still verify.
RETIRED_DIR = "retired"
SIGNATURE_FIELD = "机关签章"
# A PDF larger than this is not one of ours (the longest document is well under 2 MB).
MAX_CHECKED_PDF_BYTES = 10 * 1024 * 1024


class SealError(Exception):
    """A seal that is configured but cannot be used (an unreadable key, a missing passphrase)."""


class NotAPdf(ValueError):
    """The bytes given to check_pdf are not a PDF that can be read."""


@dataclass(frozen=True)
class OrganisationSeal:
    code: str
    name: str
    cert_path: Path
    key_path: Path
    demo: bool

    @property
    def kind(self) -> SealKind:
        return SealKind.DEMO if self.demo else SealKind.OFFICIAL


def _seal_dir(code: str) -> Path | None:
    base = Path(settings.DOCUMENT_SEAL_DIR)
    # Codes are the admin's; never let one walk out of the seal directory.
    if not code or "/" in code or "\\" in code or code.startswith("."):
        return None
    return base / code


def seal_of(organisation) -> OrganisationSeal | None:
    """The organisation's seal, or None when it has none configured (its documents go unsealed)."""
    if organisation is None:
        return None
    directory = _seal_dir(organisation.code)
    if directory is None:
        return None
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    if not (cert_path.is_file() and key_path.is_file()):
        return None
    certificate = _load_certificate(cert_path.read_bytes())
    return OrganisationSeal(code=organisation.code, name=organisation.name, cert_path=cert_path,
                            key_path=key_path, demo=_self_signed(certificate))


def seal_kind(organisation) -> SealKind:
    """What a document issued now by `organisation` will carry; frozen into its text at issue."""
    seal = seal_of(organisation)
    return seal.kind if seal else SealKind.NONE


def _load_certificate(data: bytes):
    from cryptography import x509

    return x509.load_pem_x509_certificate(data)


def _self_signed(certificate) -> bool:
    return certificate.issuer == certificate.subject


def certificate_fingerprint(certificate_der: bytes) -> str:
    return hashlib.sha256(certificate_der).hexdigest()


# --- demonstration seals -------------------------------------------------------------------------

def make_demo_seal(organisation, *, valid_days: int = 3650, replace: bool = False) -> Path | None:
    """A self-signed certificate and key for `organisation`, for development and the demo; the path of
    its directory, or None when it already has a seal (kept unless `replace`)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory = _seal_dir(organisation.code)
    if directory is None:
        raise SealError(f"机构代码“{organisation.code}”不能用作签章目录名。")
    existing = seal_of(organisation)
    if existing is not None and not replace:
        return None
    if existing is not None and not existing.demo:
        raise SealError(f"{organisation.name}已配置正式签章证书，不能以演示证书替换。")
    directory.mkdir(parents=True, exist_ok=True)
    if existing is not None:  # the old certificate still verifies the PDFs it signed
        retired = directory / RETIRED_DIR
        retired.mkdir(exist_ok=True)
        old = existing.cert_path.read_bytes()
        (retired / f"{certificate_fingerprint(_der(old))[:32]}.pem").write_bytes(old)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation.name)),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "演示签章，非法定电子印章"),
        x509.NameAttribute(NameOID.COMMON_NAME, _fit(f"演示 {organisation.code}")),
    ])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    # The key first, readable by its owner only, then the certificate: seal_of sees both or neither.
    key_path = directory / KEY_FILE
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    (directory / CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return directory


def _fit(text: str, limit: int = 64) -> str:
    """X.509 names count UTF-8 bytes (64 at most): a Chinese character takes 3."""
    while len(text.encode("utf-8")) > limit:
        text = text[:-1]
    return text


# --- signing -------------------------------------------------------------------------------------

def _signer(seal: OrganisationSeal):
    from pyhanko.sign import signers

    passphrase = os.environ.get(f"SEAL_PASSPHRASE_{seal.code}")
    signer = signers.SimpleSigner.load(str(seal.key_path), str(seal.cert_path),
                                       key_passphrase=passphrase.encode() if passphrase else None)
    if signer is None:
        raise SealError(f"{seal.name}的签章证书或私钥无法读取（{seal.cert_path.parent}）。")
    return signer


def sign_pdf(pdf: bytes, seal: OrganisationSeal, *, page_index: int, box: tuple[float, float, float, float],
             stamp_file: Path, reason: str, location: str = "广西壮族自治区钦州市") -> bytes:
    """`pdf` signed with the organisation's key (PAdES B-B), the stamp drawn in `box` (PDF points, from
    the bottom left) of the page `page_index`. The reason names the document, so a verifier holding
    only the file learns which document it is; it lies inside the signed bytes."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=reason, location=location, name=seal.name)
    signer = signers.PdfSigner(
        metadata, signer=_signer(seal),
        stamp_style=stamp.StaticStampStyle.from_pdf_file(str(stamp_file), border_width=0),
        new_field_spec=fields.SigFieldSpec(SIGNATURE_FIELD, on_page=page_index, box=box))
    return signer.sign_pdf(writer).getvalue()


# --- checking a PDF someone holds ----------------------------------------------------------------

@dataclass(frozen=True)
class SignatureCheck:
    """What the verification page says of an uploaded PDF's signature."""

    signed: bool  # it carries a signature at all
    intact: bool = False  # the signed bytes are unchanged and the signature is cryptographically sound
    covers_whole_file: bool = False  # nothing was appended after signing
    organisation_code: str = ""  # the portal organisation whose certificate signed it, if any
    organisation_name: str = ""
    demo: bool = False
    signer_subject: str = ""
    reason: str = ""
    signed_at: dt.datetime | None = None

    @property
    def ours(self) -> bool:
        return bool(self.organisation_code)

    @property
    def good(self) -> bool:
        """Intact, whole, and by a certificate an organisation of the portal holds."""
        return self.signed and self.intact and self.covers_whole_file and self.ours


def _known_certificates(organisations) -> dict[str, tuple]:
    """Fingerprint of each configured certificate -> (organisation, asn1crypto certificate)."""
    from asn1crypto import x509 as asn1_x509

    known = {}
    for organisation in organisations:
        seal = seal_of(organisation)
        if seal is None:
            continue
        for path in [seal.cert_path, *sorted((seal.cert_path.parent / RETIRED_DIR).glob("*.pem"))]:
            data = _der(path.read_bytes())
            certificate = asn1_x509.Certificate.load(data)
            demo = certificate.issuer == certificate.subject
            known[certificate_fingerprint(data)] = (organisation, certificate, demo)
    return known


def _der(data: bytes) -> bytes:
    from asn1crypto import pem

    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return data


def check_pdf(data: bytes, organisations) -> SignatureCheck:
    """Check the (last) signature of `data` against the certificates of `organisations`.

    No network: revocation is not fetched (allow_fetching=False); a demonstration certificate has no
    revocation service anyway, and an official one's status is the certification authority's to tell.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    if not data.startswith(b"%PDF-") or len(data) > MAX_CHECKED_PDF_BYTES:
        raise NotAPdf("不是 PDF 文件。")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    # A damaged file raises almost anything from inside the parser (zlib.error from a broken stream,
    # AttributeError, AssertionError, RecursionError, …): all of them mean it cannot be read.
    except Exception as exc:
        raise NotAPdf("PDF 文件无法读取，可能已损坏。") from exc
    if not signatures:
        return SignatureCheck(signed=False)
    signature = signatures[-1]
    try:
        signer_certificate = signature.signer_cert
        fingerprint = certificate_fingerprint(signer_certificate.dump())
        signer_subject = signer_certificate.subject.human_friendly
    except Exception:  # a signature whose certificate cannot be read is no intact signature (no 500)
        return SignatureCheck(signed=True)
    organisation, trusted, demo = _known_certificates(organisations).get(fingerprint, (None, None, False))
    context = ValidationContext(trust_roots=[trusted] if trusted else [], allow_fetching=False)
    try:
        status = validate_pdf_signature(signature, context)
    except Exception:  # a malformed signature is reported as not intact, never as a server error
        return SignatureCheck(signed=True, signer_subject=signer_subject)
    try:
        reason = str(signature.sig_object.get("/Reason") or "")
    except Exception:  # a /Reason that is no string says nothing
        reason = ""
    return SignatureCheck(
        signed=True, intact=bool(status.intact and status.valid),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        organisation_code=organisation.code if organisation and status.trusted else "",
        organisation_name=organisation.name if organisation and status.trusted else "",
        demo=demo, signer_subject=signer_subject, reason=reason, signed_at=status.signer_reported_dt)
