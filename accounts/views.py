"""Account pages: sign-in and sign-out, password change, the TOTP second factor, "my account",
the security administrator's page, and user and role management delegated down the tree.

User pages answer 403 to people who may not manage users at all, 404 for a user outside the
subtrees where the requester holds a role (so ids leak nothing), and 403 for a user inside that
reach but outside the requester's USER_MANAGE scope. Writes go through accounts.services and
orgs.services, which check the same rules again.
"""

from __future__ import annotations

import io
import logging

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import queries, services
from accounts.forms import (
    AddressResetForm,
    ContactForm,
    LoginForm,
    MembershipGrantForm,
    NoticeDeliveryForm,
    OtpTokenForm,
    PasswordChangeForm,
    UserCreateForm,
    UserSearchForm,
)
from accounts.lockout import address_blocked, address_window_minutes, note_address_failure
from accounts.models import User
from accounts.queries import roles_grantable_somewhere
from core.actor import Actor
from core.errors import UserError
from orgs import services as org_services
from orgs.choices import Action, Role
from orgs.models import Membership
from orgs.roles import TWO_FACTOR_ROLES
from orgs.scoping import ensure_action, get_visible_or_404, roles_of

USERS_PER_PAGE = 50

# ---------------------------------------------------------------- sign-in

logger = logging.getLogger(__name__)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _after_login_url(request: HttpRequest, user: User) -> str:
    """Where a fresh session goes: the second factor, then a forced password change, then `next`."""
    if services.second_factor_pending(request):
        return reverse("accounts:otp_verify")
    if not settings.DEMO_MODE and (user.must_change_password or services.password_expired(user)):
        return reverse("accounts:password_change")
    return _next_url(request)


@login_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    """Username and password; locked pairs and throttled addresses are refused before checking."""
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        if address_blocked(request):
            services.login_failed(request, username=username, throttled=True)
            message = _("本地址登录失败次数过多，请%(m)d分钟后再试。如有疑问，请联系安全管理员。") % {
                "m": address_window_minutes()
            }
            response = render(request, "429.html", {"message": message}, status=429)
            response["Retry-After"] = str(address_window_minutes() * 60)
            return response
        if form.is_valid():
            user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
            if user is not None:
                try:
                    services.login_succeeded(request, user)
                except DatabaseError:
                    logger.exception("sign-in of %s not completed", user.username)
                    form.add_error(None, _("登录未能完成（服务器繁忙），请稍后再试一次。"))
                    return render(request, "accounts/login.html", context, status=503)
                return redirect(_after_login_url(request, user))
            note_address_failure(request)
            # axes marks the request when the pair is (or just became) locked; its middleware
            # then answers with accounts.lockout.lockout_response instead of this page.
            services.login_failed(
                request, username=form.cleaned_data["username"], locked=getattr(request, "axes_locked_out", False)
            )
            form.add_error(None, _("用户名或密码错误。"))
    elif request.GET.get("expired"):
        context["info"] = _("由于长时间未操作或登录时间过长，您已退出登录，请重新登录。")
    return render(request, "accounts/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_user(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Change one's own password: required at first sign-in and when it is too old."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                by=Actor.from_request(request), user=user, new_password=form.cleaned_data["new_password1"]
            )
        except services.PasswordRuleError as error:
            for message in error.messages:
                form.add_error("new_password1", message)
        else:
            update_session_auth_hash(request, user)  # keep this session; others end
            messages.success(request, _("密码已修改。"))
            return redirect(settings.LOGIN_REDIRECT_URL)
    if settings.DEMO_MODE:
        reason = ""
    elif user.must_change_password:
        reason = _("这是初始密码或管理员重置的密码，请先修改密码再继续使用。")
    elif services.password_expired(user):
        reason = _("您的密码已超过%(d)d天未修改，请修改后继续使用。") % {"d": settings.PASSWORD_MAX_AGE_DAYS}
    else:
        reason = ""
    return render(request, "accounts/password_change.html", {"form": form, "reason": reason})


