"""Password rules (SECURITY row 2): length, three character classes, common passwords, history."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import PasswordHistory
from orgs.tests.factories import make_user

PASSPHRASE_64 = "correct horse battery staple on the Dianchi lake in 2026 springs"


def messages_for(password, user=None) -> list[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("abc12345", ["这个密码太常见了。", "密码须至少包含大写字母、小写字母、数字、符号中的3类。"]),
        ("Password1", ["这个密码太常见了。"]),
        ("Ab1!xyz", ["密码太短：至少需要8个字符。"]),
        (
            "12345678",
            ["这个密码太常见了。", "密码只包含数字。", "密码须至少包含大写字母、小写字母、数字、符号中的3类。"],
        ),
        ("kunming-dianchi-lake", ["密码须至少包含大写字母、小写字母、数字、符号中的3类。"]),
        ("Kunming-Dianchi-2026", []),
    ],
)
def test_password_rules_in_chinese(password, expected):
    assert messages_for(password) == expected


def test_a_64_character_passphrase_is_accepted():
    assert len(PASSPHRASE_64) == 64
    assert messages_for(PASSPHRASE_64) == []


def test_more_than_128_characters_is_refused():
    assert messages_for("Aa1-" * 33) == ["密码不能超过128个字符。"]


def test_minimum_length_follows_the_validator_option():
    from accounts.validators import MinimumLengthValidator

    with pytest.raises(ValidationError) as error:
        MinimumLengthValidator(min_length=12).validate("Abcdef-1234")
    assert error.value.messages == ["密码太短：至少需要12个字符。"]
    MinimumLengthValidator(min_length=12).validate("Abcdef-12345")


@pytest.mark.django_db
def test_history_refuses_the_current_and_the_last_four_kept_passwords():
    from django.contrib.auth.hashers import make_password

    user = make_user(password_changed_at=None)
    old = [f"Old-Passw0rd-{n}" for n in range(6)]
    for password in old:  # newest first, as the model orders them
        PasswordHistory.objects.create(user=user, password=make_password(password))
    history = list(user.password_history.values_list("id", flat=True))
    assert len(history) == 6
    reused = "不能使用最近5次用过的密码。"
    # Current password plus the 4 newest history rows make the last 5.
    assert messages_for("Test-Passw0rd-2026", user) == [reused]
    newest = list(user.password_history.order_by("-created_at", "-id"))[:4]
    assert all(messages_for(p, user) == [reused] for p in old if any(_matches(p, h) for h in newest))
    older = [p for p in old if not any(_matches(p, h) for h in newest)]
    assert older and all(messages_for(p, user) == [] for p in older)


def _matches(password, history_row) -> bool:
    from django.contrib.auth.hashers import check_password

    return check_password(password, history_row.password)
