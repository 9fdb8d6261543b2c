from django.urls import path

from . import verification_views as views

urlpatterns = [
    path("verify/", views.verify_form, name="verify"),
    path("verify/<str:code>/", views.verify_record, name="verify_record"),
    path("verify/<str:code>/status.json", views.verify_status, name="verify_status"),
]
