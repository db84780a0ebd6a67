"""Model fields for personal data at rest (docs/personal-data.md). An app declares, with the reason it
collects each value:

    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, kind="phone",
                               purpose=_("联系信息员，通知改革工作事项"))
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, kind="id_number", purpose=...)
    id_number_index = BlindIndexField(source="id_number")

and finds a duplicate ID number, across key rotations, with:

    Person.objects.filter(index_lookup("id_number_index", typed)).exists()
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured
from django.db import models
from django.db.models import Q
from django.db.models.lookups import Exact, IsNull

from core import crypto
from core.masking import KINDS, mask


class _EmptyOnlyExact(Exact):
    # Each encryption draws a new nonce, so `phone="138…"` would never match: refuse it loudly.
    # Comparing with "" (no value given) still works, since empty values are stored as they are.
    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError("An encrypted field cannot be looked up by value: use its BlindIndexField.")
        return super().get_prep_lookup()


class EncryptedCharField(models.TextField):
    """Text encrypted on save and decrypted on load (core/crypto.py); "" and None are stored as they are.

    `purpose` says why the value is collected (PIPL art. 6, minimum necessary) and is required. `kind`
    (phone, id_number, email, other) decides how it is masked for display, export and the audit log.
    `max_length` limits the plaintext in forms; the column holds the longer ciphertext.
    """

    description = "Encrypted personal data"

    def __init__(self, *args: Any, purpose: Any = "", kind: str = "other", **kwargs: Any) -> None:
        if not str(purpose).strip():
            raise ImproperlyConfigured("EncryptedCharField needs a purpose: why is this personal data collected?")
        if kind not in KINDS:
            raise ImproperlyConfigured(f"EncryptedCharField kind {kind!r} is not one of {KINDS}.")
        if kwargs.get("unique") or kwargs.get("db_index") or kwargs.get("primary_key"):
            raise ImproperlyConfigured("An encrypted column cannot be unique or indexed: add a BlindIndexField.")
        self.purpose = purpose
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        if self.kind != "other":
            kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def get_lookup(self, lookup_name: str):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        return None  # contains, startswith, in, gt…: meaningless on ciphertext

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)

    def formfield(self, **kwargs):
        # One line, like a CharField: these are numbers and addresses, not paragraphs.
        return super().formfield(**{"widget": forms.TextInput, **kwargs})

    def masked(self, value: str | None) -> str:
        """The value as shown to anyone who has not asked for it in full."""
        return mask(self.kind, value) if value else ""


# Fixed: `<key id>$<64 hex>` fits in 80; filled by the program, never typed; looked up, so indexed.
_INDEX_OPTIONS = {"max_length": 80, "db_index": True, "blank": True, "default": "", "editable": False}


class BlindIndexField(models.CharField):
    """The keyed hash (core/crypto.py blind_index) of an EncryptedCharField of the same model, filled on
    every save from `source`, for equality lookups through `index_lookup`.

    Saves that name `update_fields` must name this field along with its source; `QuerySet.update()`
    does not fill it.
    """

    description = "Blind index of encrypted personal data"

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        if not source:
            raise ImproperlyConfigured("BlindIndexField needs source: the name of the EncryptedCharField it indexes.")
        self.source = source
        super().__init__(*args, **{**kwargs, **_INDEX_OPTIONS})

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for option in _INDEX_OPTIONS:
            kwargs.pop(option, None)
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        try:
            source = self.model._meta.get_field(self.source)
        except FieldDoesNotExist:
            source = None
        if not isinstance(source, EncryptedCharField):
            errors.append(
                checks.Error(
                    f"BlindIndexField source {self.source!r} is not an EncryptedCharField of this model.",
                    obj=self,
                    id="changai.E002",
                )
            )
        return errors

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def index_lookup(field_name: str, value: str) -> Q:
    """A filter matching rows whose BlindIndexField `field_name` indexes `value` under any known key;
    matches nothing for an empty value."""
    candidates = crypto.blind_index_candidates(value)
    if not candidates:
        return Q(pk__in=[])
    return Q(**{f"{field_name}__in": candidates})
