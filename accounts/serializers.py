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