# ---------------------------------------------------------------- second factor


def _qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG markup (no image file, no script, no external service)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2 :]
    return svg.replace("<svg ", '<svg class="otp-qr" role="img" ', 1)


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password: a code from the user's authenticator app."""
    device = services.otp_device_of(request.user)
    if device is None:
        return redirect("accounts:otp_setup")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.otp_verify(request, device=device, token=form.cleaned_data["token"])
        except DatabaseError:
            logger.exception("second factor of %s not completed", request.user.username)
            form.add_error(None, _("验证未能完成（服务器繁忙），请稍后用验证器上的新验证码再试一次。"))
            return render(request, "accounts/otp_verify.html", {"form": form}, status=503)
        if verified:
            return redirect(_after_login_url_verified(request))
        form.add_error("token", _otp_error(device))
    return render(request, "accounts/otp_verify.html", {"form": form})


def _after_login_url_verified(request: HttpRequest) -> str:
    user = request.user
    if not settings.DEMO_MODE and (user.must_change_password or services.password_expired(user)):
        return reverse("accounts:password_change")
    return _next_url(request)


def _otp_error(device: TOTPDevice) -> str:
    if services.otp_throttled(device):
        return _("验证失败次数过多，请稍候片刻再输入新的验证码。")
    return _("动态验证码不正确或已使用过，请输入验证器上的最新验证码。")


@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), then confirm with a code.

    A user who already has a device must have verified it in this session to replace it.
    """
    if services.otp_device_of(request.user) is not None and not request.user.is_verified():
        return redirect("accounts:otp_verify")
    # Showing the page writes nothing to the database (issue 11); a code offered stores the device.
    device = services.otp_device_pending(request, save=request.method == "POST")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.otp_device_confirm(request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, _("双因素认证已启用。以后登录时，请输入验证器上的动态验证码。"))
            return redirect(_after_login_url_verified(request))
        form.add_error("token", _otp_error(device))
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - markup made by qrcode from our own URI
        "secret": _grouped(services.otp_secret_base32(device)),
        "required": services.second_factor_required(request.user),
    }
    return render(request, "accounts/otp_setup.html", context)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# ---------------------------------------------------------------- my account


def _profile_context(request: HttpRequest) -> dict:
    user = request.user
    memberships = (
        Membership.objects.filter(user=user, is_active=True).select_related("org").order_by("org__path", "role")
    )
    token = Token.objects.filter(user=user).first()
    return {
        "memberships": list(memberships),
        "otp_device": services.otp_device_of(user),
        "otp_required": bool(roles_of(user) & TWO_FACTOR_ROLES),
        "token_created": token.created if token else None,
        "token_allowed": not services.second_factor_required(user),
        "password_expires": services.password_expires_on(user),
        "contact_form": ContactForm(initial={"phone": user.phone, "email": user.email}),
        "notice_delivery_form": NoticeDeliveryForm(initial={"notice_delivery": user.notice_delivery}),
    }


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """我的账号: my roles and organisations, my contact details, password, second factor and API token."""
    return render(request, "accounts/profile.html", _profile_context(request))


@require_POST
def contact_update(request: HttpRequest) -> HttpResponse:
    """My telephone and e-mail, which the people who chase my reports see (masked unless they may see them)."""
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_update(
                by=Actor.from_request(request),
                user=request.user,
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
            )
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("联系方式已保存。"))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {**_profile_context(request), "contact_form": form}, status=400)


@require_POST
def notice_delivery_update(request: HttpRequest) -> HttpResponse:
    """How my notifications reach me by e-mail: each one, the daily digest, both, or none."""
    form = NoticeDeliveryForm(request.POST)
    if form.is_valid():
        try:
            services.notice_delivery_update(
                by=Actor.from_request(request), user=request.user, notice_delivery=form.cleaned_data["notice_delivery"]
            )
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("通知邮件设置已保存。"))
            return redirect(reverse("accounts:profile") + "#notice-delivery")
    return render(
        request, "accounts/profile.html", {**_profile_context(request), "notice_delivery_form": form}, status=400
    )


@never_cache
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create (or replace) my API token and show it this once."""
    try:
        key = services.token_create(by=Actor.from_request(request), user=request.user)
    except UserError as error:
        messages.error(request, error.message)
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {**_profile_context(request), "new_token": key})


