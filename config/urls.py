from django.conf import settings
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

# Wagtail's own login, password and account pages are replaced by allauth's, so two-step
# verification and lockouts apply to the admin too and cannot be bypassed.
admin_account_redirects = [
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="wagtailadmin_login_redirect",
    ),
    path(
        "admin/logout/",
        RedirectView.as_view(pattern_name="account_logout"),
        name="wagtailadmin_logout_redirect",
    ),
    path(
        "admin/password_reset/",
        RedirectView.as_view(pattern_name="account_reset_password"),
        name="wagtailadmin_password_reset_redirect",
    ),
    path(
        "admin/account/",
        RedirectView.as_view(pattern_name="profile"),
        name="wagtailadmin_account_redirect",
    ),
]

urlpatterns = [
    *admin_account_redirects,
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("organizations.urls")),
    path("", include("assessments.urls")),
    path("", include("hours.urls")),
    path("", include("certificates.urls")),
    path("", include("certificates.openbadges.urls")),
    path("", include("certificates.verification_urls")),
    path("", include("certificates.organization_urls")),
    path("", include("cms.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns.append(path("", include(wagtail_urls)))

handler403 = "cms.errors.permission_denied"
handler404 = "cms.errors.page_not_found"
handler500 = "cms.errors.server_error"
