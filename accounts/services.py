"""Account writes: sign-in bookkeeping, passwords, the second factor, user accounts, API tokens
and lockouts. Each writes its audit row in the same transaction; no password, token or TOTP
secret ever reaches the audit log."""

from __future__ import annotations

import datetime as dt
import secrets
import string
import time
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.contrib.auth import password_validation
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from rest_framework.authtoken.models import Token

from accounts.choices import NoticeDelivery
from accounts.lockout import address_reset, address_window_minutes, escape_control
from accounts.models import PasswordHistory, User
from core import audit, pii
from core.actor import Actor
from core.credentials import credentials_end
from core.errors import UserError
from orgs.choices import Action, Role
from orgs.models import Membership, Organisation
from orgs.roles import SEPARATED_ADMIN_ROLES, TWO_FACTOR_ROLES
from orgs.scoping import covers, ensure_action, ensure_allowed, granted_paths, roles_of
from orgs.services import (
    grantable_roles,
    manages_accounts,
    membership_grant,
    membership_request,
    requestable_roles,
)

LOGIN_AT = "changai_login_at"
SEEN_AT = "changai_seen_at"
OTP_CHOSEN = "changai_otp_chosen"  # the user has a TOTP device, so this session must give a code

# Fields of a user the audit log shows for account changes (never the password hash).
ACCOUNT_FIELDS = (
    "username",
    "full_name",
    "email",
    "phone",  # masked in the log (an encrypted field)
    "is_active",
    "must_change_password",
    "awaiting_activation",
    "password_changed_at",
)

_SYMBOLS = "-_!@#%+="
_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI") + _SYMBOLS


class PasswordRuleError(UserError):
    """A new password breaks one or more password rules; `messages` lists each broken rule."""

    def __init__(self, messages: list[str]):
        super().__init__("".join(messages), field="new_password1")
        self.messages = messages


# ---------------------------------------------------------------- passwords


def password_expired(user) -> bool:
    """Whether the password is older than PASSWORD_MAX_AGE_DAYS (never for users without a date)."""
    if not user.password_changed_at or settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return False
    return timezone.now() - user.password_changed_at > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def password_expires_on(user) -> dt.date | None:
    """The day the password must be changed by, or None when it never expires."""
    if not user.password_changed_at or settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return None
    changed = timezone.localtime(user.password_changed_at)
    return (changed + dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)).date()


