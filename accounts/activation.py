"""One-time activation of accounts created without a password (the people import).

Each new account gets a random token of 20 characters (100 bits, from an alphabet without 0/O/1/I), shown
to the administrator once as a link and as a code to hand over, and stored only as its SHA-256. It opens
once, before it expires (settings.ACTIVATION_DAYS, 7 days by default), and only while it is the account's
latest: a re-issue revokes the earlier one. Its owner sets his own password under the password rules and is
signed in; an administrator's account then enrols its second factor as at any first sign-in. Until then the
account cannot sign in or use the API (User.awaiting_activation).

Every issue, re-issue, use, refusal (unknown, used, revoked or expired token, counted against the address
as failed sign-ins are) and expiry (the daily sweep) is audited with who and from where; no token, code or
password ever reaches the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.lockout import note_address_failure
from accounts.models import Activation, User
from core import audit
from core.actor import Actor
from core.errors import UserError

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # 32 symbols: 5 bits each, none easily misread
TOKEN_LENGTH = 20
GROUP = 4


class State:
    """What an activation is now (the report's status)."""

    PENDING = "pending"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATE_LABELS = {
    State.PENDING: gettext_lazy("待激活"),
    State.USED: gettext_lazy("已激活"),
    State.EXPIRED: gettext_lazy("已过期"),
    State.REVOKED: gettext_lazy("已作废"),
}


def normalise(text: str) -> str:
    """A typed or pasted code as the token it stands for: full-width folded, upper case, separators dropped."""
    folded = unicodedata.normalize("NFKC", text or "").upper()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())


def token_hash(token: str) -> str:
    """What is stored of a token: the SHA-256 of its normal form (the token itself is never stored)."""
    return hashlib.sha256(normalise(token).encode("ascii")).hexdigest()


def display_code(token: str) -> str:
    """The token in groups of four (ABCD-EFGH-…), to read out or type in."""
    return "-".join(token[i : i + GROUP] for i in range(0, len(token), GROUP))


def _new_token() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(TOKEN_LENGTH))


