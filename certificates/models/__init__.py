from .credentials import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    IssueReason,
)
from .programs import (
    AttestationSignature,
    AttestationText,
    CredentialProgram,
    Issuance,
    IssuanceReview,
    Kind,
    ProgramEnrollment,
    ProgramVersion,
    ProgramVersionAttestation,
    ProgramVersionCourse,
    ReviewStatus,
)
from .templates import CertificateTemplate

__all__ = [
    "AttestationSignature",
    "AttestationText",
    "Certificate",
    "CertificateKind",
    "CertificateStatus",
    "CertificateTemplate",
    "CredentialProgram",
    "Issuance",
    "IssuanceReview",
    "IssueReason",
    "Kind",
    "ProgramEnrollment",
    "ProgramVersion",
    "ProgramVersionAttestation",
    "ProgramVersionCourse",
    "ReviewStatus",
]
