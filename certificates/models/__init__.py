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

__all__ = [
    "AttestationSignature",
    "AttestationText",
    "Certificate",
    "CertificateKind",
    "CertificateStatus",
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
