"""Test helpers for signing in: with a password through the login page, and with a second factor."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from orgs.tests.factories import TEST_PASSWORD

LOGIN_URL = "/accounts/login/"


def post_login(client: Client, username: str, password: str = TEST_PASSWORD, ip: str = "10.1.1.1", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


def totp_device(user, *, confirmed: bool = True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="test", confirmed=confirmed)


def totp_code(device: TOTPDevice, steps: int = 0) -> str:
    """The code `device` shows now (or `steps` time steps from now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code that no step inside the device's tolerance window shows."""
    near = {totp_code(device, s) for s in range(-device.tolerance - 1, device.tolerance + 2)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def login_verified(client: Client, user, device: TOTPDevice | None = None) -> TOTPDevice:
    """Sign `user` in with both factors (as after the TOTP step), without going through the pages."""
    client.force_login(user)
    device = device or totp_device(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def session_cookie_name() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def api_client(user=None, ip: str = "10.0.0.1", **extra):
    """An API client signed in as `user`: with a token for ordinary users; the three separated
    administrators' tokens are refused outside demo mode, so they get a session verified with
    both factors instead, as in real use."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from orgs.roles import TWO_FACTOR_ROLES
    from orgs.scoping import roles_of

    client = APIClient(REMOTE_ADDR=ip, **extra)
    if user is None:
        return client
    if roles_of(user) & TWO_FACTOR_ROLES:
        login_verified(client, user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client
