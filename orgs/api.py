"""The organisation tree, memberships and assignments in the JSON API (/api/v1).

Reads go through the scoping door (`visible_to`, `get_visible_or_404`), writes through
orgs.services, which check the permission themselves and write the audit row. An object
outside the caller's scope answers 404; inside it, an action the caller's roles do not allow
answers 403. Organisations and other objects named in a request body are looked up in the
same scope, so a code from another branch reads as "not found" there too.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Substr
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core import deadlines
from core.actor import Actor
from core.api import PreconditionFailed, ThrottleFirstMixin, etag, expected_version
from core.errors import ConflictError, UserError
from core.filters import IntegerFilter
from orgs import scoping, services
from orgs.choices import Action, Role
from orgs.filters import OrganisationFilter
from orgs.models import Assignment, Membership, Organisation, OrgLink, Region
from orgs.queries import children_of
from orgs.scoping import ensure_action, ensure_allowed, get_visible_or_404, granted_paths
from orgs.serializers import (
    AssignmentCreateInput,
    AssignmentEndInput,
    AssignmentSerializer,
    MembershipGrantInput,
    MembershipSerializer,
    OrganisationCloseInput,
    OrganisationCreateInput,
    OrganisationMoveInput,
    OrganisationSerializer,
    OrganisationUpdateInput,
    OrgLinkSerializer,
)

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy('当前版本号，例如 "3"；版本已变化时返回 412。'),
)


def _visible_org(user, code: str, field: str, action: str = Action.ORG_VIEW) -> Organisation:
    """An organisation the user may see (for `action`), named in a request body; a 400 on `field` otherwise."""
    org = Organisation.objects.visible_to(user, action).filter(code=code).first()
    if org is None:
        raise ValidationError({field: [_("未找到代码为“%(code)s”的机构，或您无权访问。") % {"code": code}]})
    return org


def _region(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": [_("未知的行政区划代码“%(code)s”。") % {"code": code}]})
    return region


def _with_parent_code(queryset):
    """Annotate each organisation with its parent's code in one query (no query per row)."""
    parent_path = Substr("path", 1, (F("depth") - 1) * Organisation.steplen)
    parents = Organisation.objects.filter(path=OuterRef("parent_path")).values("code")[:1]
    return queryset.select_related("region").annotate(parent_path=parent_path).annotate(parent_code=Subquery(parents))


