from django.utils.functional import SimpleLazyObject

from organizations.roles import person_roles

from .navigation import items_for


def site_shell(request):
    """Navigation and roles for the base template, computed only if a template uses them."""
    user = getattr(request, "user", None)
    return {
        "site_navigation": SimpleLazyObject(lambda: items_for(user)),
        "my_roles": SimpleLazyObject(lambda: person_roles(user)),
    }
