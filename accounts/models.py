from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class CaseInsensitiveUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A person who signs in. What they may do comes from their memberships (orgs.Membership)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改初始密码"), default=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)

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
