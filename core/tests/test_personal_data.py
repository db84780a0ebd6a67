"""Minimum necessary collection (SECURITY row 37, PIPL art. 6): an inventory of every installed model's fields.

A field whose name or label looks like personal data (phone, ID number, e-mail, address, birth date) must
be an EncryptedCharField that says why it is collected (and, for an ID or phone number, may be left
empty), or be listed in ALLOWED with the reason it is kept otherwise. A new, untagged field of that kind
fails here, naming the model and the field.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models
from django.test.utils import isolate_apps

from core.fields import BlindIndexField, EncryptedCharField
from core.masking import KINDS

# Parts of a field name (split on "_") that mean personal data, and the same in a Chinese label.
NAME_PARTS = {
    "phone", "mobile", "tel", "telephone", "cellphone", "email", "mail", "address", "addr",
    "birth", "birthday", "birthdate", "idcard", "passport",
}  # fmt: skip
NAME_PHRASES = ("id_number", "idnumber", "id_card", "identity_card", "身份证")
LABEL = re.compile("身份证|证件号|手机|电话|邮箱|电子邮件|住址|地址|出生")
# SECURITY row 37: nobody may be made to give these to be recorded.
OPTIONAL_KINDS = {"id_number", "phone"}

# "app_label.Model.field": why this field may hold personal data without being encrypted.
ALLOWED: dict[str, str] = {
    "accounts.User.email": "the account's own address, given by its holder to sign in and be notified; an "
    "account attribute, not a record kept about a worker",
    "core.AuditEntry.ip": "the client address every audit row must record (DJ 8.1.4.3b); masking it would "
    "defeat the audit",
    "core.Job.ip": "the address that started a background job, recorded for the same audit trail",
    "axes.AccessAttempt.ip_address": "the address of failed sign-ins, which the lockout is keyed on (row 4)",
    "axes.AccessFailureLog.ip_address": "the address of failed sign-ins, kept for the lockout and its audit",
    "axes.AccessLog.ip_address": "the address of sign-ins, kept for the lockout and its audit",
    "talent.Person.birth_year": "the year alone, for age groups (青年骨干, under 35) when no ID number is "
    "given; a year of birth identifies nobody",
}


def looks_personal(field: models.Field) -> bool:
    name = field.name.lower()
    if set(name.split("_")) & NAME_PARTS or any(phrase in name for phrase in NAME_PHRASES):
        return True
    return bool(LABEL.search(str(getattr(field, "verbose_name", "") or "")))


def problems(model_list) -> tuple[list[str], set[str]]:
    """(what is wrong, each as "app.Model.field: why"; the ALLOWED keys that were seen)."""
    found, seen = [], set()
    for model in model_list:
        for field in model._meta.concrete_fields:
            key = f"{model._meta.label}.{field.name}"
            if isinstance(field, EncryptedCharField):
                if not str(field.purpose).strip() or field.kind not in KINDS:
                    found.append(f"{key}: encrypted without a purpose or with an unknown kind")
                elif field.kind in OPTIONAL_KINDS and not field.blank:
                    found.append(f"{key}: an ID or phone number must be optional (blank=True)")
                continue
            if isinstance(field, BlindIndexField):
                # A keyed hash of an encrypted field, never its value (docs/personal-data.md, Blind index);
                # it must sit beside an encrypted source.
                if not isinstance(model._meta.get_field(field.source), EncryptedCharField):
                    found.append(f"{key}: a blind index of a field that is not encrypted")
                continue
            if not looks_personal(field):
                continue
            if key in ALLOWED:
                seen.add(key)
            else:
                found.append(f"{key}: looks like personal data; use EncryptedCharField(purpose=…) or allow it")
    return found, seen


def test_every_personal_data_field_is_encrypted_with_a_purpose_or_allowed_with_a_reason():
    found, seen = problems(apps.get_models())
    assert found == []
    assert sorted(set(ALLOWED) - seen) == []  # a stale allowance (field gone or renamed) fails too
    assert all(len(reason) > 20 for reason in ALLOWED.values())


def test_the_inventory_catches_an_untagged_field():
    with isolate_apps("core"):

        class Officer(models.Model):
            name = models.CharField(max_length=20)
            mobile = models.CharField(max_length=20)
            home = models.CharField("家庭住址", max_length=100)
            contact_email = models.EmailField()
            id_number = EncryptedCharField(kind="id_number", purpose="核对身份", blank=True)
            phone = EncryptedCharField(kind="phone", purpose="联系本人")  # required: refused
            description = models.TextField()  # no part of its name is a personal-data word

            class Meta:
                app_label = "core"

            def __str__(self):
                return self.name

    found, _seen = problems([Officer])
    flagged = [line.split(":")[0] for line in found]
    assert flagged == ["core.Officer.mobile", "core.Officer.home", "core.Officer.contact_email", "core.Officer.phone"]
