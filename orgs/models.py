from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.models import BaseModel
from orgs.choices import Industry, OrgKind, Ownership, Role
from orgs.scoping import ScopedQuerySet
from orgs.validators import validate_credit_code

code_validator = RegexValidator(r"^[A-Za-z0-9_-]{1,64}$", _("代码只能包含字母、数字、下划线和短横线。"))
# Words of /orgs/<word>/ that are pages of their own (orgs/urls.py): an organisation with one as its code could not
# be opened, so none may take it (orgs/tests/test_services.py checks the list against the routes).
RESERVED_CODES = frozenset({"transfer"})


def reserved_code_message(code: str) -> str:
    return _("“%(code)s”是系统保留的地址，不能用作机构代码，请换一个代码。") % {"code": code}


class Region(models.Model):
    """An administrative division of GB/T 2260 (the province, its prefectures, their counties)."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class OrganisationQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    org_field = ""  # the organisation is its own scope


class OrganisationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user, action=None):
        return self.get_queryset().visible_to(user, action) if action else self.get_queryset().visible_to(user)


class Organisation(MP_Node, BaseModel):
    """One node of the reform's organisation tree: the province, a category, a prefecture,
    a union, an enterprise or subsidiary, a unit, a member department or the reform office.

    `path` (materialised, indexed) is the tree as it is today and answers subtree queries;
    `OrgLink` rows keep every parent an organisation has had, with the dates, for history.
    """

    steplen = 4

    code = models.CharField(_("机构代码"), max_length=64, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    pinyin_initials = models.CharField(_("拼音首字母"), max_length=200, blank=True, db_index=True)
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    ownership = models.CharField(_("所有制"), max_length=20, choices=Ownership.choices, blank=True)
    industry = models.CharField(_("行业（GB/T 4754）"), max_length=1, choices=Industry.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("行政区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_credit_code])
    opened_on = models.DateField(_("成立日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤销日期"), null=True, blank=True)
    is_sample = models.BooleanField(_("示例数据"), default=False, help_text=_("演示用的虚构机构。"))
    notes = models.TextField(_("备注"), blank=True)

    objects = OrganisationManager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("组织机构")
        verbose_name_plural = _("组织机构")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="%(app_label)s_%(class)s_closed_after_opened",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.code in RESERVED_CODES:
            raise ValidationError({"code": reserved_code_message(self.code)})

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:org_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None


class OrgLink(models.Model):
    """One period during which `org` sat under `parent` (valid_from inclusive, valid_to exclusive).

    The current link has no valid_to. A past period's figures roll up along the links valid on
    the period's last day; restating to today's structure uses `Organisation.path` instead.
    """

    org = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="links")
    parent = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="child_links"
    )
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)

    class Meta:
        ordering = ["org_id", "valid_from"]
        verbose_name = _("隶属关系")
        verbose_name_plural = _("隶属关系")
        indexes = [models.Index(fields=["parent", "valid_from"], name="orgs_link_parent_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=Q(valid_to__isnull=True), name="%(app_label)s_%(class)s_one_current"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="%(app_label)s_%(class)s_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} → {self.parent or '—'} [{self.valid_from}, {self.valid_to or '…'})"


class MembershipQuerySet(ScopedQuerySet):
    org_field = "org"


class Membership(BaseModel):
    """A user holds `role` at `org`, covering its subtree (see orgs/roles.py for what that allows)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("有效"), default=True)
    # Requested by the system administrator for an account he created, not yet granted (inactive until
    # the security administrator grants it, or pending no more once refused).
    pending = models.BooleanField(_("待批准"), default=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["org__path", "role"]
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="%(app_label)s_%(class)s_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class AssignmentQuerySet(ScopedQuerySet):
    org_field = "enterprise"


class Assignment(BaseModel):
    """挂钩帮带: a leading-group member department helps and watches an enterprise (and its subtree)."""

    department = models.ForeignKey(
        Organisation, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="assignments"
    )
    enterprise = models.ForeignKey(
        Organisation, verbose_name=_("挂钩企业"), on_delete=models.PROTECT, related_name="assigned_departments"
    )
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["department__path", "enterprise__path"]
        verbose_name = _("挂钩帮带")
        verbose_name_plural = _("挂钩帮带")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "enterprise"],
                condition=Q(valid_to__isnull=True),
                name="%(app_label)s_%(class)s_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} → {self.enterprise}"
