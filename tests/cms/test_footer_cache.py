"""The footer's support text comes from the cache, and a change to the site settings shows on
the very next page."""

from django.urls import reverse
from wagtail.models import Site

from cms.models import SiteSettings


def test_the_footer_is_cached_and_a_saved_change_shows_at_once(
    db, client, django_assert_max_num_queries
):
    client.get(reverse("verify"))
    with django_assert_max_num_queries(0):
        first = client.get(reverse("verify")).content.decode()
    assert "988" in first

    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.footer_support_text = "Call the warm line at 555-0100 any time."
    settings.support_email = "help@example.org"
    settings.save()

    changed = client.get(reverse("verify")).content.decode()
    assert "Call the warm line at 555-0100 any time." in changed
    assert "help@example.org" in changed
    assert "988" not in changed