def _flag(request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


class OrganisationApiFilter(OrganisationFilter):
    """The tree browser's filters (q: text incl. pinyin initials, kind, closed) plus parent and within."""

    # The page uses a checkbox; API clients send closed=true/false/1/0.
    closed = filters.BooleanFilter(label=gettext_lazy("显示已撤销"), method="filter_closed", widget=BooleanWidget)
    parent = filters.CharFilter(label=gettext_lazy("上级机构代码（直属下级）"), method="filter_parent")
    within = filters.CharFilter(label=gettext_lazy("机构代码（含全部下级）"), method="filter_within")

    class Meta(OrganisationFilter.Meta):
        fields = [*OrganisationFilter.Meta.fields, "parent", "within"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("closed") is None:  # absent: open organisations only
            queryset = queryset.filter(closed_on__isnull=True)
        return queryset

    def _scoped(self, code: str) -> Organisation | None:
        return Organisation.objects.visible_to(self.request.user, Action.ORG_VIEW).filter(code=code).first()

    def filter_parent(self, queryset, name, value):
        parent = self._scoped(value)
        if parent is None:
            return queryset.none()
        return queryset.filter(scoping.within("path", [parent], queryset.db), depth=parent.depth + 1)

    def filter_within(self, queryset, name, value):
        top = self._scoped(value)
        if top is None:
            return queryset.none()
        return queryset.filter(scoping.within("path", [top], queryset.db))


class OrganisationViewSet(ThrottleFirstMixin, GenericViewSet):
    """Organisations the caller may see (ORG_VIEW), by code; changes through orgs.services."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationApiFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9_-]{1,64}"

    def get_queryset(self):
        return _with_parent_code(Organisation.objects.visible_to(self.request.user, Action.ORG_VIEW))

    def get_object(self) -> Organisation:
        queryset = _with_parent_code(Organisation.objects.get_queryset())
        return get_visible_or_404(queryset, self.request.user, Action.ORG_VIEW, code=self.kwargs["code"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["org_view_paths"] = granted_paths(self.request.user, Action.ORG_VIEW)
        return context

    def _paginated(self, queryset, serializer_class=None):
        serializer_class = serializer_class or self.get_serializer_class()
        page = self.paginate_queryset(queryset)
        data = serializer_class(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    def _one(self, org: Organisation, status_code: int = status.HTTP_200_OK) -> Response:
        body = self.get_serializer(org).data
        return Response(body, status=status_code, headers={"ETag": etag(org.version)})

    def list(self, request):
        return self._paginated(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, code=None):
        return self._one(self.get_object())

    @extend_schema(request=OrganisationCreateInput, responses={201: OrganisationSerializer})
    def create(self, request):
        payload = OrganisationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        parent = _visible_org(request.user, data.pop("parent"), "parent")
        if "region" in data:
            data["region"] = _region(data["region"])
        org = services.org_create(by=Actor.from_request(request), parent=parent, **data)
        return self._one(org, status.HTTP_201_CREATED)

    @extend_schema(request=OrganisationUpdateInput, responses=OrganisationSerializer, parameters=[IF_MATCH])
    def partial_update(self, request, code=None):
        org = self.get_object()
        payload = OrganisationUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        version = expected_version(request, changes.pop("version", None), org.version)
        if not changes:
            raise UserError(_("请至少提交一个要修改的字段。"))
        if "region" in changes:
            changes["region"] = _region(changes["region"])
        with _if_match_conflict(request):
            org = services.org_update(by=Actor.from_request(request), org=org, version=version, **changes)
        return self._one(org)

    @extend_schema(responses=OrganisationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def children(self, request, code=None):
        org = self.get_object()
        kids = children_of(user=request.user, parent=org, include_closed=_flag(request, "closed"))
        return self._paginated(_with_parent_code(kids))

    @extend_schema(responses=OrgLinkSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, code=None):
        org = self.get_object()
        links = OrgLink.objects.filter(org=org).select_related("parent").order_by("valid_from", "id")
        return self._paginated(links, OrgLinkSerializer)

    @extend_schema(request=OrganisationMoveInput, responses=OrganisationSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def move(self, request, code=None):
        org = self.get_object()
        payload = OrganisationMoveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = expected_version(request, data.get("version"), org.version)
        new_parent = _visible_org(request.user, data["parent"], "parent")
        with _if_match_conflict(request):
            org = services.org_move(
                by=Actor.from_request(request), org=org, new_parent=new_parent, on=data["on"], version=version
            )
        return self._one(org)

    @extend_schema(request=OrganisationCloseInput, responses=OrganisationSerializer, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def close(self, request, code=None):
        org = self.get_object()
        payload = OrganisationCloseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        version = expected_version(request, data.get("version"), org.version)
        with _if_match_conflict(request):
            org = services.org_close(
                by=Actor.from_request(request),
                org=org,
                on=data["on"],
                version=version,
                confirm_later_records=data["confirm_later_records"],
            )
        return self._one(org)


class _if_match_conflict:  # noqa: N801 - used as a context manager, reads like one
    """A version conflict found by the service is a 412 when the client sent If-Match."""

    def __init__(self, request):
        self.request = request

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, ConflictError) and self.request.headers.get("If-Match"):
            raise PreconditionFailed() from exc
        return False


class MembershipFilter(filters.FilterSet):
    org = filters.CharFilter(label=gettext_lazy("机构代码"), field_name="org__code")
    user = IntegerFilter(label=gettext_lazy("用户ID"), field_name="user_id", min_value=1)
    role = filters.ChoiceFilter(label=gettext_lazy("角色"), choices=Role.choices)
    active = filters.BooleanFilter(label=gettext_lazy("有效"), field_name="is_active")

    class Meta:
        model = Membership
        fields = ["org", "user", "role", "active"]


def grant_targets(caller):
    """Users `caller` may give a role to: those with a membership in the caller's USER_MANAGE
    scope, and accounts that have never held any role (just created)."""
    user_model = get_user_model()
    managed = Membership.objects.visible_to(caller, Action.USER_MANAGE).values("user_id")
    never_placed = ~Exists(Membership.objects.filter(user=OuterRef("pk")))
    return user_model.objects.filter(is_active=True).filter(Q(pk__in=managed) | never_placed)


class MembershipViewSet(ThrottleFirstMixin, GenericViewSet):
    """Roles held in the caller's USER_MANAGE scope; grant and revoke through orgs.services."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Membership.objects.visible_to(self.request.user, Action.USER_MANAGE).select_related(
            "user", "org", "granted_by"
        )

    def get_object(self) -> Membership:
        # Found within what the caller can see of the tree (else 404), then the action is checked (else 403).
        queryset = Membership.objects.select_related("user", "org", "granted_by")
        membership = get_visible_or_404(queryset, self.request.user, Action.ORG_VIEW, pk=self.kwargs["pk"])
        ensure_allowed(self.request.user, Action.USER_MANAGE, membership.org)
        return membership

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=MembershipGrantInput, responses={201: MembershipSerializer})
    def create(self, request):
        ensure_action(request.user, Action.USER_MANAGE)  # 403 for those who grant nothing anywhere
        payload = MembershipGrantInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        org = _visible_org(request.user, data["org"], "org", Action.USER_MANAGE)
        target = grant_targets(request.user).filter(pk=data["user"]).first()
        if target is None:
            raise ValidationError(
                {"user": [_("未找到ID为 %(id)s 的用户，或您无权管理该用户。") % {"id": data["user"]}]}
            )
        membership = services.membership_grant(by=Actor.from_request(request), user=target, org=org, role=data["role"])
        return Response(self.get_serializer(membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        membership = self.get_object()
        membership = services.membership_revoke(by=Actor.from_request(request), membership=membership)
        return Response(self.get_serializer(membership).data)


class AssignmentFilter(filters.FilterSet):
    department = filters.CharFilter(label=gettext_lazy("成员单位代码"), field_name="department__code")
    enterprise = filters.CharFilter(label=gettext_lazy("挂钩企业代码"), field_name="enterprise__code")
    current = filters.BooleanFilter(label=gettext_lazy("仅当前有效"), method="filter_current")

    class Meta:
        model = Assignment
        fields = ["department", "enterprise", "current"]

    def filter_current(self, queryset, name, value):
        today = deadlines.today()
        current = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        return queryset.filter(current) if value else queryset.exclude(current)


class AssignmentViewSet(ThrottleFirstMixin, GenericViewSet):
    """挂钩帮带 whose enterprise or department the caller can see; create and end through orgs.services."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        user = self.request.user
        by_enterprise = Assignment.objects.visible_to(user, Action.ORG_VIEW).values("pk")
        by_department = Q(department__in=Organisation.objects.visible_to(user, Action.ORG_VIEW).values("pk"))
        return (
            Assignment.objects.filter(Q(pk__in=by_enterprise) | by_department)
            .select_related("department", "enterprise")
            .order_by("department__path", "enterprise__path", "valid_from")
        )

    def get_object(self) -> Assignment:
        # The scope is either side of the assignment (see get_queryset), already applied there.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=AssignmentCreateInput, responses={201: AssignmentSerializer})
    def create(self, request):
        payload = AssignmentCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        department = _visible_org(request.user, data["department"], "department")
        enterprise = _visible_org(request.user, data["enterprise"], "enterprise")
        assignment = services.assignment_create(
            by=Actor.from_request(request),
            department=department,
            enterprise=enterprise,
            valid_from=data.get("valid_from"),
        )
        return Response(self.get_serializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignmentEndInput, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = self.get_object()
        payload = AssignmentEndInput(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.assignment_end(
            by=Actor.from_request(request), assignment=assignment, on=payload.validated_data.get("on")
        )
        return Response(self.get_serializer(assignment).data)
