"""JSON shapes of the ledger API. Inputs are parsed here; the services check and write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.masking import mask_phone, mask_value
from ledger.choices import GroupRole, OfficerKind
from ledger.models import GroupMember, Ledger, Officer, TaskUpdate

# --- Ledgers, members, officers, updates -------------------------------------------------------------------


class LedgerSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    plan_reform_year = serializers.SerializerMethodField()

    class Meta:
        model = Ledger
        fields = [
            "id", "org_code", "org_name", "listed_on", "plan_issued_on", "plan_reform_year", "plan_title",
            "plan_issuer", "plan_doc_number", "group_established_on", "group_doc_number", "method_issued_on",
            "method_title", "method_doc_number", "notes", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_plan_reform_year(self, ledger) -> int | None:
        return self.context["settings"].reform_year(ledger.plan_issued_on)


class LedgerInput(serializers.Serializer):
    """PATCH /ledger/ledgers/{code}/: any of these fields, with the version the caller read."""

    version = serializers.IntegerField(min_value=1)
    plan_issued_on = serializers.DateField(required=False, allow_null=True)
    plan_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plan_issuer = serializers.CharField(required=False, allow_blank=True, max_length=200)
    plan_doc_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    group_established_on = serializers.DateField(required=False, allow_null=True)
    group_doc_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    method_issued_on = serializers.DateField(required=False, allow_null=True)
    method_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    method_doc_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class LedgerCreateInput(serializers.Serializer):
    org = serializers.CharField(max_length=64, help_text=_("机构代码"))


class MemberSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="ledger.org.code", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = GroupMember
        fields = ["id", "org_code", "name", "position", "role", "role_label", "joined_on", "left_on", "user"]
        read_only_fields = fields


class MemberInput(serializers.Serializer):
    org = serializers.CharField(max_length=64, help_text=_("机构代码"))
    name = serializers.CharField(max_length=100)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=GroupRole.choices)
    joined_on = serializers.DateField()
    user = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class EndInput(serializers.Serializer):
    left_on = serializers.DateField()


class OfficerSerializer(serializers.ModelSerializer):
    """An officer with the contact details masked (the full ones only through the audited `reveal`)."""

    org_code = serializers.CharField(source="ledger.org.code", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    phone = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()

    class Meta:
        model = Officer
        fields = ["id", "org_code", "kind", "kind_label", "name", "position", "phone", "email", "started_on",
                  "left_on", "user"]  # fmt: skip
        read_only_fields = fields

    def get_phone(self, officer) -> str:
        return mask_phone(officer.phone) if officer.phone else ""

    def get_email(self, officer) -> str:
        return mask_value("email", officer.email) if officer.email else ""


class OfficerInput(serializers.Serializer):
    org = serializers.CharField(max_length=64, help_text=_("机构代码"))
    kind = serializers.ChoiceField(choices=OfficerKind.choices)
    name = serializers.CharField(max_length=100)
    position = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    started_on = serializers.DateField()
    user = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ContactSerializer(serializers.Serializer):
    phone = serializers.CharField()
    email = serializers.CharField()


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskUpdate
        fields = ["id", "task", "on", "value", "note", "document", "by", "created_at"]
        read_only_fields = fields


class UpdateInput(serializers.Serializer):
    task = serializers.IntegerField(min_value=1)
    on = serializers.DateField()
    note = serializers.CharField(max_length=5000)
    value = serializers.DecimalField(max_digits=20, decimal_places=4, required=False, allow_null=True)
