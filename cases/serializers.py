"""Shapes of the case library API. Output serializers are read-only; inputs (`…Input`) only validate and refuse any
field they do not declare (core.api.StrictInput); the views hand validated data to cases.services."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cases.choices import KeyTask
from cases.models import Case, Replication
from core.api import StrictInput


class CaseSerializer(serializers.ModelSerializer):
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft、submitted、returned、published、withdrawn")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    tasks = serializers.ListField(source="task_values", child=serializers.CharField(), read_only=True)
    topics = serializers.SerializerMethodField()
    replication_count = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id", "title", "org_code", "org_name", "year", "summary", "tasks", "topics", "status", "status_label",
            "published_on", "replication_count", "snippet", "url", "version", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_topics(self, case) -> list[str]:
        return [t.name for t in case.topics.all()]

    def get_replication_count(self, case) -> int:
        total = getattr(case, "replication_total", None)
        return case.replications.count() if total is None else total

    def get_snippet(self, case) -> str:
        return str(getattr(case, "api_snippet", ""))

    def get_url(self, case) -> str:
        return reverse("cases:detail", args=[case.pk])


class CaseDetailSerializer(CaseSerializer):
    body = serializers.CharField(read_only=True)
    steps = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "body", "author_name", "author_position", "reason", "submitted_at",
                  "steps", "files"]  # fmt: skip
        read_only_fields = fields

    def get_steps(self, case) -> list[str]:
        return list(getattr(case, "api_steps", []))

    def get_files(self, case) -> list[dict]:
        return [
            {"id": f.pk, "name": f.original_name, "size": f.size, "content_type": f.content_type,
             "url": reverse("cases:file", args=[case.pk, f.pk])}
            for f in case.files.all()
        ]  # fmt: skip


class CaseInput(StrictInput):
    """POST /cases/: a new draft."""

    org = serializers.CharField(max_length=64, help_text=_("案例来源单位的机构代码"))
    title = serializers.CharField(max_length=120)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    summary = serializers.CharField(max_length=300)
    body = serializers.CharField(required=False, allow_blank=True, max_length=60_000, default="",
                                 help_text=_("HTML，服务器按统一白名单清理"))  # fmt: skip
    tasks = serializers.ListField(child=serializers.ChoiceField(choices=KeyTask.choices), required=False, default=list)
    topics = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    author_name = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    author_position = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")


class CaseUpdateInput(StrictInput):
    """PATCH /cases/{id}/: any of the fields, with the version the caller read."""

    version = serializers.IntegerField(min_value=1, required=False)
    org = serializers.CharField(max_length=64, required=False)
    title = serializers.CharField(max_length=120, required=False)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    summary = serializers.CharField(max_length=300, required=False)
    body = serializers.CharField(required=False, allow_blank=True, max_length=60_000)
    tasks = serializers.ListField(child=serializers.ChoiceField(choices=KeyTask.choices), required=False)
    topics = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    author_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    author_position = serializers.CharField(required=False, allow_blank=True, max_length=60)


class CaseStepInput(StrictInput):
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class ReplicationSerializer(serializers.ModelSerializer):
    case_title = serializers.CharField(source="case.title", read_only=True)
    source_code = serializers.CharField(source="case.org.code", read_only=True)
    org_code = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Replication
        fields = ["id", "case", "case_title", "source_code", "org_code", "org_name", "adopted_on", "adopted",
                  "result", "version", "created_at"]  # fmt: skip
        read_only_fields = fields


class ReplicationInput(StrictInput):
    """POST /case-replications/: an organisation adopted a published case."""

    case = serializers.IntegerField(min_value=1)
    org = serializers.CharField(max_length=64, help_text=_("借鉴单位的机构代码"))
    adopted_on = serializers.DateField()
    adopted = serializers.CharField(max_length=1000)
    result = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
