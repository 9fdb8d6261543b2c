from .credentials import (
    Certificate,
    CertificateKind,
    CertificateStatus,
    ExpiryReminder,
    IssueReason,
    StatusReason,
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
    "ExpiryReminder",
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
    "StatusReason",
]
