from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from members import api as members_api
from members.api import OrganisationViewSet
from mutualaid.api import members as my_api
from mutualaid.api import status as mutualaid_api
from reporting import api as reporting_api
from unionportal.core import views as core_views
from unionportal.core.api import auth as core_api

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")

api_v1 = [
    path("me/", core_api.me, name="me"),
    path("auth/token/", core_api.obtain_token, name="token"),
    path("auth/logout/", core_api.revoke_token, name="token-revoke"),
    path("auth/logout-all/", core_api.revoke_all_tokens, name="token-revoke-all"),
    path("claims/status/", mutualaid_api.claim_status, name="claim-status"),
    path("claims/", my_api.claim_list, name="claim-list"),
    path("members/lookup/", members_api.member_lookup, name="member-lookup"),
    path("my/claims/", my_api.my_claims, name="my-claims"),
    path("my/claims/<str:number>/", my_api.my_claim_detail, name="my-claim-detail"),
    path("my/cover/", my_api.my_cover, name="my-cover"),
    path("my/estimate/", my_api.my_estimate, name="my-estimate"),
    path("my/notices/", my_api.my_notices, name="my-notices"),
    re_path(
        r"^reporting/reports/(?P<county_code>[0-9A-Za-z]{1,32})/(?P<month>\d{4}-\d{2})/$",
        reporting_api.county_report,
        name="reporting-report",
    ),
    path("", include(router.urls)),
]

urlpatterns = [
    path("", include("unionportal.core.urls")),
    path("accounts/", include("unionportal.accounts.urls")),
    path("members/", include("members.urls")),
    path("mutualaid/", include("mutualaid.urls")),
    path("hardship/", include("hardship.urls")),
    path("competitions/", include("competitions.urls")),
    path("rights/", include("rights.urls")),
    path("reporting/", include("reporting.urls")),
    path("notifications/", include("unionportal.notifications.urls")),
    path("payments/", include("unionportal.payments.urls")),
    path("reconciliation/", include("unionportal.reconciliation.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI injects its own <style> element: this one page allows inline styles (never inline script).
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]
