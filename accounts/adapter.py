from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Allauth hooks for Alongside.

    Email addresses that arrive through an organization's invitation link are treated as verified
    by allauth itself (the invitation view stores the address in the session under
    ``account_verified_email``), so an invited person can sign up and join in one go.
    """

    def populate_username(self, request, user):
        # Our User has no username field; email is the login.
        return None
