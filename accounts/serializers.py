"""Shapes of users in the JSON API. Read-only: accounts are created and changed by accounts.services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from orgs.roles import actions_for
from orgs.serializers import OrgRefSerializer


class UserMembershipSerializer(serializers.Serializer):
    """A role of the user, as the caller may see it."""

    id = serializers.IntegerField(read_only=True)
    role = serializers.CharField(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    org = OrgRefSerializer(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class UserSerializer(serializers.ModelSerializer):
    """A user and the roles they hold inside the caller's user-management scope (no others)."""

    memberships = UserMembershipSerializer(source="scoped_memberships", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "is_active", "last_login", "memberships"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    """The caller: their own active roles and what those roles allow."""

    roles = UserMembershipSerializer(source="own_memberships", many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "must_change_password", "roles", "actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, user: User) -> list[str]:
        allowed: set[str] = set()
        for membership in user.own_memberships:
            allowed |= actions_for(membership.role)
        return sorted(str(a) for a in allowed)


class PeopleFileInput(serializers.Serializer):
    """A filled people-import template, as a multipart upload."""

    file = serializers.FileField()


class PeopleImportProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(read_only=True)
    row = serializers.IntegerField(read_only=True, allow_null=True)
    column = serializers.CharField(read_only=True)
    field = serializers.CharField(read_only=True)
    value = serializers.CharField(read_only=True)
    message = serializers.CharField(read_only=True)
    fix = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)


class PeopleImportRefusalSerializer(serializers.Serializer):
    """A refused import (nothing written): `detail`, and every problem found, located."""

    detail = serializers.CharField(read_only=True)
    problems = PeopleImportProblemSerializer(many=True, required=False)


class PeopleImportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    new_user = serializers.BooleanField(read_only=True)
    org = serializers.CharField(read_only=True, help_text="机构代码")
    org_name = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    role_label = serializers.CharField(read_only=True)
    mode = serializers.ChoiceField(choices=["grant", "request", "unchanged"], read_only=True)


class PeopleImportSummarySerializer(serializers.Serializer):
    new_users = serializers.IntegerField(read_only=True)
    existing_users = serializers.IntegerField(read_only=True)
    granted = serializers.IntegerField(read_only=True)
    requested = serializers.IntegerField(read_only=True)
    unchanged = serializers.IntegerField(read_only=True)


class PeopleImportPreviewSerializer(serializers.Serializer):
    """What a confirmation of the same file would write (nothing is written by a preview)."""

    summary = PeopleImportSummarySerializer(read_only=True)
    rows = PeopleImportRowSerializer(many=True, read_only=True)


class IssuedActivationSerializer(serializers.Serializer):
    """A one-time activation just issued: the link and code appear in this answer only, never again."""

    user = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    link = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


class PeopleImportResultSerializer(serializers.Serializer):
    summary = PeopleImportSummarySerializer(read_only=True)
    rows = PeopleImportRowSerializer(many=True, read_only=True)
    activations = IssuedActivationSerializer(many=True, read_only=True)


class ActivationSerializer(serializers.Serializer):
    """An account's latest activation, as the report shows it (no link, code or hash)."""

    id = serializers.IntegerField(read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    state = serializers.ChoiceField(choices=["pending", "used", "expired", "revoked"], read_only=True)
    state_label = serializers.CharField(read_only=True)
    issued_at = serializers.DateTimeField(read_only=True)
    issued_by = serializers.CharField(source="issued_by.username", read_only=True, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(read_only=True)
    used_at = serializers.DateTimeField(read_only=True, allow_null=True)
