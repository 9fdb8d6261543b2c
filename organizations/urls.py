from django.urls import path

from . import views

urlpatterns = [
    path("organization/", views.organization_index, name="organization_index"),
    path("organization/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("organization/<slug:slug>/invite/", views.invite, name="organization_invite"),
    path(
        "organization/<slug:slug>/invitations/<int:pk>/withdraw/",
        views.withdraw_invitation,
        name="organization_invitation_withdraw",
    ),
    path(
        "organization/<slug:slug>/members/<int:pk>/roles/",
        views.member_roles,
        name="organization_member_roles",
    ),
    path(
        "organization/<slug:slug>/members/<int:pk>/remove/",
        views.member_remove,
        name="organization_member_remove",
    ),
    path(
        "organization/<slug:slug>/assignments/new/",
        views.assignment_create,
        name="organization_assignment_create",
    ),
    path(
        "organization/<slug:slug>/assignments/<int:pk>/end/",
        views.assignment_end,
        name="organization_assignment_end",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("profile/sharing/", views.credential_sharing, name="credential_sharing"),
]
