from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from . import views

# The admin's own login goes through allauth, so MFA and its rate limits apply there too.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # Before the admin's own "View on site" redirect, which checks no permission.
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(views.admin_view_on_site),
    ),
    path("admin/search/", admin.site.admin_view(views.staff_search), name="staff_search"),
    path("admin/session/extend/", views.session_extend, name="staff_session_extend"),
    path("accounts/session/extend/", views.session_extend, name="session_extend"),
    path("admin/", admin.site.urls),
    path("accounts/invitation/", views.staff_invitation_accept, name="staff_invitation_accept"),
    path(
        "accounts/invitation/<str:token>/",
        views.staff_invitation_open,
        name="staff_invitation_open",
    ),
    path("accounts/", include("allauth.urls")),
    path("letters/<int:pk>/", views.letter_open, name="letter_open"),
    path("my/", include("carers.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("", include("enquiries.urls")),
    path("", include("content.urls")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
