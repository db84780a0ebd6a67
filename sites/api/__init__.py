"""The sites API under /api/v1/sites/: batches, nominations with their workflow steps, sites with the office's
steps, guidance groups, visits, follow-ups and ratings — the same scope, services and error shape as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core import pii
from core.actor import Actor
from core.api import ThrottleFirstMixin
from core.api import choice_param as _choice_param
from core.api import int_param as _int_param
from orgs.choices import Action
from orgs.models import Organisation
from orgs.scoping import can
from sites import queries, services
from sites.choices import BatchLevel, FollowUpStatus, NominationStatus, SiteStatus
from sites.models import Batch, FollowUp, GuidanceGroup, Nomination, Site, SiteRating, Visit
from sites.serializers import (
    SiteAssignInput,
    SiteBatchInput,
    SiteBatchSerializer,
    SiteCloseInput,
    SiteContactSerializer,
    SiteFollowUpInput,
    SiteFollowUpSerializer,
    SiteGroupSerializer,
    SiteNominationCreateInput,
    SiteNominationSerializer,
    SiteNominationUpdateInput,
    SiteProfileSerializer,
    SiteRatingInput,
    SiteRatingSerializer,
    SiteStepInput,
    SiteVisitInput,
    SiteVisitSerializer,
)


def _site_of(request, pk: int | None) -> Site:
    site = Site.objects.visible_to(request.user).select_related("org", "group").filter(pk=pk).first()
    if site is None:
        raise NotFound()
    return site


def _contact(request, obj) -> Response:
    if not can(request.user, Action.PII_VIEW, obj.org):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("您无权查看完整联系方式。"))
    response = Response({"contact_phone": pii.reveal(request, obj, "contact_phone")})
    response["Cache-Control"] = "no-store"
    return response


INT = OpenApiTypes.INT
STR = OpenApiTypes.STR


class BatchViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Batches of demonstration sites (the office's calendar, the same for every reader); POST (the office's
    administrators) opens one."""

    serializer_class = SiteBatchSerializer
    lookup_value_regex = "[0-9]+"
    queryset = Batch.objects.order_by("-year", "name")

    @extend_schema(request=SiteBatchInput, responses={201: SiteBatchSerializer})
    def create(self, request):
        payload = SiteBatchInput(data=request.data)
        payload.is_valid(raise_exception=True)
        batch = services.batch_create(by=Actor.from_request(request), **payload.validated_data)
        return Response(SiteBatchSerializer(batch).data, status=status.HTTP_201_CREATED)


NOMINATION_PARAMS = [
    OpenApiParameter("batch", INT, required=False, description="批次编号"),
    OpenApiParameter("status", STR, required=False, enum=NominationStatus.values, description="状态"),
]


