"""Personal data at rest (SECURITY rows 20, 34, 36): core/crypto.py, core/fields.py, core/masking.py,
core/pii.py, and the masked audit snapshot.

The model is a test-only one, registered outside the app registry and stored in a table created inside
the test's own transaction (so it leaves nothing behind and needs no migration).
"""

import base64
import json
import re
import secrets

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, PermissionDenied
from django.db import connection, models
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import isolate_apps

from changai.settings import _pii_keys
from core import audit, checks, crypto
from core.actor import Actor
from core.fields import BlindIndexField, EncryptedCharField, index_lookup
from core.masking import mask, mask_email, mask_id_number, mask_phone
from core.models import AuditEntry
from core.pii import reveal, reveal_response, shown

PHONE = "13812345678"
ID_NUMBER = "53010219900101123X"
# What SECURITY row 34 greps a database dump for.
ID_PATTERN = re.compile(r"[0-9]{17}[0-9Xx]")
PHONE_PATTERN = re.compile(r"1[3-9][0-9]{9}")


def new_key() -> bytes:
    return secrets.token_bytes(32)


@pytest.fixture
def person_model(db):
    with isolate_apps("core"):

        class Person(models.Model):
            id = models.IntegerField(primary_key=True)
            name = models.CharField(max_length=50)
            phone = EncryptedCharField(max_length=20, blank=True, kind="phone", purpose="测试：联系本人")
            id_number = EncryptedCharField(max_length=18, blank=True, kind="id_number", purpose="测试：识别本人")
            id_number_index = BlindIndexField(source="id_number")

            class Meta:
                app_label = "core"
                db_table = "test_pii_person"
                managed = False

            def __str__(self):
                return self.name

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE test_pii_person (id integer PRIMARY KEY, name varchar(50) NOT NULL, phone text NOT NULL,"
            " id_number text NOT NULL, id_number_index varchar(80) NOT NULL)"
        )
    return Person


@pytest.fixture
def person(person_model):
    return person_model.objects.create(id=1, name="张三", phone=PHONE, id_number=ID_NUMBER)


def stored_row(pk: int = 1) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_number, id_number_index FROM test_pii_person WHERE id = %s", [pk])
        return cursor.fetchone()


# --- ciphers and keys -----------------------------------------------------------------------------


def test_this_build_has_sm4_and_sm3():
    # SECURITY decision 4: the 密评 default must work here, not only the AES fallback.
    assert crypto.algorithm_available("sm4-gcm")
    assert crypto.algorithm_available("aes-256-gcm")
    assert crypto.sm3_available()


@pytest.mark.parametrize("algorithm", ["sm4-gcm", "aes-256-gcm"])
def test_round_trip_with_each_algorithm(settings, algorithm):
    settings.PII_KEYS = {"k1": new_key()}
    settings.PII_ALGORITHM = algorithm

    for text in (PHONE, ID_NUMBER, "云南省昆明市五华区"):
        token = crypto.encrypt(text)
        assert token.split("$")[:3] == ["v1", "k1", algorithm]
        assert text not in token
        assert crypto.decrypt(token) == text


def test_each_encryption_draws_a_new_nonce(settings):
    settings.PII_KEYS = {"k1": new_key()}
    assert crypto.encrypt(PHONE) != crypto.encrypt(PHONE)


def test_a_value_written_under_one_algorithm_opens_after_switching_to_the_other(settings):
    settings.PII_KEYS = {"k1": new_key()}
    settings.PII_ALGORITHM = "sm4-gcm"
    token = crypto.encrypt(PHONE)
    settings.PII_ALGORITHM = "aes-256-gcm"
    assert crypto.decrypt(token) == PHONE
    assert crypto.encrypt(PHONE).split("$")[2] == "aes-256-gcm"


def test_key_rotation_keeps_old_values_readable_and_writes_with_the_first_key(settings):
    old, new = new_key(), new_key()
    settings.PII_KEYS = {"old": old}
    token = crypto.encrypt(ID_NUMBER)

    settings.PII_KEYS = {"new": new, "old": old}
    assert crypto.decrypt(token) == ID_NUMBER
    assert crypto.encrypt(ID_NUMBER).split("$")[1] == "new"

    settings.PII_KEYS = {"new": new}  # the old key dropped too early
    with pytest.raises(crypto.DecryptionError, match="sealed with key 'old'"):
        crypto.decrypt(token)


