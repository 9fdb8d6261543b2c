"""The site staff roles, as Wagtail groups with the permissions their work needs.

Registrars (certification staff) manage people, organizations, supervision and, as later parts
of the site land, credentials. Editors write and publish pages and courses. The groups are kept
in step after every ``migrate``, so every site has them, demo or not.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from .roles import EDITORS_GROUP, REGISTRARS_GROUP

ADMIN_ACCESS = [("wagtailadmin", "access_admin")]

REGISTRAR_MODEL_PERMISSIONS = {
    "organizations": {
        "organization": ["add", "change", "delete", "view"],
        "membership": ["add", "change", "delete", "view"],
        "supervisionassignment": ["add", "change", "delete", "view"],
        "supervisorqualification": ["add", "change", "delete", "view"],
        "invitation": ["change", "view"],
    },
    "accounts": {"user": ["add", "change", "view"]},
    # Accommodations (extra time, extra attempts) are granted by certification staff; deleting
    # one withdraws it. Registrars see quiz settings and reports, which hold no personal data.
    "assessments": {"accommodation": ["add", "change", "delete", "view"], "quiz": ["view"]},
    # Registrars decide how printed certificates look (signatory, signature, logo).
    "certificates": {"certificatetemplate": ["add", "change", "delete", "view"]},
}

EDITOR_MODEL_PERMISSIONS = {
    "assessments": {
        "questionbank": ["add", "change", "delete", "view"],
        "question": ["add", "change", "delete", "view"],
        "quiz": ["add", "change", "delete", "view"],
    },
}

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}
REGISTRAR_COLLECTION_PERMISSIONS = {"wagtailimages": ["add_image", "choose_image"]}


def _permission(Permission, app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _model_permissions(Permission, spec) -> list:
    return [
        _permission(Permission, app_label, f"{action}_{model}")
        for app_label, models in spec.items()
        for model, actions in models.items()
        for action in actions
    ]


def ensure_staff_groups(**signal_kwargs) -> None:
    """Create or complete the staff groups. Runs after ``migrate`` has finished, so it uses the
    real models (not the migration state) and first makes sure every permission row exists:
    Django creates them in the same signal, possibly after this handler."""
    apps = global_apps
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    admin_access = [
        _permission(Permission, app_label, codename) for app_label, codename in ADMIN_ACCESS
    ]

    registrars, _ = Group.objects.get_or_create(name=REGISTRARS_GROUP)
    registrars.permissions.add(
        *admin_access, *_model_permissions(Permission, REGISTRAR_MODEL_PERMISSIONS)
    )

    editors, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    editors.permissions.add(
        *admin_access, *_model_permissions(Permission, EDITOR_MODEL_PERMISSIONS)
    )
    root_page = Page.objects.filter(depth=1).first()
    if root_page is not None:
        for codename in EDITOR_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=editors,
                page=root_page,
                permission=_permission(Permission, "wagtailcore", codename),
            )
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        for group, spec in (
            (editors, EDITOR_COLLECTION_PERMISSIONS),
            (registrars, REGISTRAR_COLLECTION_PERMISSIONS),
        ):
            for app_label, codenames in spec.items():
                for codename in codenames:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group,
                        collection=root_collection,
                        permission=_permission(Permission, app_label, codename),
                    )