@extend_schema_view(list=extend_schema(parameters=NOMINATION_PARAMS))
class NominationViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Nominations in the caller's scope; POST drafts one (a group union), PATCH edits it, and the workflow's
    steps: submit (the union), return / select / reject (the office); reveal gives the full phone (audited)."""

    serializer_class = SiteNominationSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = Nomination.objects.visible_to(self.request.user).select_related("org", "batch").order_by("batch", "pk")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        batch = _int_param(self.request, "batch")
        if batch is not None:
            rows = rows.filter(batch_id=batch)
        state = _choice_param(self.request, "status", NominationStatus.values)
        return rows.filter(status=state) if state else rows

    @extend_schema(request=SiteNominationCreateInput, responses={201: SiteNominationSerializer})
    def create(self, request):
        payload = SiteNominationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        batch = Batch.objects.filter(pk=data.pop("batch")).first()
        if batch is None:
            raise ValidationError({"batch": [_("批次不存在。")]})
        org = Organisation.objects.visible_to(request.user).filter(code=data.pop("org")).first()
        if org is None:
            raise ValidationError({"org": [_("未找到该机构，或不在您的管理范围内。")]})
        nomination = services.nomination_create(by=Actor.from_request(request), batch=batch, org=org, **data)
        return Response(SiteNominationSerializer(nomination).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SiteNominationUpdateInput, responses={200: SiteNominationSerializer})
    def partial_update(self, request, pk=None):
        nomination = self.get_object()
        payload = SiteNominationUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        nomination = services.nomination_update(
            by=Actor.from_request(request), nomination=nomination, version=version, **data
        )
        return Response(SiteNominationSerializer(nomination).data)

    def _step(self, request, step: str) -> Response:
        nomination = self.get_object()
        payload = SiteStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        nomination = services.nomination_step(
            by=Actor.from_request(request), nomination=nomination, step=step, **payload.validated_data
        )
        return Response(SiteNominationSerializer(nomination).data)

    @extend_schema(request=SiteStepInput, responses={200: SiteNominationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """推荐: the union submits the application to the office."""
        return self._step(request, "submit")

    @extend_schema(request=SiteStepInput, responses={200: SiteNominationSerializer})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回修改, with a reason (the office)."""
        return self._step(request, "return")

    @extend_schema(request=SiteStepInput, responses={200: SiteNominationSerializer})
    @action(detail=True, methods=["post"])
    def select(self, request, pk=None):
        """入选, within the batch's quota (the office)."""
        return self._step(request, "select")

    @extend_schema(request=SiteStepInput, responses={200: SiteNominationSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """未入选, with a reason (the office)."""
        return self._step(request, "reject")

    @extend_schema(request=None, responses={200: SiteContactSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The contact's full phone, for a role that may see personal data; audited."""
        return _contact(request, self.get_object())


SITE_PARAMS = [
    OpenApiParameter("batch", INT, required=False, description="批次编号"),
    OpenApiParameter("level", STR, required=False, enum=BatchLevel.values, description="批次级别"),
    OpenApiParameter("status", STR, required=False, enum=SiteStatus.values, description="状态"),
    OpenApiParameter("prefecture", STR, required=False, description="州市区划代码，如 530100"),
    OpenApiParameter("union", STR, required=False, description="所属产业系统公司工会的机构代码"),
    OpenApiParameter("q", STR, required=False, description="按单位名称查找"),
]


@extend_schema_view(list=extend_schema(parameters=SITE_PARAMS))
class SiteViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Sites the caller sees (their scope, or assigned to their guidance group); the office's steps: assign a
    group, accept, withdraw (with a reason); reveal gives the contact's full phone (audited)."""

    serializer_class = SiteProfileSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = Site.objects.visible_to(self.request.user).select_related("org", "batch", "group")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        params = self.request.query_params
        batch = _int_param(self.request, "batch")
        return queries.filter_sites(
            rows, batch=str(batch or ""), level=_choice_param(self.request, "level", BatchLevel.values),
            status=_choice_param(self.request, "status", SiteStatus.values),
            prefecture=(params.get("prefecture") or "").strip()[:6], union=(params.get("union") or "").strip()[:64],
            text=(params.get("q") or "").strip()[:100],
        ).order_by("batch_id", "org__path")  # fmt: skip

    @extend_schema(request=SiteAssignInput, responses={200: SiteProfileSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """派驻指导组 (the office's administrators): a selected site moves to 指导中."""
        site = self.get_object()
        payload = SiteAssignInput(data=request.data)
        payload.is_valid(raise_exception=True)
        group = GuidanceGroup.objects.visible_to(request.user).filter(pk=payload.validated_data["group"]).first()
        if group is None:
            raise ValidationError({"group": [_("指导组不存在。")]})
        site = services.site_assign(
            by=Actor.from_request(request), site=site, group=group, version=payload.validated_data["version"]
        )
        return Response(SiteProfileSerializer(site).data)

    @extend_schema(request=SiteStepInput, responses={200: SiteProfileSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """验收 (the office's administrators)."""
        site = self.get_object()
        payload = SiteStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        site = services.site_accept(
            by=Actor.from_request(request), site=site, version=payload.validated_data["version"]
        )
        return Response(SiteProfileSerializer(site).data)

    @extend_schema(request=SiteStepInput, responses={200: SiteProfileSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """撤销, with a reason (the office's administrators)."""
        site = self.get_object()
        payload = SiteStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        site = services.site_withdraw(by=Actor.from_request(request), site=site, **payload.validated_data)
        return Response(SiteProfileSerializer(site).data)

    @extend_schema(request=None, responses={200: SiteContactSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        """The contact's full phone, for a role that may see personal data; audited."""
        return _contact(request, self.get_object())


class GroupViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Guidance groups: all of them for the office, else those the caller belongs to or that guide a site in
    their scope."""

    serializer_class = SiteGroupSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return GuidanceGroup.objects.visible_to(self.request.user).select_related("leader").prefetch_related("members")


SITE_PARAM = OpenApiParameter("site", INT, required=False, description="示范点编号")


@extend_schema_view(list=extend_schema(parameters=[SITE_PARAM]))
class VisitViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Guidance visits of the sites the caller sees; POST records one (a member of the site's group)."""

    serializer_class = SiteVisitSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = (
            Visit.objects.visible_to(self.request.user)
            .prefetch_related("members", "files")
            .order_by("-visited_on", "-pk")
        )
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        site = _int_param(self.request, "site")
        return rows.filter(site_id=site) if site is not None else rows

    @extend_schema(request=SiteVisitInput, responses={201: SiteVisitSerializer})
    def create(self, request):
        payload = SiteVisitInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        site = _site_of(request, data.pop("site"))
        wanted = set(data.pop("members"))
        members = list(site.group.members.filter(pk__in=wanted)) if site.group_id else []
        if len(members) != len(wanted):
            raise ValidationError({"members": [_("只能选择本指导组的成员。")]})
        visit = services.visit_record(by=Actor.from_request(request), site=site, members=members, **data)
        return Response(SiteVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


FOLLOWUP_PARAMS = [
    SITE_PARAM,
    OpenApiParameter("status", STR, required=False, enum=FollowUpStatus.values, description="状态"),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, required=False, description="只看逾期的"),
]


@extend_schema_view(list=extend_schema(parameters=FOLLOWUP_PARAMS))
class FollowUpViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Follow-up tasks of the sites the caller sees; POST raises one from a visit (the group's members);
    close (the site or its union) records the completion note and date."""

    serializer_class = SiteFollowUpSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = FollowUp.objects.visible_to(self.request.user).select_related("owner").order_by("deadline", "pk")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        site = _int_param(self.request, "site")
        if site is not None:
            rows = rows.filter(site_id=site)
        state = _choice_param(self.request, "status", FollowUpStatus.values)
        if state:
            rows = rows.filter(status=state)
        if (self.request.query_params.get("overdue") or "").lower() in ("1", "true"):
            rows = queries.followups_overdue(rows)
        return rows

    @extend_schema(request=SiteFollowUpInput, responses={201: SiteFollowUpSerializer})
    def create(self, request):
        payload = SiteFollowUpInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        visit = (
            Visit.objects.visible_to(request.user)
            .select_related("site__org", "site__group")
            .filter(pk=data.pop("visit"))
            .first()
        )
        if visit is None:
            raise NotFound()
        followup = services.followup_create(by=Actor.from_request(request), visit=visit, **data)
        return Response(SiteFollowUpSerializer(followup).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SiteCloseInput, responses={200: SiteFollowUpSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """办结 (the owner: the site, or its union above it)."""
        followup = self.get_object()
        payload = SiteCloseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        followup = services.followup_close(by=Actor.from_request(request), followup=followup, **payload.validated_data)
        return Response(SiteFollowUpSerializer(followup).data)


@extend_schema_view(
    list=extend_schema(parameters=[SITE_PARAM, OpenApiParameter("year", INT, required=False, description="年度")])
)
class RatingViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The guidance groups' ratings of the sites the caller sees; POST gives or changes the group's rating of an
    assigned site for a year (its members only; `version` of the existing rating, none for a new one)."""

    serializer_class = SiteRatingSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = SiteRating.objects.visible_to(self.request.user).select_related("group").order_by("-year", "site_id")
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        site = _int_param(self.request, "site")
        if site is not None:
            rows = rows.filter(site_id=site)
        year = _int_param(self.request, "year")
        return rows.filter(year=year) if year is not None else rows

    @extend_schema(request=SiteRatingInput, responses={200: SiteRatingSerializer})
    def create(self, request):
        payload = SiteRatingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        site = _site_of(request, data.pop("site"))
        if not services.is_group_member(request.user, site):
            raise NotFound()  # a site not assigned to the caller's group is not theirs to rate
        rating = services.rating_save(by=Actor.from_request(request), site=site, **data)
        return Response(SiteRatingSerializer(rating).data)