def test_without_configured_keys_the_key_comes_from_secret_key(settings):
    settings.PII_KEYS = {}
    token = crypto.encrypt(PHONE)
    assert token.split("$")[1] == crypto.FALLBACK_KEY_ID
    assert crypto.uses_fallback_key()

    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    with pytest.raises(crypto.DecryptionError, match="integrity"):
        crypto.decrypt(token)


@pytest.mark.parametrize("algorithm", ["sm4-gcm", "aes-256-gcm"])
def test_an_altered_value_raises_instead_of_returning_garbage(settings, algorithm):
    settings.PII_KEYS = {"k1": new_key(), "k2": new_key()}
    settings.PII_ALGORITHM = algorithm
    token = crypto.encrypt(PHONE)
    header, data = token.rsplit("$", 1)
    raw = bytearray(base64.b64decode(data))
    raw[-20] ^= 1  # one bit of the ciphertext
    flipped = f"{header}${base64.b64encode(bytes(raw)).decode()}"
    other_algorithm = "aes-256-gcm" if algorithm == "sm4-gcm" else "sm4-gcm"

    cases = {
        flipped: "integrity check under key 'k1'",
        token.replace("$k1$", "$k2$"): "integrity check under key 'k2'",  # the header is authenticated
        token.replace(algorithm, other_algorithm): "integrity",
        f"{header}$AAAA": "too short",
        f"{header}$not base64!": "not valid base64",
        f"{header}$数据": "not valid base64",
        PHONE: "not an encrypted personal-data value",
    }
    for value, message in cases.items():
        with pytest.raises(crypto.DecryptionError, match=re.escape(message)) as caught:
            crypto.decrypt(value)
        assert PHONE not in str(caught.value)


def test_pii_keys_are_parsed_from_hex_or_base64_and_refused_when_short():
    hex_secret = "ab" * 32
    url_safe = secrets.token_urlsafe(32)  # 43 characters, no padding
    keys = _pii_keys(f"k1:{hex_secret}, k0:{url_safe}")
    assert list(keys) == ["k1", "k0"]
    assert keys["k1"] == bytes(32 * [0xAB])
    assert len(keys["k0"]) == 32
    assert _pii_keys("") == {}

    for raw in ("k1:" + "ab" * 16, "k1:short", "bad id:" + hex_secret, f"k1:{hex_secret},k1:{url_safe}"):
        with pytest.raises(ImproperlyConfigured, match="CHANGAI_PII_KEYS"):
            _pii_keys(raw)


# --- the model field: what the database holds -----------------------------------------------------


def test_the_database_holds_no_plaintext(settings, person_model):
    settings.PII_KEYS = {"k1": new_key()}
    person_model.objects.create(id=1, name="张三", phone=PHONE, id_number=ID_NUMBER)

    stored = stored_row()
    phone, id_number, index = stored
    for column in stored:
        assert "12345678" not in column and "19900101" not in column
    # The grep of row 34 over the ciphertexts (base64: eleven digits in a row by chance is ~1e-7). The blind
    # index is a hex HMAC under a random key, where a run of digits is chance, not a leak: it is checked
    # for its shape instead.
    for column in (phone, id_number):
        assert not ID_PATTERN.search(column), column
        assert not PHONE_PATTERN.search(column), column
    assert phone.startswith("v1$k1$sm4-gcm$") and id_number.startswith("v1$k1$sm4-gcm$")
    assert index.startswith("k1$") and len(index) == len("k1$") + 64

    loaded = person_model.objects.get(pk=1)
    assert (loaded.phone, loaded.id_number) == (PHONE, ID_NUMBER)


def test_empty_values_are_stored_empty_and_not_indexed(person_model):
    person_model.objects.create(id=1, name="李四")
    assert stored_row() == ("", "", "")
    loaded = person_model.objects.get(pk=1)
    assert (loaded.phone, loaded.id_number) == ("", "")
    assert person_model.objects.filter(phone="").count() == 1


