from django.urls import path

from . import views

urlpatterns = [
    path("programs/", views.program_list, name="program_list"),
    path("programs/<slug:slug>/", views.program_detail, name="program_detail"),
    path("programs/<slug:slug>/start/", views.program_start, name="program_start"),
    path(
        "programs/<slug:slug>/attestations/<slug:code>/",
        views.attestation_sign,
        name="attestation_sign",
    ),
    path("programs/<slug:slug>/review/", views.review_request, name="program_review_request"),
    path("credentials/", views.credentials, name="credentials"),
    path("credentials/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
