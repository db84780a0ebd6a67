"""Password rules of GB/T 22239 level 3: length, three character classes, no reuse of recent ones."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _classes(password: str) -> int:
    groups = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(groups)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a message of our own: Django 5.2 changed its text and the zh_Hans
    catalogue still carries the old one, so the stock message would appear in English."""

    def get_error_message(self):
        return _("密码太短：至少需要%(n)d个字符。") % {"n": self.min_length}

    def get_help_text(self):
        return _("密码至少需要%(n)d个字符。") % {"n": self.min_length}


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if _classes(password) < self.min_classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、符号中的%(n)d类。") % {"n": self.min_classes},
                code="password_classes",
            )

    def get_help_text(self):
        return _("密码须至少包含大写字母、小写字母、数字、符号中的%(n)d类。") % {"n": self.min_classes}


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(_("密码不能超过%(n)d个字符。") % {"n": self.max_length}, code="password_too_long")

    def get_help_text(self):
        return _("密码不能超过%(n)d个字符。") % {"n": self.max_length}


class PasswordHistoryValidator:
    """Refuse the current password and the previous ones kept in PasswordHistory."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        keep = settings.PASSWORD_HISTORY
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password", flat=True)[: max(keep - 1, 0)])
        if any(check_password(password, h) for h in hashes if h):
            raise ValidationError(_("不能使用最近%(n)d次用过的密码。") % {"n": keep}, code="password_reused")

    def get_help_text(self):
        return _("不能使用最近%(n)d次用过的密码。") % {"n": settings.PASSWORD_HISTORY}