def test_an_altered_column_fails_to_load(person):
    phone, _id_number, _index = stored_row()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE test_pii_person SET phone = %s WHERE id = 1", [phone[:-6] + "AAAAAA"])
    with pytest.raises(crypto.DecryptionError, match="integrity"):
        type(person).objects.get(pk=1)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE test_pii_person SET phone = %s WHERE id = 1", ["13900000000"])  # plaintext put in
    with pytest.raises(crypto.DecryptionError, match="not an encrypted"):
        type(person).objects.get(pk=1)


def test_looking_up_an_encrypted_column_by_value_is_refused(person_model):
    with pytest.raises(FieldError, match="BlindIndexField"):
        person_model.objects.filter(phone=PHONE).exists()
    with pytest.raises(FieldError):
        person_model.objects.filter(phone__contains="1381").exists()


def test_field_declarations_are_checked_and_deconstructed():
    with pytest.raises(ImproperlyConfigured, match="purpose"):
        EncryptedCharField(kind="phone")
    with pytest.raises(ImproperlyConfigured, match="kind"):
        EncryptedCharField(kind="fax", purpose="测试")
    with pytest.raises(ImproperlyConfigured, match="BlindIndexField"):
        EncryptedCharField(unique=True, purpose="测试")

    field = EncryptedCharField("电话", max_length=20, blank=True, kind="phone", purpose="联系本人")
    _name, path, args, kwargs = field.deconstruct()
    assert path == "core.fields.EncryptedCharField"
    assert kwargs == {"verbose_name": "电话", "max_length": 20, "blank": True, "kind": "phone", "purpose": "联系本人"}
    rebuilt = EncryptedCharField(*args, **kwargs)
    assert (rebuilt.kind, rebuilt.purpose, rebuilt.max_length) == ("phone", "联系本人", 20)

    index = BlindIndexField(source="id_number")
    _name, path, args, kwargs = index.deconstruct()
    assert (path, kwargs) == ("core.fields.BlindIndexField", {"source": "id_number"})
    rebuilt = BlindIndexField(*args, **kwargs)
    assert (rebuilt.max_length, rebuilt.db_index, rebuilt.editable) == (80, True, False)


def test_a_blind_index_must_point_at_an_encrypted_field():
    with isolate_apps("core"):

        class Broken(models.Model):
            name = models.CharField(max_length=10)
            name_index = BlindIndexField(source="name")

            class Meta:
                app_label = "core"

            def __str__(self):
                return self.name

        errors = Broken._meta.get_field("name_index").check()
    assert [e.id for e in errors] == ["changai.E002"]


# --- the blind index ------------------------------------------------------------------------------


def test_blind_index_normalises_space_case_and_width(settings):
    settings.PII_KEYS = {"k1": new_key()}
    index = crypto.blind_index("53010219900101123X")
    assert crypto.blind_index(" 53010219900101123x") == index
    assert crypto.blind_index("５３０１０２１９９００１０１１２３Ｘ") == index  # full-width, as typed in some IMEs
    assert crypto.blind_index("530102199001011234") != index
    assert crypto.blind_index("  ") == ""
    assert "530102" not in index


def test_blind_index_finds_a_duplicate_across_a_key_rotation(settings, person_model):
    old = new_key()
    settings.PII_KEYS = {"old": old}
    person_model.objects.create(id=1, name="张三", id_number=ID_NUMBER)
    settings.PII_KEYS = {"new": new_key(), "old": old}
    person_model.objects.create(id=2, name="王五", id_number="110105194912310029")

    found = person_model.objects.filter(index_lookup("id_number_index", " 53010219900101123x"))
    assert list(found.values_list("pk", flat=True)) == [1]
    assert not person_model.objects.filter(index_lookup("id_number_index", "")).exists()
    assert stored_row(2)[2].startswith("new$")


# --- masking --------------------------------------------------------------------------------------