def generate_password(length: int = 16) -> str:
    """A random initial password that meets the rules: all four character classes."""
    rng = secrets.SystemRandom()
    chars = [
        rng.choice(string.ascii_uppercase.replace("O", "").replace("I", "")),
        rng.choice(string.ascii_lowercase.replace("l", "")),
        rng.choice("23456789"),
        rng.choice(_SYMBOLS),
    ]
    chars += [rng.choice(_ALPHABET) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def _remember_password(user: User) -> None:
    """Keep the current hash in the history, and only the last PASSWORD_HISTORY of them."""
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
    keep = list(user.password_history.values_list("id", flat=True)[: settings.PASSWORD_HISTORY])
    user.password_history.exclude(id__in=keep).delete()


@transaction.atomic
def password_change(*, by: Actor, user: User, new_password: str) -> User:
    """Set the user's own new password after checking every password rule (PasswordRuleError).

    The old hash goes into the history; the change date is set and a pending forced change cleared.
    """
    if by.user is None or by.user.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的密码。"))
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise PasswordRuleError(list(error.messages)) from error
    before = audit.snapshot(user, ACCOUNT_FIELDS)
    _remember_password(user)
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(by, "accounts.password_change", user, before=before, after=audit.snapshot(user, ACCOUNT_FIELDS))
    return user


# ---------------------------------------------------------------- sign-in and sessions


def second_factor_required(user) -> bool:
    """Whether `user` must use a second factor whatever they chose: the administrators, outside demo mode."""
    return not settings.DEMO_MODE and bool(roles_of(user) & TWO_FACTOR_ROLES)


def second_factor_pending(request: HttpRequest) -> bool:
    """Whether this session still owes a TOTP code: an administrator's, or that of a user who set one
    up (marked at sign-in), and not yet given. Never in demo mode."""
    # Right after django.contrib.auth.login() request.user is the plain user, not yet wrapped by
    # django-otp's middleware, so it has no is_verified() until the next request.
    is_verified = getattr(request.user, "is_verified", None)
    if settings.DEMO_MODE or (is_verified is not None and is_verified()):
        return False
    return bool(request.session.get(OTP_CHOSEN)) or second_factor_required(request.user)


@transaction.atomic
def login_succeeded(request: HttpRequest, user: User) -> None:
    """Sign `user` in (Django rotates the session key), start the session clocks, audit it."""
    django_login(request, user)
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[OTP_CHOSEN] = True
    # A password an administrator set (at creation or reset) is one-time: its use is marked, so the audit
    # administrator sees from which address it was used, and by whom if not by its owner.
    detail = {"issued_password": True} if user.must_change_password else None
    # The session is stored here, in this transaction, not after the view: a sign-in is audited as done
    # only when its session exists (the middleware saves it once more and sets the cookie).
    request.session.save()
    audit.record(Actor.from_request(request), "accounts.login", user, after=None, detail=detail)


def _failure_reason(username: str) -> tuple[str, User | None]:
    user = User.objects.filter(username__iexact=username).first() if username else None
    if user is None:
        return "unknown_user", None
    if user.is_demo and not settings.DEMO_MODE:
        return "demo_account", user
    if not user.is_active:
        return "inactive", user
    if user.awaiting_activation:
        return "not_activated", user
    return "wrong_password", user


@transaction.atomic
def login_failed(request: HttpRequest, *, username: str, locked: bool = False, throttled: bool = False) -> None:
    """Audit one refused sign-in. The reason is for the audit administrator only: the person
    signing in sees the same message whatever it is."""
    safe = escape_control(username)[:150]
    reason, user = _failure_reason(username)
    detail = {"username": safe, "reason": reason}
    if throttled:
        detail["reason"] = "address_throttled"
    elif locked:
        detail["reason"] = "locked"
        if user is not None:
            # Someone is guessing this password: whatever they may already hold stops working.
            detail["tokens_revoked"] = credentials_end(user)
            detail["sessions_ended"] = True
    audit.record(
        Actor.from_request(request),
        "accounts.login_failed",
        success=False,
        after=None,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        object_repr=safe,
        detail=detail,
    )


@transaction.atomic
def logout_user(request: HttpRequest) -> None:
    """Sign out: audit, then delete the session row on the server."""
    if request.user.is_authenticated:
        audit.record(Actor.from_request(request), "accounts.logout", request.user, after=None)
    django_logout(request)


@transaction.atomic
def logout_expired(request: HttpRequest, *, reason: str = "idle") -> None:
    """End a session past its idle or absolute limit: audit, then delete it on the server."""
    if request.user.is_authenticated:
        audit.record(
            Actor.from_request(request), "accounts.session_expired", request.user, after=None, detail={"reason": reason}
        )
    django_logout(request)


@transaction.atomic
def session_discard(request: HttpRequest, *, user_id: str) -> None:
    """End a session whose user may no longer sign in (deactivated, or a demo account outside demo mode)."""
    audit.record(
        Actor.from_request(request),
        "accounts.session_expired",
        after=None,
        object_type="accounts.user",
        object_id=str(user_id)[:64],
        detail={"reason": "account_disabled"},
    )
    request.session.flush()


# ---------------------------------------------------------------- second factor


def otp_secret_base32(device: TOTPDevice) -> str:
    """The device's secret as authenticator apps take it when typed in by hand."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def otp_device_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


OTP_PENDING_KEY = "changai_otp_pending_key"


def otp_device_pending(request: HttpRequest, *, save: bool) -> TOTPDevice:
    """The device being enrolled: an unconfirmed one already stored, or one made from a secret kept in
    this session. Showing the set-up page (`save=False`) stores nothing in the database; the device is
    stored when a code is offered for it (`save=True`), so wrong codes are throttled per device."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is not None:
        return device
    key = request.session.get(OTP_PENDING_KEY)
    if not key:
        key = request.session[OTP_PENDING_KEY] = random_hex(20)
    device = TOTPDevice(user=user, name=_("手机验证器"), key=key, confirmed=False)
    if save:
        device.save()
        request.session.pop(OTP_PENDING_KEY, None)
    return device


def _otp_failure(request: HttpRequest, device: TOTPDevice, stage: str, throttled: bool) -> None:
    audit.record(
        Actor.from_request(request),
        "accounts.otp_failed",
        request.user,
        success=False,
        after=None,
        detail={"stage": stage, "device": device.pk, "reason": "throttled" if throttled else "wrong_code"},
    )


def otp_throttled(device: TOTPDevice) -> bool:
    allowed, _info = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def otp_device_confirm(request: HttpRequest, *, device: TOTPDevice, token: str) -> bool:
    """Confirm a new TOTP device with a code from it; it replaces any earlier device and
    verifies this session. False (and an otp_failed row) when the code is wrong or reused."""
    if device.user_id != request.user.pk or device.confirmed:
        raise PermissionDenied(_("该验证设备不属于当前账号或已启用。"))
    throttled = otp_throttled(device)
    if throttled or not device.verify_token(token):
        _otp_failure(request, device, "setup", throttled)
        return False
    replaced = list(TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).values_list("pk", flat=True))
    TOTPDevice.objects.filter(pk__in=replaced).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    audit.record(
        Actor.from_request(request),
        "accounts.otp_setup",
        request.user,
        after=None,
        detail={"device": device.pk, "replaced": replaced},
    )
    return True