@require_POST
def token_revoke(request: HttpRequest) -> HttpResponse:
    try:
        services.token_revoke(by=Actor.from_request(request), user=request.user)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("API 令牌已撤销，使用它的程序将无法再访问。"))
    return redirect("accounts:profile")


# ---------------------------------------------------------------- security administrator


def _security_context(request: HttpRequest, address_form: AddressResetForm | None = None) -> dict:
    return {
        "lockouts": queries.lockouts_current(),
        "failures": queries.failures_recent(),
        "address_form": address_form or AddressResetForm(),
        "policy": services.security_policy(),
    }


@require_GET
def security(request: HttpRequest) -> HttpResponse:
    """Current lockouts, recent failed sign-ins and the security policy in force."""
    ensure_action(request.user, Action.SECURITY_MANAGE)
    return render(request, "accounts/security.html", _security_context(request))


@require_POST
def security_unlock(request: HttpRequest) -> HttpResponse:
    ensure_action(request.user, Action.SECURITY_MANAGE)
    username = request.POST.get("username", "")
    ip = request.POST.get("ip", "")
    try:
        services.lockout_reset(by=Actor.from_request(request), username=username, ip=ip)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已解除“%(user)s”在地址 %(ip)s 的锁定。") % {"user": username, "ip": ip})
    return redirect("accounts:security")


@require_POST
def security_address_reset(request: HttpRequest) -> HttpResponse:
    ensure_action(request.user, Action.SECURITY_MANAGE)
    form = AddressResetForm(request.POST)
    if form.is_valid():
        try:
            services.address_unblock(by=Actor.from_request(request), ip=form.cleaned_data["ip"])
        except UserError as error:
            form.add_error("ip", error.message)
        else:
            messages.success(request, _("已解除地址 %(ip)s 的登录限制。") % {"ip": form.cleaned_data["ip"]})
            return redirect("accounts:security")
    return render(request, "accounts/security.html", _security_context(request, form))


# ---------------------------------------------------------------- users and roles


def _target_user(request: HttpRequest, pk: int) -> User:
    """The user with `pk`: 404 outside the requester's reach, 403 inside it without USER_MANAGE."""
    user = get_object_or_404(User.objects.within_reach_of(request.user), pk=pk)
    if not User.objects.visible_to(request.user, Action.USER_MANAGE).filter(pk=user.pk).exists():
        raise PermissionDenied(_("您没有管理该用户的权限。"))
    return user


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    """The users the requester manages, searchable, 50 a page."""
    ensure_action(request.user, Action.USER_MANAGE)
    search = UserSearchForm(request.GET)
    text = search.cleaned_data["q"] if search.is_valid() else ""
    page = Paginator(queries.users_search(manager=request.user, text=text), USERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "search": search,
        "page_obj": page,
        "users": page.object_list,
        "q": text,
        "may_import": org_services.manages_accounts_somewhere(request.user),
    }
    partial = request.htmx and not request.htmx.history_restore_request
    return render(request, "accounts/user_list.html" + ("#results" if partial else ""), context)


@never_cache
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    """A new account with its first role; the initial password is shown on the answer, once."""
    ensure_action(request.user, Action.USER_MANAGE)
    if not org_services.manages_accounts_somewhere(request.user):
        raise PermissionDenied(services.SECURITY_ADMIN_MANAGES_NO_ACCOUNT)
    form = UserCreateForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                by=Actor.from_request(request),
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                org=data["org"],
                role=data["role"],
            )
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except PermissionDenied as error:
            form.add_error("role", str(error))
        else:
            return render(
                request, "accounts/password_issued.html", {"target": user, "password": password, "created": True}
            )
    return render(request, "accounts/user_form.html", {"form": form})


