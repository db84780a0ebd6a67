"""Shapes of the ledger API. Read-only: nothing here writes (the views hand data to ledger.services)."""

from __future__ import annotations

from rest_framework import serializers

# --- Alerts and timeline ---


class AlertSerializer(serializers.Serializer):
    """One alert as the list shows it: organisation, kind, reason, evidence, since, days open."""

    id = serializers.IntegerField(source="alert.pk")
    org = serializers.CharField(source="alert.org.code")
    org_name = serializers.CharField(source="alert.org.name")
    union = serializers.CharField()
    prefecture = serializers.CharField()
    # Plain text, not an enum: "kind" enums of other apps would collide in the OpenAPI document.
    kind = serializers.CharField(source="alert.kind")
    kind_label = serializers.CharField(source="alert.get_kind_display")
    subject = serializers.CharField(source="alert.subject")
    reason = serializers.CharField(source="alert.reason")
    evidence = serializers.JSONField(source="alert.evidence")
    since = serializers.DateField(source="alert.since")
    raised_on = serializers.DateField(source="alert.raised_on")
    cleared_on = serializers.DateField(source="alert.cleared_on", allow_null=True)
    checked_on = serializers.DateField(source="alert.checked_on")
    days_open = serializers.IntegerField()


class TimelineEventSerializer(serializers.Serializer):
    """One dated event of an organisation's timeline."""

    on = serializers.DateField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()
    activity = serializers.BooleanField()