@transaction.atomic
def otp_verify(request: HttpRequest, *, device: TOTPDevice, token: str) -> bool:
    """Check a TOTP code after the password; a code already used (django-otp's last_t) fails. Raises
    DatabaseError, with nothing audited, when the session cannot be stored."""
    if device.user_id != request.user.pk or not device.confirmed:
        raise PermissionDenied(_("该验证设备不属于当前账号。"))
    throttled = otp_throttled(device)
    if throttled or not device.verify_token(token):
        _otp_failure(request, device, "verify", throttled)
        return False
    with transaction.atomic():
        otp_login(request, device)
        # As at sign-in: the session that carries the second factor is stored before the audit says it was
        # verified (DatabaseError otherwise, and no audit row).
        request.session.save()
        audit.record(
            Actor.from_request(request), "accounts.otp_verified", request.user, after=None, detail={"device": device.pk}
        )
    return True


# ---------------------------------------------------------------- user accounts


# Whoever grants rights never knows a password (三权分立): the one answer when the security administrator tries.
SECURITY_ADMIN_MANAGES_NO_ACCOUNT = gettext_lazy(
    "安全管理员不能创建账号、设置密码或停用账号（三权分立），请由系统管理员办理。"
)


def _ensure_manages_account(by: Actor, user: User, *, password: bool = False) -> None:
    """Raise PermissionDenied unless `by` may manage `user`'s account as a whole (三权分立,
    docs/separation-of-duties.md): `by` creates and resets accounts in his scope (ACCOUNT_MANAGERS), every
    current role of the user lies in that scope, and each is one `by` may grant himself — except that the
    system administrator, who grants nothing, may (de)activate any account and set the password of one
    that holds no business role (a separated administrator keeps his second factor, so a new password
    alone does not let anyone become him)."""
    if by.system_name:
        return
    manager = by.user
    if not User.objects.visible_to(manager, Action.USER_MANAGE).filter(pk=user.pk).exists():
        raise PermissionDenied(_("您没有管理该用户的权限。"))
    paths = granted_paths(manager, Action.USER_MANAGE)
    system_admin = Role.SYS_ADMIN in roles_of(manager)
    for membership in Membership.objects.filter(user=user, is_active=True).select_related("org"):
        if not covers(paths, membership.org):
            raise PermissionDenied(
                _("用户“%(user)s”在您的管理范围之外还担任其他角色，只能由上级管理员处理。") % {"user": user.username}
            )
        if not manages_accounts(manager, membership.org):
            raise PermissionDenied(SECURITY_ADMIN_MANAGES_NO_ACCOUNT)
        if membership.role in grantable_roles(manager, membership.org):
            continue
        if system_admin and not password:
            continue
        if system_admin and membership.role in SEPARATED_ADMIN_ROLES and otp_device_of(user) is not None:
            continue
        if system_admin:
            raise PermissionDenied(
                _(
                    "系统管理员不能重置持有业务角色或未启用双因素认证的账号的密码（三权分立）：请由该用户所在单位的管理员办理。"
                )
            )
        raise PermissionDenied(
            _("用户“%(user)s”在您的管理范围之外还担任其他角色，只能由上级管理员处理。") % {"user": user.username}
        )
    placed = Membership.objects.filter(user=user).select_related("org")
    if not any(covers(paths, m.org) and manages_accounts(manager, m.org) for m in placed):
        raise PermissionDenied(SECURITY_ADMIN_MANAGES_NO_ACCOUNT)


