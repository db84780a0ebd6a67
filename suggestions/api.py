"""Suggestions in the JSON API (/api/v1/suggestions/), with the pages' door and the pages' services.

Outside the caller's scope everything is 404; inside it without the right, 403; bad input 400 with a Chinese
message naming the field; a stale version or a step the state does not allow, 409 (If-Match: 412/428).
Organisations are named by their codes, campaigns and talent-pool people by their numbers.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.helpers import forced_singular_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core import deadlines
from core.actor import Actor
from core.api import ThrottleFirstMixin, etag, expected_version
from orgs.choices import Action
from orgs.models import Organisation
from suggestions import queries, services
from suggestions.models import Campaign
from suggestions.serializers import (
    CampaignCreateInput,
    CampaignSerializer,
    CampaignUpdateInput,
    StatsLineSerializer,
    StatsSerializer,
    SuggestionCreateInput,
    SuggestionSerializer,
    SuggestionStepInput,
    SuggestionUpdateInput,
)
from suggestions.stats import statistics

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        '当前版本号，例如 "3"（也可在请求体中提供 version）；版本已变化时返回 412，两者都没有时返回 428。'
    ),
)
LIST_PARAMS = [
    OpenApiParameter("kind", OpenApiTypes.STR, required=False, description="rational/invention/creation/…"),
    OpenApiParameter("status", OpenApiTypes.STR, required=False, description="submitted/reviewed/adopted/…"),
    OpenApiParameter("year", OpenApiTypes.INT, required=False, description="提出年度"),
    OpenApiParameter("org", OpenApiTypes.STR, required=False, description="机构代码（含下级）"),
    OpenApiParameter("campaign", OpenApiTypes.INT, required=False, description="活动编号"),
]  # fmt: skip


def _int_param(request, name: str, *, low: int = 1, high: int = 2**31 - 1) -> int | None:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ValidationError({name: [_("%(name)s 应为有效的整数。") % {"name": name}]})
    return int(raw)


def _org(request, code: str, field: str, action: str = Action.VIEW) -> Organisation:
    org = Organisation.objects.visible_to(request.user, action).filter(code=(code or "").strip()).first()
    if org is None:
        # The code is not echoed: an answer must not tell whether a code outside the scope exists.
        raise ValidationError({field: [_("未找到该机构代码，或不在您的范围内。")]})
    return org


def _campaign(request, pk: int | None) -> Campaign | None:
    if pk is None:
        return None
    campaign = queries.campaigns_open_to(request.user).filter(pk=pk).first()
    if campaign is None:
        raise ValidationError({"campaign": [_("未找到编号为 %(pk)s 的活动，或不在您的范围内。") % {"pk": pk}]})
    return campaign


def _proposers(request, rows: list[dict], org: Organisation) -> list[dict]:
    from talent.models import Person

    wanted = {r["person"] for r in rows if r.get("person")}
    people = {p.pk: p for p in Person.objects.visible_to(request.user).filter(pk__in=wanted).select_related("org")}
    missing = sorted(wanted - set(people))
    if missing:
        raise ValidationError(
            {"proposers": [_("未找到编号为 %(pk)s 的人才库人员，或不在您的范围内。") % {"pk": missing[0]}]}
        )
    return [
        {"name": r.get("name", ""), "occupation": r.get("occupation", ""), "person": people.get(r.get("person"))}
        for r in rows
    ]


@extend_schema_view(list=extend_schema(parameters=LIST_PARAMS))
class SuggestionViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Suggestions the caller sees; POST enters one for workers; PATCH corrects one still submitted; POST
    {id}/step/ takes a step (review, adopt, reject, implement, assess, reward)."""

    serializer_class = SuggestionSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return queries.Suggestion.objects.none()
        params = self.request.query_params
        org_code = (params.get("org") or "").strip()
        return queries.suggestions_visible(
            self.request.user,
            kind=(params.get("kind") or "").strip()[:20],
            status=(params.get("status") or "").strip()[:20],
            year=_int_param(self.request, "year", low=1900, high=2100),
            org=_org(self.request, org_code, "org") if org_code else None,
            campaign=_campaign(self.request, _int_param(self.request, "campaign")),
        )

    def retrieve(self, request, *args, **kwargs):
        suggestion = self.get_object()
        response = Response(self.get_serializer(suggestion).data)
        response["ETag"] = etag(suggestion.version)
        return response

    @extend_schema(request=SuggestionCreateInput, responses={201: SuggestionSerializer})
    def create(self, request):
        payload = SuggestionCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        org = _org(request, data.pop("org"), "org", Action.EDIT)
        data["campaign"] = _campaign(request, data.get("campaign"))
        data["proposers"] = _proposers(request, data["proposers"], org)
        data.setdefault("submitted_on", deadlines.today())
        suggestion = services.suggestion_submit(by=Actor.from_request(request), org=org, **data)
        return Response(self.get_serializer(suggestion).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SuggestionUpdateInput, responses={200: SuggestionSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        suggestion = self.get_object()
        payload = SuggestionUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), suggestion.version)
        if "campaign" in data:
            data["campaign"] = _campaign(request, data["campaign"])
        if "proposers" in data:
            data["proposers"] = _proposers(request, data["proposers"], suggestion.org)
        suggestion = services.suggestion_update(
            by=Actor.from_request(request), suggestion=suggestion, version=version, **data
        )
        return Response(self.get_serializer(queries.suggestions_visible(request.user).get(pk=suggestion.pk)).data)

    @extend_schema(request=SuggestionStepInput, responses={200: SuggestionSerializer}, parameters=[IF_MATCH])
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        suggestion = self.get_object()
        payload = SuggestionStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), suggestion.version)
        suggestion = services.suggestion_step(
            by=Actor.from_request(request), suggestion=suggestion, version=version, **data
        )
        return Response(self.get_serializer(queries.suggestions_visible(request.user).get(pk=suggestion.pk)).data)


class CampaignViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Campaigns the caller sees, with the suggestions in his scope counted; POST starts one; PATCH edits."""

    serializer_class = CampaignSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Campaign.objects.none()
        return queries.campaigns_visible(self.request.user)

    @extend_schema(request=CampaignCreateInput, responses={201: CampaignSerializer})
    def create(self, request):
        payload = CampaignCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        organiser = _org(request, data.pop("organiser"), "organiser")
        campaign = services.campaign_create(by=Actor.from_request(request), organiser=organiser, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data, status=201)

    @extend_schema(request=CampaignUpdateInput, responses={200: CampaignSerializer}, parameters=[IF_MATCH])
    def partial_update(self, request, pk=None):
        campaign = self.get_object()
        payload = CampaignUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = expected_version(request, data.pop("version", None), campaign.version)
        services.campaign_update(by=Actor.from_request(request), campaign=campaign, version=version, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, required=False, description="年度（默认今年）"),
            OpenApiParameter("org", OpenApiTypes.STR, required=False, description="机构代码（默认您的范围）"),
        ],
        responses={200: forced_singular_serializer(StatsSerializer)},
    )
)
class StatsViewSet(ThrottleFirstMixin, GenericViewSet):
    """Per-organisation statistics for a year (the statistics page's table, the total last)."""

    serializer_class = StatsLineSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return Organisation.objects.none()

    def list(self, request):
        year = _int_param(request, "year", low=2000, high=2100) or deadlines.today().year
        code = (request.query_params.get("org") or "").strip()
        root = _org(request, code, "org") if code else None
        table = statistics(request.user, year=year, root=root)
        lines = [*table.lines, *([table.total] if table.total else [])]
        return Response(
            {"year": year, "org": root.code if root else "", "lines": StatsLineSerializer(lines, many=True).data}
        )
