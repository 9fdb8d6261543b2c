from django.urls import path

from . import organization_views as views

urlpatterns = [
    path(
        "organization/<slug:slug>/credentials/",
        views.organization_credentials,
        name="organization_credentials",
    ),
    path(
        "organization/<slug:slug>/credentials/check/",
        views.organization_credential_check,
        name="organization_credential_check",
    ),
]