def creation_mode(by: Actor, org: Organisation, role: str) -> str:
    """How `by` may give `role` at `org` to an account he creates or imports: "grant" when he may grant it,
    "request" when he may only ask for it (the system administrator, 三权分立: the security administrator
    grants it later). Raises PermissionDenied when he may do neither, or may not create accounts at `org`."""
    ensure_allowed(by, Action.USER_MANAGE, org)
    if by.system_name:
        return "grant"
    if not manages_accounts(by.user, org):
        raise PermissionDenied(SECURITY_ADMIN_MANAGES_NO_ACCOUNT)
    if role in grantable_roles(by.user, org):
        return "grant"
    if role in requestable_roles(by.user):
        return "request"
    raise PermissionDenied(_("您不能授予“%(role)s”角色。") % {"role": Role(role).label})


def _account_insert(*, by: Actor, username: str, full_name: str, email: str, phone: str, password: str | None) -> User:
    """The account row and its audit row: with `password` (one-time, to be changed at first sign-in), or
    without any (awaiting its owner's activation). UserError when the name is taken (in any case)."""
    username = username.strip()
    phone = pii.clean_phone(phone)
    if User.objects.filter(username__iexact=username).exists():
        raise UserError(_("用户名已存在"), field="username")
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username,
                email=BaseUserManager.normalize_email(email or ""),
                password=password,  # None: an unusable password
                full_name=full_name.strip(),
                phone=phone,
                must_change_password=password is not None,
                awaiting_activation=password is None,
                password_changed_at=timezone.now() if password is not None else None,
            )
    except IntegrityError as error:  # a concurrent create with the same name in another case
        raise UserError(_("用户名已存在"), field="username") from error
    audit.record(by, "accounts.user.create", user, after=audit.snapshot(user, ACCOUNT_FIELDS))
    return user


def role_give(*, by: Actor, user: User, org: Organisation, role: str, mode: str) -> Membership:
    """Grant `role` (mode "grant") or record it as requested (mode "request") for `user` at `org`."""
    if mode == "request":
        return membership_request(by=by, user=user, org=org, role=role)
    return membership_grant(by=by, user=user, org=org, role=role)


@transaction.atomic
def user_create(
    *, by: Actor, username: str, full_name: str, email: str = "", phone: str = "", org: Organisation, role: str
) -> tuple[User, str]:
    """Create an account with its first role at `org`, and a random initial password that must be
    changed at first sign-in. Returns the user and that password (shown once, stored only hashed).

    A manager who may grant the role grants it at once; the system administrator, who grants nothing,
    records it as requested, for the security administrator to grant (membership_request)."""
    mode = creation_mode(by, org, role)
    password = generate_password()
    user = _account_insert(by=by, username=username, full_name=full_name, email=email, phone=phone, password=password)
    role_give(by=by, user=user, org=org, role=role, mode=mode)
    return user, password


@transaction.atomic
def user_create_awaiting_activation(
    *, by: Actor, username: str, full_name: str, email: str = "", phone: str = "", org: Organisation, role: str
) -> User:
    """Create an account with its first role at `org` (granted or requested as in `user_create`) and no
    password at all: it cannot sign in until its owner uses the one-time activation issued for it
    (accounts.activation.activation_issue)."""
    mode = creation_mode(by, org, role)
    user = _account_insert(by=by, username=username, full_name=full_name, email=email, phone=phone, password=None)
    role_give(by=by, user=user, org=org, role=role, mode=mode)
    return user


@transaction.atomic
def user_set_active(*, by: Actor, user: User, active: bool) -> User:
    """Deactivate (API token revoked; the next request of any session ends it) or reactivate an account."""
    if by.user is not None and by.user.pk == user.pk:
        raise UserError(_("不能停用或启用自己的账号。"))
    _ensure_manages_account(by, user)
    if user.is_active == active:
        raise UserError(_("该账号已经是启用状态。") if active else _("该账号已经停用。"))
    before = audit.snapshot(user, ACCOUNT_FIELDS)
    user.is_active = active
    user.save(update_fields=["is_active"])
    revoked = 0 if active else credentials_end(user)
    audit.record(
        by,
        "accounts.user.activate" if active else "accounts.user.deactivate",
        user,
        before=before,
        after=audit.snapshot(user, ACCOUNT_FIELDS),
        detail=None if active else {"tokens_revoked": revoked},
    )
    return user