def test_masking_functions():
    assert mask_phone(PHONE) == "138****5678"
    assert mask_id_number(ID_NUMBER) == "5301**********123X"
    assert mask_email("alice.wang@example.com") == "a***@example.com"
    assert mask_email("not-an-address") == "n************s"
    assert mask("phone", PHONE) == "138****5678"
    assert mask("id_number", ID_NUMBER) == "5301**********123X"
    assert mask("email", "li@example.cn") == "l***@example.cn"
    assert mask("other", "张三丰") == "张*丰"
    with pytest.raises(ValueError, match="fax"):
        mask("fax", PHONE)


def test_shown_masks_by_the_fields_kind_in_code_and_templates(person):
    assert shown(person, "phone") == "138****5678"
    assert shown(person, "id_number") == "5301**********123X"
    rendered = Template('{% load changai %}{{ p|shown:"phone" }}').render(Context({"p": person}))
    assert rendered == "138****5678"
    with pytest.raises(ValueError, match="not an EncryptedCharField"):
        shown(person, "name")


def test_the_audit_snapshot_masks_encrypted_fields_and_drops_the_index(person):
    before = audit.snapshot(person)
    assert before["phone"] == "138****5678"
    assert before["id_number"] == "5301**********123X"
    assert "id_number_index" not in before

    person.phone = "13998765432"
    person.save()
    entry = audit.record(Actor.system("test"), "test.event", person, before=before)
    text = json.dumps([entry.before, entry.after], ensure_ascii=False)
    assert entry.after["phone"] == "139****5432"
    for secret in (PHONE, "13998765432", ID_NUMBER, "v1$"):
        assert secret not in text


# --- reveal ---------------------------------------------------------------------------------------


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user(username="viewer", password="Long-enough-1")


def audit_text(entry: AuditEntry) -> str:
    return json.dumps([entry.before, entry.after, entry.detail, entry.object_repr], ensure_ascii=False)


def test_reveal_returns_the_full_value_and_writes_one_audit_row_without_it(person, viewer):
    value = reveal(viewer, person, "id_number", reason="核实重复登记")

    assert value == ID_NUMBER
    entry = AuditEntry.objects.get()
    assert (entry.event, entry.user_id, entry.object_id) == ("core.pii.reveal", viewer.pk, "1")
    assert entry.detail == {"field": "id_number", "kind": "id_number", "reason": "核实重复登记"}
    assert ID_NUMBER not in audit_text(entry) and "v1$" not in audit_text(entry)


def test_reveal_refuses_a_signed_out_viewer_and_writes_nothing(person):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        reveal(AnonymousUser(), person, "phone")
    with pytest.raises(ValueError, match="not an EncryptedCharField"):
        reveal(AnonymousUser(), person, "name")
    assert not AuditEntry.objects.exists()


def test_reveal_response_answers_a_post_only_never_cached(person, viewer):
    factory = RequestFactory()
    get = factory.get("/reveal")
    get.user = viewer
    assert reveal_response(get, person, "phone").status_code == 405
    assert not AuditEntry.objects.exists()

    post = factory.post("/reveal", {"reason": "电话回访"}, REMOTE_ADDR="10.2.3.4")
    post.user = viewer
    response = reveal_response(post, person, "phone")

    assert response.status_code == 200
    assert response.content.decode() == f'<span class="pii-full">{PHONE}</span>'
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get()
    assert (entry.event, entry.ip, entry.detail["reason"]) == ("core.pii.reveal", "10.2.3.4", "电话回访")
    assert PHONE not in audit_text(entry)


# --- checks ---------------------------------------------------------------------------------------


def test_deploy_check_warns_while_personal_data_uses_the_fallback_key(settings):
    settings.PII_KEYS = {}
    assert [w.id for w in checks.personal_data_keys(None)] == ["changai.W003"]
    settings.PII_KEYS = {"k1": new_key()}
    assert checks.personal_data_keys(None) == []


def test_check_refuses_an_algorithm_this_build_lacks(settings, monkeypatch):
    assert checks.personal_data_algorithm(None) == []
    monkeypatch.setattr(crypto, "algorithm_available", lambda algorithm: algorithm != "sm4-gcm")
    settings.PII_ALGORITHM = "sm4-gcm"
    assert [e.id for e in checks.personal_data_algorithm(None)] == ["changai.E001"]
