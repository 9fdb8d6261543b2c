from django.urls import path, re_path

from . import views

urlpatterns = [
    path(".well-known/did.json", views.did_document, name="did_document"),
    # A did:web DID with a path (SITE_URL under a folder) resolves to <path>/did.json.
    path("did.json", views.did_document, name="did_document_under_path"),
    re_path(
        r"^credentials/status/(?P<list_number>[1-9][0-9]{0,8})/"
        r"(?P<purpose>revocation|suspension)\.json$",
        views.status_list,
        name="credential_status_list",
    ),
    path(
        "credentials/<int:pk>/credential.json",
        views.credential_download,
        name="credential_download",
    ),
    path("verify/credential/", views.credential_check, name="credential_check"),
    path("verify/<str:code>/credential.json", views.credential_public, name="credential_public"),
]
