"""Shapes of organisations, parent links, memberships and assignments in the JSON API.

Output serializers are read-only; input serializers (`…Input`) only validate and refuse any
field they do not declare. Nothing here saves: the views pass validated data to orgs.services.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import deadlines
from core.api import StrictInput
from orgs.choices import Industry, OrgKind, Ownership, Role
from orgs.models import Assignment, Membership, Organisation, OrgLink, code_validator
from orgs.scoping import in_subtree


def _visible(paths: tuple[str, ...], path: str) -> bool:
    return any(in_subtree(path, p) for p in paths)


class OrgRefSerializer(serializers.Serializer):
    """An organisation named by code and name, inside another object."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class OrganisationSerializer(serializers.ModelSerializer):
    """One organisation. `parent` is the parent's code, or null when it lies outside the caller's scope."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    # Declared here because a read-only model field loses allow_blank, and both may be empty.
    ownership = serializers.ChoiceField(choices=Ownership.choices, allow_blank=True, read_only=True)
    industry = serializers.ChoiceField(choices=Industry.choices, allow_blank=True, read_only=True)
    ownership_label = serializers.CharField(source="get_ownership_display", read_only=True)
    industry_label = serializers.CharField(source="get_industry_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True)
    region_name = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "short_name",
            "pinyin_initials",
            "kind",
            "kind_label",
            "ownership",
            "ownership_label",
            "industry",
            "industry_label",
            "region",
            "region_name",
            "credit_code",
            "opened_on",
            "closed_on",
            "is_sample",
            "notes",
            "depth",
            "parent",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_region_name(self, obj: Organisation) -> str | None:
        return obj.region.name if obj.region_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, obj: Organisation) -> str | None:
        if obj.depth <= 1:
            return None
        parent_path = obj.path[: -Organisation.steplen]
        if not _visible(self.context.get("org_view_paths", ()), parent_path):
            return None  # outside the caller's scope the parent does not exist for them
        code = getattr(obj, "parent_code", None)
        if code is None:
            code = Organisation.objects.filter(path=parent_path).values_list("code", flat=True).first()
        return code


class OrgLinkSerializer(serializers.ModelSerializer):
    """One period under one parent; the parent is null when outside the caller's scope (or a root)."""

    parent = serializers.SerializerMethodField()

    class Meta:
        model = OrgLink
        fields = ["parent", "valid_from", "valid_to"]
        read_only_fields = fields

    @extend_schema_field(OrgRefSerializer(allow_null=True))
    def get_parent(self, link: OrgLink) -> dict | None:
        parent = link.parent
        if parent is None or not _visible(self.context.get("org_view_paths", ()), parent.path):
            return None
        return {"code": parent.code, "name": parent.name}


class OrganisationCreateInput(StrictInput):
    parent = serializers.CharField(label=_("上级机构代码"), max_length=64)
    code = serializers.CharField(label=_("机构代码"), max_length=64, validators=[code_validator])
    name = serializers.CharField(label=_("名称"), max_length=200)
    kind = serializers.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    short_name = serializers.CharField(label=_("简称"), max_length=100, required=False, allow_blank=True)
    ownership = serializers.ChoiceField(label=_("所有制"), choices=Ownership.choices, required=False, allow_blank=True)
    industry = serializers.ChoiceField(label=_("行业"), choices=Industry.choices, required=False, allow_blank=True)
    region = serializers.CharField(label=_("行政区划代码"), max_length=6, required=False, allow_null=True)
    credit_code = serializers.CharField(label=_("统一社会信用代码"), max_length=18, required=False, allow_blank=True)
    opened_on = serializers.DateField(label=_("成立日期"), required=False, allow_null=True)
    notes = serializers.CharField(label=_("备注"), required=False, allow_blank=True)


class OrganisationUpdateInput(StrictInput):
    """The attributes orgs.services.org_update accepts; code, parent and path are not among them."""

    name = serializers.CharField(label=_("名称"), max_length=200, required=False)
    short_name = serializers.CharField(label=_("简称"), max_length=100, required=False, allow_blank=True)
    kind = serializers.ChoiceField(label=_("类型"), choices=OrgKind.choices, required=False)
    ownership = serializers.ChoiceField(label=_("所有制"), choices=Ownership.choices, required=False, allow_blank=True)
    industry = serializers.ChoiceField(label=_("行业"), choices=Industry.choices, required=False, allow_blank=True)
    region = serializers.CharField(label=_("行政区划代码"), max_length=6, required=False, allow_null=True)
    credit_code = serializers.CharField(label=_("统一社会信用代码"), max_length=18, required=False, allow_blank=True)
    opened_on = serializers.DateField(label=_("成立日期"), required=False, allow_null=True)
    notes = serializers.CharField(label=_("备注"), required=False, allow_blank=True)
    version = serializers.IntegerField(label=_("版本号"), min_value=1, required=False)


class OrganisationMoveInput(StrictInput):
    parent = serializers.CharField(label=_("新上级机构代码"), max_length=64)
    on = serializers.DateField(label=_("迁移日期"))
    version = serializers.IntegerField(label=_("版本号"), min_value=1, required=False)


class OrganisationCloseInput(StrictInput):
    on = serializers.DateField(label=_("撤销日期"))
    confirm_later_records = serializers.BooleanField(label=_("确认撤销日期之后仍有数据"), required=False, default=False)
    version = serializers.IntegerField(label=_("版本号"), min_value=1, required=False)


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer):
    """A role held by a user at an organisation."""

    user = UserRefSerializer(read_only=True)
    org = OrgRefSerializer(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    granted_by = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "org",
            "role",
            "role_label",
            "is_active",
            "granted_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_granted_by(self, membership: Membership) -> str | None:
        return membership.granted_by.get_username() if membership.granted_by_id else None


class MembershipGrantInput(StrictInput):
    user = serializers.IntegerField(label=_("用户ID"), min_value=1)
    org = serializers.CharField(label=_("机构代码"), max_length=64)
    role = serializers.ChoiceField(label=_("角色"), choices=Role.choices)


class AssignmentSerializer(serializers.ModelSerializer):
    """挂钩帮带: a member department and the enterprise it is assigned, with the dates."""

    department = OrgRefSerializer(read_only=True)
    enterprise = OrgRefSerializer(read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "department", "enterprise", "valid_from", "valid_to", "is_current", "version"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_current(self, assignment: Assignment) -> bool:
        today = deadlines.today()
        return assignment.valid_from <= today and (assignment.valid_to is None or assignment.valid_to > today)


class AssignmentCreateInput(StrictInput):
    department = serializers.CharField(label=_("成员单位代码"), max_length=64)
    enterprise = serializers.CharField(label=_("挂钩企业代码"), max_length=64)
    valid_from = serializers.DateField(label=_("起始日期"), required=False, allow_null=True)


class AssignmentEndInput(StrictInput):
    on = serializers.DateField(label=_("结束日期"), required=False, allow_null=True)
