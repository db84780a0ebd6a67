from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.choices import DAILY_DIGEST_MAIL, EACH_NOTICE_BY_MAIL, NoticeDelivery
from core.fields import EncryptedCharField
from orgs.choices import Action
from orgs.scoping import _active_memberships, _minimal, granted_paths, scope_path, within


def reach_paths(viewer) -> tuple[str, ...]:
    """Tree paths where `viewer` holds any active role: the people there are no secret to them."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return ()
    return _minimal({scope_path(m) for m in _active_memberships(viewer)})


class UserQuerySet(models.QuerySet):
    """Users seen through the organisation tree: a user belongs where they hold, or held, a role."""

    def _under(self, paths: tuple[str, ...]) -> UserQuerySet:
        from orgs.models import Membership

        if not paths:
            return self.none()
        inside = Membership.objects.filter(within("org__path", paths))
        return self.filter(pk__in=inside.values("user_id"))

    def visible_to(self, viewer, action: str = Action.USER_MANAGE) -> UserQuerySet:
        """Users with a membership (current or past) in a subtree where `viewer` may do `action`."""
        return self._under(granted_paths(viewer, action))

    def within_reach_of(self, viewer) -> UserQuerySet:
        """Users with a membership in a subtree where `viewer` holds any role (404 outside it, 403 inside)."""
        return self._under(reach_paths(viewer))


class CaseInsensitiveUserManager(UserManager.from_queryset(UserQuerySet)):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships (orgs.Membership)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedCharField(
        _("联系电话"),
        blank=True,
        kind="phone",
        purpose=_("填报截止前后，产改办和上级工会联系填报人员催报、核实数据"),
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改初始密码"), default=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)
    # Created by an import and not yet activated: no password exists, and the account can neither sign in
    # nor use the API until its owner opens his one-time activation and sets one (accounts/activation.py).
    awaiting_activation = models.BooleanField(_("待激活"), default=False)
    # Raised whenever the account's credentials must stop working (a password reset, a deactivation,
    # a lockout, the last role removed): every session signed with the old value ends.
    credentials_epoch = models.PositiveIntegerField(_("凭据版本"), default=0, editable=False)
    notice_delivery = models.CharField(
        _("通知邮件"), max_length=16, choices=NoticeDelivery.choices, default=NoticeDelivery.EACH_AND_DAILY
    )

    objects = CaseInsensitiveUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="%(app_label)s_%(class)s_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.username}）" if self.full_name else self.username

    def _get_session_auth_hash(self, secret=None):
        # Sessions carry an HMAC of this; with epoch 0 it is Django's own (existing sessions stay valid).
        if not self.credentials_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.credentials_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def mails_each_notice(self) -> bool:
        """Each notification goes to this person's e-mail address too (when there is one)."""
        return self.notice_delivery in EACH_NOTICE_BY_MAIL

    @property
    def mails_daily_digest(self) -> bool:
        """This person gets the daily digest of unread notifications (when there is an address)."""
        return self.notice_delivery in DAILY_DIGEST_MAIL

    def roles_summary(self) -> str:
        """Active roles as 'role@org_code' pairs, for the audit log."""
        from orgs.scoping import _active_memberships

        return ",".join(f"{m.role}@{m.org.code}" for m in _active_memberships(self))

    def primary_org_code(self) -> str:
        from orgs.scoping import _active_memberships

        memberships = _active_memberships(self)
        return memberships[0].org.code if memberships else ""


class PasswordHistory(models.Model):
    """A password hash the user had before, so the last few cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class ActivationQuerySet(models.QuerySet):
    def visible_to(self, viewer) -> ActivationQuerySet:
        """Activations of the users `viewer` manages (as User.objects.visible_to)."""
        return self.filter(user__in=User.objects.visible_to(viewer, Action.USER_MANAGE).values("pk"))


class Activation(models.Model):
    """One one-time activation issued to a new account: its owner opens the link (or types the code) once,
    before `expires_at`, and sets his own password. Only a hash of the token is kept; a re-issue revokes
    the earlier one, which then no longer opens."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activations")
    token_hash = models.CharField(_("激活码摘要"), max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(_("签发时间"))
    issued_by = models.ForeignKey(
        User, verbose_name=_("签发人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("激活时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    # When the daily sweep wrote the expiry into the audit log (once per activation).
    expiry_recorded_at = models.DateTimeField(_("过期记录时间"), null=True, blank=True)

    objects = ActivationQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("账号激活")
        verbose_name_plural = _("账号激活")
        indexes = [models.Index(fields=["user", "-issued_at"], name="accounts_activation_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_used_or_revoked",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.issued_at:%Y-%m-%d %H:%M}"