@transaction.atomic
def user_reset_password(*, by: Actor, user: User) -> str:
    """Give another user a new random password that must be changed at next sign-in; returns it."""
    if by.user is not None and by.user.pk == user.pk:
        raise UserError(_("请在“我的账号”中修改自己的密码。"))
    _ensure_manages_account(by, user, password=True)
    before = audit.snapshot(user, ACCOUNT_FIELDS)
    password = generate_password()
    _remember_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    # An account still awaiting activation gets a password instead: its open activation ends with it.
    activations_revoked = 0
    if user.awaiting_activation:
        from accounts.models import Activation

        user.awaiting_activation = False
        activations_revoked = Activation.objects.filter(user=user, used_at=None, revoked_at=None).update(
            revoked_at=timezone.now()
        )
    user.save(update_fields=["password", "must_change_password", "password_changed_at", "awaiting_activation"])
    # The old password's API token and sessions end with it (issue 11).
    revoked = credentials_end(user)
    detail = {"tokens_revoked": revoked, "sessions_ended": True}
    if activations_revoked:
        detail["activations_revoked"] = activations_revoked
    audit.record(
        by,
        "accounts.user.reset_password",
        user,
        before=before,
        after=audit.snapshot(user, ACCOUNT_FIELDS),
        detail=detail,
    )
    return password


# ---------------------------------------------------------------- API tokens


@transaction.atomic
def token_create(*, by: Actor, user: User) -> str:
    """A new API token for the user themself (an earlier one stops working); the key is returned once."""
    if by.user is None or by.user.pk != user.pk:
        raise PermissionDenied(_("只能为自己创建 API 令牌。"))
    if second_factor_required(user):
        raise UserError(_("管理员账号须使用双因素登录，不能创建 API 令牌。"))
    replaced = Token.objects.filter(user=user).delete()[0] > 0
    token = Token.objects.create(user=user)
    # The token's primary key is its secret: the audit row names the user, never the token.
    audit.record(by, "accounts.token_create", user, after=None, detail={"replaced": replaced})
    return token.key


@transaction.atomic
def contact_update(*, by: Actor, user: User, phone: str, email: str) -> User:
    """A person keeps their own contact details (我的账号), which the deadline board shows to those who chase
    their reports."""
    if by.user is None or by.user.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的联系方式。"))
    phone = pii.clean_phone(phone)
    email = pii.clean_email(email)
    before = audit.snapshot(user, ACCOUNT_FIELDS)
    user.phone = phone
    user.email = BaseUserManager.normalize_email(email)
    user.save(update_fields=["phone", "email"])
    audit.record(by, "accounts.contact.update", user, before=before, after=audit.snapshot(user, ACCOUNT_FIELDS))
    return user


@transaction.atomic
def notice_delivery_update(*, by: Actor, user: User, notice_delivery: str) -> User:
    """A person chooses how their notifications reach them by e-mail (我的账号 › 通知邮件): each one,
    the daily digest of the unread ones, both, or none. The inbox is not affected; an unchanged
    choice writes nothing."""
    if by.user is None or by.user.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的通知邮件设置。"))
    if notice_delivery not in NoticeDelivery.values:
        raise UserError(_("通知邮件：请从列出的方式中选择一种。"), field="notice_delivery")
    if user.notice_delivery == notice_delivery:
        return user
    before = audit.snapshot(user, ("username", "notice_delivery"))
    user.notice_delivery = notice_delivery
    user.save(update_fields=["notice_delivery"])
    audit.record(
        by,
        "accounts.notice_delivery.update",
        user,
        before=before,
        after=audit.snapshot(user, ("username", "notice_delivery")),
    )
    return user


def token_revoke(*, by: Actor, user: User) -> None:
    if by.user is None or by.user.pk != user.pk:
        raise PermissionDenied(_("只能撤销自己的 API 令牌。"))
    if not Token.objects.filter(user=user).delete()[0]:
        raise UserError(_("您当前没有 API 令牌。"))
    audit.record(by, "accounts.token_revoke", user, after=None)


