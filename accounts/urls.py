from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/data.json", views.personal_data_download, name="personal_data"),
]
