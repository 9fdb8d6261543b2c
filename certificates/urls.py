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
    path("programs/<slug:slug>/packet.pdf", views.program_packet, name="program_packet"),
    path("credentials/", views.credentials, name="credentials"),
    path("credentials/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("credentials/<int:pk>/renew/", views.certificate_renew, name="certificate_renew"),
]