# ---------------------------------------------------------------- lockouts


def security_policy() -> list[tuple[str, str]]:
    """The security settings in force, as (label, value) lines for the security administrator."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    two_factor = "、".join(str(Role(r).label) for r in sorted(TWO_FACTOR_ROLES))
    return [
        (_("密码最小长度"), _("%(n)d个字符") % {"n": settings.PASSWORD_MIN_LENGTH}),
        (_("密码字符类别"), _("大写字母、小写字母、数字、符号中至少3类")),
        (_("密码历史"), _("不能重复使用最近%(n)d次的密码") % {"n": settings.PASSWORD_HISTORY}),
        (_("密码有效期"), _("%(n)d天") % {"n": settings.PASSWORD_MAX_AGE_DAYS}),
        (
            _("账号锁定"),
            _("同一用户名在同一地址连续失败%(n)d次，锁定%(m)d分钟") % {"n": settings.AXES_FAILURE_LIMIT, "m": minutes},
        ),
        (
            _("地址限制"),
            _("同一地址%(m)d分钟内失败%(n)d次，暂停登录")
            % {"m": address_window_minutes(), "n": settings.LOCKOUT_ADDRESS_FAILURES},
        ),
        (_("空闲超时"), _("%(n)d分钟") % {"n": settings.SESSION_IDLE_SECONDS // 60}),
        (_("会话最长时间"), _("%(n)d小时") % {"n": settings.SESSION_MAX_SECONDS // 3600}),
        (
            _("双因素认证"),
            _("%(roles)s必须使用") % {"roles": two_factor} if not settings.DEMO_MODE else _("演示模式下不要求"),
        ),
        (_("演示模式"), _("开启（仅限本地演示）") if settings.DEMO_MODE else _("关闭")),
    ]


@transaction.atomic
def lockout_reset(*, by: Actor, username: str, ip: str) -> int:
    """Lift the lock of a (username, address) pair before its cool-off ends; returns rows removed."""
    from axes.utils import reset

    ensure_action(by, Action.SECURITY_MANAGE)
    if not username or not ip:
        raise UserError(_("请指定要解锁的用户名和地址。"))
    removed = reset(ip=ip, username=username)
    if not removed:
        raise UserError(_("用户名“%(user)s”在地址 %(ip)s 没有被锁定。") % {"user": username, "ip": ip})
    audit.record(
        by,
        "accounts.lockout_reset",
        after=None,
        object_type="axes.accessattempt",
        object_repr=f"{username}@{ip}"[:300],
        detail={"username": username, "ip": ip, "attempts_removed": removed},
    )
    return removed


@transaction.atomic
def address_unblock(*, by: Actor, ip: str) -> None:
    """Lift the per-address throttle (password spraying guard) of one address."""
    ensure_action(by, Action.SECURITY_MANAGE)
    if not address_reset(ip):
        raise UserError(_("地址 %(ip)s 当前没有被限制登录。") % {"ip": ip})
    audit.record(by, "accounts.address_unblock", after=None, object_type="address", object_repr=ip, detail={"ip": ip})


# ---------------------------------------------------------------- installation


@dataclass(frozen=True)
class BootstrapResult:
    username: str
    role: str
    password: str | None  # None when the account existed already


BOOTSTRAP_ACCOUNTS = (
    ("sysadmin", Role.SYS_ADMIN, _("系统管理员")),
    ("secadmin", Role.SEC_ADMIN, _("安全管理员")),
    ("auditadmin", Role.AUDIT_ADMIN, _("审计管理员")),
)


@transaction.atomic
def admins_bootstrap(*, by: Actor, root: Organisation) -> list[BootstrapResult]:
    """The three separated administrators at `root`, each a distinct account that must change its
    random initial password; accounts that exist already are left as they are (idempotent)."""
    results = []
    for username, role, full_name in BOOTSTRAP_ACCOUNTS:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user, password = user_create(by=by, username=username, full_name=str(full_name), org=root, role=role)
            results.append(BootstrapResult(user.username, role, password))
            continue
        if not Membership.objects.filter(user=user, org=root, role=role, is_active=True).exists():
            membership_grant(by=by, user=user, org=root, role=role)
        results.append(BootstrapResult(user.username, role, None))
    return results