@require_GET
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A managed user: their roles inside the requester's scope, and what may be done to them."""
    user = _target_user(request, pk)
    return render(request, "accounts/user_detail.html", _detail_context(request, user))


def _detail_context(request: HttpRequest, user: User, grant_form: MembershipGrantForm | None = None) -> dict:
    memberships = list(queries.scoped_memberships(request.user).filter(user=user))
    outside = queries.outside_memberships(manager=request.user, user=user)
    grantable = {}
    for membership in memberships:
        if membership.org_id not in grantable:
            grantable[membership.org_id] = org_services.grantable_roles(request.user, membership.org)
        may_grant = user.pk != request.user.pk and membership.role in grantable[membership.org_id]
        membership.may_revoke = membership.is_active and may_grant
        membership.may_decide = membership.pending and may_grant
    return {
        "target": user,
        "memberships": memberships,
        "outside": outside,
        "is_self": user.pk == request.user.pk,
        "may_manage_account": any(org_services.manages_accounts(request.user, m.org) for m in memberships),
        "may_grant": bool(roles_grantable_somewhere(request.user)),
        "grant_form": grant_form or MembershipGrantForm(request.user),
    }


@require_POST
def membership_grant(request: HttpRequest, pk: int) -> HttpResponse:
    user = _target_user(request, pk)
    form = MembershipGrantForm(request.user, request.POST)
    if form.is_valid():
        try:
            org_services.membership_grant(
                by=Actor.from_request(request), user=user, org=form.cleaned_data["org"], role=form.cleaned_data["role"]
            )
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("已授予“%(user)s”在“%(org)s”的“%(role)s”角色。")
                % {"user": user, "org": form.cleaned_data["org"].name, "role": Role(form.cleaned_data["role"]).label},
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", _detail_context(request, user, form))


def _membership_action(request: HttpRequest, pk: int, membership_pk: int, service, done: str) -> HttpResponse:
    """Revoke or refuse one role of a managed user through `service`; the outcome as a message on the user's page."""
    user = _target_user(request, pk)
    membership = get_visible_or_404(
        Membership.objects.filter(user=user).select_related("org", "user"),
        request.user,
        Action.USER_MANAGE,
        pk=membership_pk,
    )
    if user.pk == request.user.pk:
        messages.error(request, _("不能撤销自己的角色，请由上级管理员办理。"))
        return redirect("accounts:user_detail", pk=user.pk)
    try:
        service(by=Actor.from_request(request), membership=membership)
    except UserError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, done % {"user": user, "org": membership.org.name, "role": membership.get_role_display()}
        )
    return redirect("accounts:user_detail", pk=user.pk)


@require_POST
def membership_revoke(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    return _membership_action(
        request, pk, membership_pk, org_services.membership_revoke, _("已撤销“%(user)s”在“%(org)s”的“%(role)s”角色。")
    )


@require_POST
def membership_refuse(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Refuse a role the system administrator requested for a new account (the security administrator's)."""
    return _membership_action(
        request,
        pk,
        membership_pk,
        org_services.membership_refuse,
        _("已驳回为“%(user)s”申请的“%(org)s”的“%(role)s”角色。"),
    )


@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = _target_user(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(by=Actor.from_request(request), user=user, active=active)
    except UserError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("账号已启用。") if active else _("账号已停用，其登录会话和 API 令牌随即失效。"))
    return redirect("accounts:user_detail", pk=user.pk)


@never_cache
@require_POST
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _target_user(request, pk)
    try:
        password = services.user_reset_password(by=Actor.from_request(request), user=user)
    except UserError as error:
        messages.error(request, error.message)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        return render(request, "accounts/password_issued.html", {"target": user, "password": password})
    return redirect("accounts:user_detail", pk=user.pk)


# ---------------------------------------------------------------- errors


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (or with another session's): 403, in Chinese."""
    message = _("页面已过期或缺少安全令牌，请刷新页面后重新提交。")
    return render(request, "403.html", {"exception": message}, status=403)