def state_of(activation: Activation, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if activation.used_at is not None:
        return State.USED
    if activation.revoked_at is not None:
        return State.REVOKED
    if activation.expires_at <= now:
        return State.EXPIRED
    return State.PENDING


@dataclass(frozen=True)
class Issued:
    """A token just issued: shown to the administrator in this answer only, never stored or logged."""

    user: User
    token: str
    expires_at: dt.datetime
    reissued: bool = False

    @property
    def code(self) -> str:
        return display_code(self.token)

    def link(self, request: HttpRequest) -> str:
        return request.build_absolute_uri(reverse("accounts:activate_link", args=[self.token]))


def activation_issue(*, by: Actor, user: User, replaced: Activation | None = None) -> Issued:
    """A new activation for `user` (inside the caller's transaction, whose checks it relies on)."""
    token = _new_token()
    now = timezone.now()
    activation = Activation.objects.create(
        user=user,
        token_hash=token_hash(token),
        issued_at=now,
        issued_by=by.user,
        expires_at=now + dt.timedelta(days=settings.ACTIVATION_DAYS),
    )
    detail = {"activation": activation.pk, "expires_at": activation.expires_at.isoformat()}
    if replaced is not None:
        detail["replaced"] = replaced.pk
    audit.record(
        by,
        "accounts.activation.reissue" if replaced is not None else "accounts.activation.issue",
        user,
        after=None,
        detail=detail,
    )
    return Issued(user=user, token=token, expires_at=activation.expires_at, reissued=replaced is not None)


def latest_of(user: User) -> Activation | None:
    return Activation.objects.filter(user=user).order_by("-issued_at", "-id").first()


@transaction.atomic
def activation_reissue(*, by: Actor, user: User) -> Issued:
    """A fresh activation for an account that has not activated yet; the earlier one stops working.

    Whoever re-issues gets a credential of the account, so the rule is the password reset's
    (三权分立, docs/separation-of-duties.md): PermissionDenied otherwise."""
    from accounts.services import _ensure_manages_account

    if by.user is not None and by.user.pk == user.pk:
        raise UserError(_("不能为自己签发激活链接。"))
    _ensure_manages_account(by, user, password=True)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.awaiting_activation:
        raise UserError(_("账号“%(user)s”已激活（或已由管理员设置密码），不需要激活链接。") % {"user": user.username})
    if not user.is_active:
        raise UserError(_("账号“%(user)s”已停用，请先启用再签发激活链接。") % {"user": user.username})
    current = latest_of(user)
    if current is not None and current.used_at is None and current.revoked_at is None:
        Activation.objects.filter(pk=current.pk).update(revoked_at=timezone.now())
    return activation_issue(by=by, user=user, replaced=current)


class ActivationRefused(UserError):
    """A token that does not open (unknown, used, revoked or expired), or an address over its limit."""

    status_code = 400


REFUSALS = {
    "unknown": gettext_lazy("激活链接或激活码无效，请核对后重试。"),
    State.USED: gettext_lazy("此激活链接已经使用过。如已设置密码，请直接登录。"),
    State.REVOKED: gettext_lazy("此激活链接已作废（管理员已重新签发或已为您设置密码），请使用最新的激活链接。"),
    State.EXPIRED: gettext_lazy("此激活链接已过期，请联系管理员重新签发。"),
    "inactive": gettext_lazy("该账号已停用，不能激活。如有疑问，请联系管理员。"),
}


def _refuse(request: HttpRequest, reason: str, activation: Activation | None) -> ActivationRefused:
    """Audit a refused token (never the token itself) and count it against the address."""
    note_address_failure(request)
    user = activation.user if activation is not None else None
    audit.record(
        Actor.from_request(request),
        "accounts.activation.refused",
        user,
        success=False,
        after=None,
        object_type="accounts.user",
        detail={"reason": reason, **({"activation": activation.pk} if activation is not None else {})},
    )
    return ActivationRefused(str(REFUSALS[reason]))


def activation_open(request: HttpRequest, token: str) -> Activation:
    """The activation `token` opens now; ActivationRefused (audited, counted) when it opens none."""
    found = (
        Activation.objects.select_related("user").filter(token_hash=token_hash(token)).first()
        if len(normalise(token)) == TOKEN_LENGTH
        else None
    )
    if found is None:
        raise _refuse(request, "unknown", None)
    state = state_of(found)
    if state != State.PENDING:
        raise _refuse(request, state, found)
    if not found.user.is_active:
        raise _refuse(request, "inactive", found)
    return found


def activation_use(request: HttpRequest, *, token: str, new_password: str) -> User:
    """Use the token once: set the owner's password (PasswordRuleError when it breaks a rule, and the token
    stays usable), end the activation and sign him in. ActivationRefused when the token opens nothing
    (the refusal's audit row is kept: it is written outside the transaction that would roll back)."""
    activation = activation_open(request, token)
    late_state = _use(request, activation_id=activation.pk, new_password=new_password)
    if late_state is not None:
        raise _refuse(request, late_state, activation)
    return User.objects.get(pk=activation.user_id)


@transaction.atomic
def _use(request: HttpRequest, *, activation_id: int, new_password: str) -> str | None:
    """The writes of a use, or the state that stopped it (another request used the token first)."""
    from accounts.services import PasswordRuleError, login_succeeded

    # Lock and look again: of two requests racing with one token, only one gets past here.
    activation = (
        Activation.objects.select_for_update(of=("self",)).select_related("user", "issued_by").get(pk=activation_id)
    )
    if state_of(activation) != State.PENDING:
        return state_of(activation)
    user = activation.user
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise PasswordRuleError(list(error.messages)) from error
    now = timezone.now()
    user.set_password(new_password)
    user.password_changed_at = now
    user.must_change_password = False
    user.awaiting_activation = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password", "awaiting_activation"])
    Activation.objects.filter(pk=activation.pk).update(used_at=now)
    issuer = activation.issued_by.username if activation.issued_by else ""
    audit.record(
        Actor(user=user, ip=Actor.from_request(request).ip, request_id=getattr(request, "request_id", "")),
        "accounts.activation.use",
        user,
        after=None,
        detail={"activation": activation.pk, "issued_by": issuer},
    )
    user.backend = "accounts.backends.CaseInsensitiveModelBackend"
    login_succeeded(request, user)
    return None


@transaction.atomic
def activations_expire(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Write each activation that expired unused into the audit log, once (the daily sweep)."""
    now = now or timezone.now()
    due = list(
        Activation.objects.select_for_update()
        .select_related("user")
        .filter(used_at=None, revoked_at=None, expiry_recorded_at=None, expires_at__lte=now)
    )
    actor = Actor.system("activation-expiry")
    for activation in due:
        audit.record(
            actor,
            "accounts.activation.expire",
            activation.user,
            after=None,
            detail={"activation": activation.pk, "expired_at": activation.expires_at.isoformat()},
        )
    Activation.objects.filter(pk__in=[a.pk for a in due]).update(expiry_recorded_at=now)
    return {"expired": len(due)}


# ---------------------------------------------------------------- the report


def latest_activations(viewer) -> QuerySet[Activation]:
    """Each account's latest activation, for the accounts `viewer` manages, newest first."""
    latest = Activation.objects.filter(user=OuterRef("user")).order_by("-issued_at", "-id").values("pk")[:1]
    return (
        Activation.objects.visible_to(viewer)
        .filter(pk=Subquery(latest))
        .select_related("user", "issued_by")
        .order_by("-issued_at", "-id")
    )


def filter_state(queryset: QuerySet[Activation], state: str, now: dt.datetime | None = None) -> QuerySet[Activation]:
    now = now or timezone.now()
    if state == State.USED:
        return queryset.filter(used_at__isnull=False)
    if state == State.REVOKED:
        return queryset.filter(used_at=None, revoked_at__isnull=False)
    if state == State.EXPIRED:
        return queryset.filter(used_at=None, revoked_at=None, expires_at__lte=now)
    if state == State.PENDING:
        return queryset.filter(used_at=None, revoked_at=None, expires_at__gt=now)
    return queryset


def state_counts(queryset: QuerySet[Activation], now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {state: filter_state(queryset, state, now).count() for state in STATE_LABELS}


REPORT_HEADERS = (
    gettext_lazy("用户名"),
    gettext_lazy("姓名"),
    gettext_lazy("状态"),
    gettext_lazy("签发时间"),
    gettext_lazy("签发人"),
    gettext_lazy("有效期至"),
    gettext_lazy("激活时间"),
)


def report_rows(queryset: QuerySet[Activation], now: dt.datetime | None = None) -> list[list[str]]:
    """The report as rows of text (no token, code or hash: nothing in it opens an account)."""
    now = now or timezone.now()

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        [
            a.user.username,
            a.user.full_name,
            str(STATE_LABELS[state_of(a, now)]),
            when(a.issued_at),
            a.issued_by.username if a.issued_by else "",
            when(a.expires_at),
            when(a.used_at),
        ]
        for a in queryset
    ]
