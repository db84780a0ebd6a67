"""/api/v1: the JSON API, its OpenAPI document and interactive docs.

Token (`Authorization: Token …`) or session authentication; every list and object goes
through the same scoping as the pages (orgs.scoping). Errors are {"detail": "…"} in Chinese
(core.api.exception_handler); an unknown /api/v1 address answers a JSON 404 too.
"""

from django.contrib.auth.views import redirect_to_login
from django.urls import path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import permissions
from rest_framework.exceptions import NotFound
from rest_framework.routers import APIRootView, DefaultRouter
from rest_framework.views import APIView

from accounts.api import UserViewSet
from accounts.people_api import ActivationViewSet, PeopleImportViewSet
from analytics import api_urls as analytics_api
from assessment import api_urls as assessment_api
from cases import api_urls as cases_api
from competitions import api_urls as competitions_api
from core.api import ThrottleFirstMixin
from core.audit_views import AuditEntryViewSet
from dataexport import api_urls as dataexport_api
from ledger import api_urls as ledger_api
from orgs.api import AssignmentViewSet, MembershipViewSet, OrganisationViewSet
from orgs.transfer.api import OrgTransferViewSet
from policies import api_urls as policies_api
from publishing import api_urls as publishing_api
from reporting import api_urls as reporting_api
from sites import api_urls as sites_api
from studios import api_urls as studios_api
from suggestions import api_urls as suggestions_api
from talent import api_urls as talent_api
from training import api_urls as training_api


class SchemaView(ThrottleFirstMixin, SpectacularAPIView):
    """The OpenAPI 3 document, for signed-in users and token holders."""


class DocsView(ThrottleFirstMixin, SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar's static files, with no inline script or style.

    The split view serves its initialiser as a separate script (`?script`) from this same
    address, which `script-src 'self'` allows; our template drops the inline <style> of the
    stock one. A visitor who is not signed in is sent to the login page.
    """

    permission_classes = [permissions.AllowAny]
    template_name = "core/api_docs.html"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().get(request, *args, **kwargs)


class NotFoundView(ThrottleFirstMixin, APIView):
    """Any other address under /api/v1: a JSON 404 instead of the HTML error page."""

    schema = None  # not part of the OpenAPI document

    def _missing(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = options = _missing


class RootView(ThrottleFirstMixin, APIRootView):
    """The list of collections under /api/v1/."""


router = DefaultRouter()
router.APIRootView = RootView
router.include_format_suffixes = False
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("users", UserViewSet, basename="user")
router.register("people-import", PeopleImportViewSet, basename="people-import")
router.register("activations", ActivationViewSet, basename="activation")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("orgs", OrgTransferViewSet, basename="org-transfer")
router.register("audit", AuditEntryViewSet, basename="audit")
reporting_api.register(router)
analytics_api.register(router)
assessment_api.register(router)
ledger_api.register(router)
policies_api.register(router)
training_api.register(router)
sites_api.register(router)
talent_api.register(router)
studios_api.register(router)
cases_api.register(router)
publishing_api.register(router)
competitions_api.register(router)
suggestions_api.register(router)
dataexport_api.register(router)

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api_schema"),
    path("docs/", DocsView.as_view(url_name="api_schema"), name="api_docs"),
    *router.urls,
    re_path(r"^.*$", NotFoundView.as_view(), name="api_not_found"),
]
