from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("security/", views.security, name="security"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("2fa/setup/", views.otp_setup, name="otp-setup"),
    path("2fa/verify/", views.otp_verify, name="otp-verify"),
    path("2fa/disable/", views.otp_disable, name="otp-disable"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/<int:pk>/", views.audit_detail, name="audit-detail"),
    path("users/", views.user_list, name="user-list"),
    path("users/<int:pk>/roles/", views.user_roles, name="user-roles"),
    path("users/<int:pk>/password-reset/", views.user_password_reset, name="user-password-reset"),
    path("role-grants/<int:pk>/confirm/", views.role_grant_confirm, name="role-grant-confirm"),
    path("lockouts/", views.lockout_list, name="lockout-list"),
    path("lockouts/<int:pk>/release/", views.lockout_release, name="lockout-release"),
]
