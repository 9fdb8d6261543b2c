from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from organizations.roles import person_roles

from .models import SiteSettings
from .navigation import items_for

FOOTER_VERSION_KEY = "site-footer:version"
FOOTER_TIMEOUT = 60 * 60


def _footer(request) -> dict:
    """The footer's support text and email for this request's site, from the cache.

    Every page shows them, and reading them from the database costs two queries (the site for
    the host name, then its settings) on every page, public ones included. Saving the settings
    or a site bumps a version number, so a change shows on the next page everywhere."""
    version = cache.get_or_set(FOOTER_VERSION_KEY, 1, timeout=None)
    key = f"site-footer:{version}:{request.get_host()}"
    footer = cache.get(key)
    if footer is None:
        site = Site.find_for_request(request)
        footer = {"support_email": "", "footer_support_text": ""}
        if site is not None:
            values = SiteSettings.for_site(site)
            footer = {
                "support_email": values.support_email,
                "footer_support_text": values.footer_support_text,
            }
        # The first page ever served creates the settings row, which bumps the version.
        version = cache.get_or_set(FOOTER_VERSION_KEY, 1, timeout=None)
        cache.set(f"site-footer:{version}:{request.get_host()}", footer, timeout=FOOTER_TIMEOUT)
    return footer


@receiver(post_save, sender=SiteSettings)
@receiver(post_delete, sender=SiteSettings)
@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def _footer_changed(**kwargs):
    try:
        cache.incr(FOOTER_VERSION_KEY)
    except ValueError:
        cache.set(FOOTER_VERSION_KEY, 2, timeout=None)


def site_shell(request):
    """Navigation, roles and the footer for the base template, each computed only if a template
    uses it."""
    user = getattr(request, "user", None)
    return {
        "site_navigation": SimpleLazyObject(lambda: items_for(user)),
        "my_roles": SimpleLazyObject(lambda: person_roles(user)),
        "site_footer": SimpleLazyObject(lambda: _footer(request)),
    }
