"""A password validator for words that belong to this site (ASVS 5.0 6.1.2 and 6.2.11).

A password made only of the site's own words, whatever the case, digits or punctuation around
them ("Alongside2026!", "peer-recovery-1", "RecoverySupport"), is among the first an attacker
tries here. Longer passphrases that merely contain such a word ("my road to recovery is long")
are fine: the rule refuses only passwords with nothing else in them. The word list is
``CONTEXT_WORDS`` plus the site and issuer names from the settings, and docs/security.md lists
it.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTEXT_WORDS = (
    "alongside",
    "peer",
    "peers",
    "recovery",
    "support",
    "specialist",
    "supervisor",
    "supervision",
    "trainee",
    "training",
    "certified",
    "certificate",
    "credential",
    "sober",
    "sobriety",
    "clean",
    "detox",
    "password",
    "welcome",
    "letmein",
)


def _words() -> list[str]:
    names = (getattr(settings, "WAGTAIL_SITE_NAME", ""), settings.CREDENTIAL_ISSUER_NAME)
    extra = [re.sub(r"[^a-z]", "", name.lower()) for name in names]
    # Longest first, so "peers" is tried before "peer".
    return sorted({*CONTEXT_WORDS, *(word for word in extra if word)}, key=len, reverse=True)


class ContextWordsValidator:
    def validate(self, password, user=None):
        letters = re.sub(r"[^a-z]", "", password.lower())
        pattern = "(?:" + "|".join(map(re.escape, _words())) + ")+"
        if letters and re.fullmatch(pattern, letters):
            raise ValidationError(
                _(
                    "This password is made of words people expect on this site. Add words "
                    "of your own: a short sentence only you would think of works well."
                ),
                code="password_context_words",
            )

    def get_help_text(self):
        return _("Your password cannot be only words about this site, such as its name.")
