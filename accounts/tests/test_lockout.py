"""Escaping of attempted usernames (SECURITY row 20) and the per-address throttle (password spraying)."""

import pytest
from django.test import RequestFactory, override_settings

from accounts.lockout import (
    address_blocked,
    address_failures,
    address_reset,
    escape_control,
    note_address_failure,
    username_from_request,
)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a\r\nfake", "a\\r\\nfake"),
        ("tab\there", "tab\\there"),
        ("nul\x00byte", "nul\\u0000byte"),
        ("rtl\u202eevil", "rtl\\u202eevil"),
        ("line\u2028sep", "line\\u2028sep"),
        ("back\\slash", "back\\\\slash"),
        ("张三_zhang", "张三_zhang"),
    ],
)
def test_escape_control_keeps_one_printable_line(raw, escaped):
    assert escape_control(raw) == escaped
    assert "\n" not in escape_control(raw) and "\r" not in escape_control(raw)


def test_axes_counts_the_escaped_lower_cased_username():
    request = RequestFactory().post("/accounts/login/", {"username": " Zhang\r\nFAKE "})
    assert username_from_request(request, None) == "zhang\\r\\nfake"
    assert username_from_request(request, {"username": "ADMIN"}) == "admin"
    assert len(username_from_request(request, {"username": "x" * 400})) == 150


@override_settings(LOCKOUT_ADDRESS_FAILURES=3)
def test_an_address_is_throttled_after_failures_across_usernames():
    factory = RequestFactory()
    spray = factory.post("/accounts/login/", REMOTE_ADDR="10.9.9.9")
    elsewhere = factory.post("/accounts/login/", REMOTE_ADDR="10.9.9.10")
    for _ in range(2):
        note_address_failure(spray)
    assert not address_blocked(spray)
    note_address_failure(spray)
    assert address_blocked(spray)
    assert address_failures("10.9.9.9") == 3
    assert not address_blocked(elsewhere)
    assert address_reset("10.9.9.9") is True
    assert not address_blocked(spray)
    assert address_reset("10.9.9.9") is False
