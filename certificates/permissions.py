"""Who may do what with programs and credentials. Views and templates ask these rules.

A holder sees their own certificates; registrars see and decide everyone's. Programs are public.
"""

import rules

from organizations.permissions import is_registrar, is_trainee


@rules.predicate
def is_holder(user, certificate):
    return certificate is not None and certificate.holder_id == getattr(user, "pk", None)


rules.add_perm("certificates.start_program", rules.is_authenticated & is_trainee)
rules.add_perm("certificates.view_certificate", is_holder | is_registrar)
rules.add_perm("certificates.review_issuance", is_registrar)
rules.add_perm("certificates.import_program", is_registrar)
rules.add_perm("certificates.move_enrollment", is_registrar)
