from django.urls import path

from accounts import people_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("otp/", views.otp_verify, name="otp_verify"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("me/", views.profile, name="profile"),
    path("me/contact/", views.contact_update, name="contact_update"),
    path("me/notice-mail/", views.notice_delivery_update, name="notice_delivery_update"),
    path("me/token/", views.token_create, name="token_create"),
    path("me/token/revoke/", views.token_revoke, name="token_revoke"),
    path("security/", views.security, name="security"),
    path("security/unlock/", views.security_unlock, name="security_unlock"),
    path("security/address/", views.security_address_reset, name="security_address_reset"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_detail, name="user_detail"),
    path("users/<int:pk>/grant/", views.membership_grant, name="membership_grant"),
    path("users/<int:pk>/memberships/<int:membership_pk>/revoke/", views.membership_revoke, name="membership_revoke"),
    path("users/<int:pk>/memberships/<int:membership_pk>/refuse/", views.membership_refuse, name="membership_refuse"),
    path("users/<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("users/import/", people_views.import_page, name="people_import"),
    path("users/import/template.xlsx", people_views.import_template, name="people_import_template"),
    path("users/import/confirm/", people_views.import_confirm, name="people_import_confirm"),
    path("users/activations/", people_views.activation_report, name="activation_report"),
    path("users/activations/export.xlsx", people_views.activation_export, name="activation_export"),
    path("users/<int:pk>/activation/", people_views.activation_reissue, name="activation_reissue"),
    path("activate/", people_views.activate, name="activate"),
    path("activate/<str:token>/", people_views.activate_link, name="activate_link"),
]
