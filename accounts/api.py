"""Users in the JSON API (/api/v1/users/): those the caller manages, and the caller themself.

A user is in the caller's scope when they hold (or held) a role at an organisation the caller
can see; managing them needs USER_MANAGE there. Outside that scope a user id answers 404;
inside it without USER_MANAGE, 403. Only memberships inside the caller's USER_MANAGE scope are
shown, so a user's roles in other branches stay hidden.
"""

from __future__ import annotations

from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from accounts.models import User
from accounts.serializers import MeSerializer, UserSerializer
from core.api import ThrottleFirstMixin
from orgs.choices import Action, Role
from orgs.models import Membership


def _memberships(caller, action: str):
    return Membership.objects.visible_to(caller, action)


def users_in_scope(caller, action: str = Action.USER_MANAGE):
    """Users holding, or having held, a role at an organisation where `caller` may do `action`."""
    return User.objects.filter(pk__in=_memberships(caller, action).values("user_id"))


class UserFilter(filters.FilterSet):
    username = filters.CharFilter(label=gettext_lazy("用户名"), lookup_expr="icontains")
    org = filters.CharFilter(label=gettext_lazy("机构代码"), method="filter_org")
    role = filters.ChoiceFilter(label=gettext_lazy("角色"), choices=Role.choices, method="filter_role")
    is_active = filters.BooleanFilter(label=gettext_lazy("账号有效"))

    class Meta:
        model = User
        fields = ["username", "org", "role", "is_active"]

    # Both look only at memberships inside the scope: filtering on another branch's
    # organisation must not reveal who also holds a role there.
    def filter_org(self, queryset, name, value):
        held = _memberships(self.request.user, Action.USER_MANAGE).filter(org__code=value)
        return queryset.filter(pk__in=held.values("user_id"))

    def filter_role(self, queryset, name, value):
        held = _memberships(self.request.user, Action.USER_MANAGE).filter(role=value, is_active=True)
        return queryset.filter(pk__in=held.values("user_id"))


class UserViewSet(ThrottleFirstMixin, GenericViewSet):
    """Users the caller manages (list, retrieve) and `me` for everyone."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    lookup_value_regex = "[0-9]+"

    def _with_scoped_memberships(self, queryset):
        shown = _memberships(self.request.user, Action.USER_MANAGE).select_related("org").order_by("org__path", "role")
        return queryset.prefetch_related(Prefetch("memberships", queryset=shown, to_attr="scoped_memberships"))

    def get_queryset(self):
        return self._with_scoped_memberships(users_in_scope(self.request.user)).order_by("username")

    def get_object(self) -> User:
        caller = self.request.user
        pk = self.kwargs["pk"]
        user = self._with_scoped_memberships(users_in_scope(caller, Action.ORG_VIEW)).filter(pk=pk).first()
        if user is None:
            raise Http404
        if not user.scoped_memberships:
            raise PermissionDenied(_("您没有管理该用户的权限。"))
        return user

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(responses=MeSerializer)
    @action(detail=False, methods=["get"])
    def me(self, request):
        own = (
            Membership.objects.filter(user=request.user, is_active=True, org__closed_on__isnull=True)
            .select_related("org")
            .order_by("org__path", "role")
        )
        user = request.user
        prefetch_related_objects([user], Prefetch("memberships", queryset=own, to_attr="own_memberships"))
        return Response(MeSerializer(user, context=self.get_serializer_context()).data)
