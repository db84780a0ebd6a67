"""The publishing API (/api/v1/publishing/…): submissions with their steps, issues with their documents.

The same door as the pages: submissions through `Submission.objects.visible_to` (404 outside the scope),
issues through `Issue.objects.visible_to` (the office all, others the issued ones on their distribution);
writes through the services (403 inside the scope without the right, 409 on a stale version or a state
that does not allow the step, 400 with a Chinese message for bad input).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from core.actor import Actor
from core.api import StrictInput, ThrottleFirstMixin
from publishing import queries as q
from publishing.choices import SubmissionKind
from publishing.services import documents as document_services
from publishing.services import reports as report_services
from publishing.services import submissions as services

KIND_HELP = "类别：" + "、".join(f"{value} {label}" for value, label in SubmissionKind.choices)

# --- Serializers -------------------------------------------------------------------------------------------------


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    author = serializers.CharField()
    body = serializers.CharField(help_text="HTML（服务器按白名单清理）")
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    issue = serializers.IntegerField(source="issue_id", allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()


class SubmissionInput(StrictInput):
    org = serializers.CharField(max_length=64, help_text="报送单位代码")
    kind = serializers.CharField(max_length=16, help_text=KIND_HELP)
    title = serializers.CharField(max_length=200)
    author = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="", max_length=60_000)
    submit = serializers.BooleanField(required=False, default=False)


class SubmissionUpdateInput(StrictInput):
    version = serializers.IntegerField(min_value=1)
    kind = serializers.CharField(max_length=16, required=False, help_text=KIND_HELP)
    title = serializers.CharField(max_length=200, required=False)
    author = serializers.CharField(max_length=100, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, max_length=60_000)


class SubmissionStepInput(StrictInput):
    version = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    issue = serializers.IntegerField(required=False, min_value=1, help_text="采用到的快报编号（草稿）")


class IssueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    series = serializers.CharField(source="series.name")
    date = serializers.DateField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    number = serializers.CharField(source="number_text", help_text="如“2021年第14期 总第52期”；定稿前为空")
    year = serializers.IntegerField(allow_null=True)
    year_number = serializers.IntegerField(allow_null=True)
    running_number = serializers.IntegerField(allow_null=True)
    editor_note = serializers.CharField()
    print_line = serializers.CharField(source="print_text")
    version = serializers.IntegerField()


class ArticleSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    date_line = serializers.CharField()
    speaker_line = serializers.CharField()
    body = serializers.CharField()
    submission = serializers.IntegerField(source="submission_id", allow_null=True)


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    format = serializers.CharField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    issue_version = serializers.IntegerField()
    as_of = serializers.DateField()
    url = serializers.SerializerMethodField()

    def get_url(self, row) -> str:
        from django.urls import reverse

        return reverse("publishing:document", kwargs={"pk": row.issue_id, "document": row.pk})


class IssueDetailSerializer(IssueSerializer):
    articles = ArticleSerializer(many=True, source="api_articles")
    report = serializers.ListField(child=serializers.CharField(), source="api_report")
    send = serializers.ListField(child=serializers.CharField(), source="api_send")
    documents = DocumentSerializer(many=True, source="api_documents")


class JobSerializer(serializers.Serializer):
    job = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, job) -> str:
        from django.urls import reverse

        return reverse("core:job_detail", args=[job.pk])


# --- Submissions -------------------------------------------------------------------------------------------------


class SubmissionViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Information submissions in the caller's scope: list, read, create, change, and the editorial steps."""

    serializer_class = SubmissionSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        items = q.submissions_visible(self.request.user).order_by("-id")
        state = (self.request.query_params.get("status") or "").strip()
        if state:
            items = items.filter(status=state)
        return items

    def get_object(self):
        return q.submission_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(request=SubmissionInput, responses={201: SubmissionSerializer})
    def create(self, request):
        payload = SubmissionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        from django.http import Http404

        from orgs.models import Organisation
        from orgs.scoping import get_visible_or_404

        try:  # one answer for "no such organisation" and "not yours"
            org = get_visible_or_404(Organisation.objects, request.user, code=data["org"])
        except Http404:
            raise ValidationError(
                {"org": [_("找不到单位“%(code)s”，或您无权为其报送。") % {"code": data["org"]}]}
            ) from None
        item = services.submission_create(
            by=Actor.from_request(request), org=org, kind=data["kind"], title=data["title"], body=data["body"],
            author=data["author"], submit=data["submit"],
        )  # fmt: skip
        return Response(SubmissionSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SubmissionUpdateInput, responses=SubmissionSerializer)
    def partial_update(self, request, pk=None):
        item = self.get_object()
        payload = SubmissionUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        item = services.submission_update(by=Actor.from_request(request), submission=item, version=version, **data)
        return Response(SubmissionSerializer(item).data)

    def _step(self, request, step: str) -> Response:
        item = self.get_object()
        payload = SubmissionStepInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        issue = None
        if data.get("issue"):
            issue = q.draft_issues(request.user).filter(pk=data["issue"]).first()
            if issue is None:
                raise ValidationError({"issue": [_("找不到草稿状态的快报 %(id)s。") % {"id": data["issue"]}]})
        item = services.submission_step(
            by=Actor.from_request(request), submission=item, step=step, version=data["version"],
            reason=data.get("reason", ""), issue=issue,
        )  # fmt: skip
        return Response(SubmissionSerializer(item).data)

    @extend_schema(request=SubmissionStepInput, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """报送: a draft or a returned item goes to the office."""
        return self._step(request, "submit")

    @extend_schema(request=SubmissionStepInput, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        """接收编辑 (the office)."""
        return self._step(request, "take")

    @extend_schema(request=SubmissionStepInput, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """退回修改, with a reason (the office)."""
        return self._step(request, "return")

    @extend_schema(request=SubmissionStepInput, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """采用 into a draft issue (`issue`), as its last article (the office)."""
        return self._step(request, "accept")

    @extend_schema(request=SubmissionStepInput, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """不采用, with a reason (the office)."""
        return self._step(request, "decline")


# --- Issues ------------------------------------------------------------------------------------------------------


class IssueViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Newsletter issues the caller may read, with their articles, distribution and generated files."""

    serializer_class = IssueSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        from core import search

        issues = q.issues_visible(self.request.user).order_by("-date", "-id")
        query = (self.request.query_params.get("q") or "").strip()
        if query:
            from publishing.views.issues import SEARCHED

            issues = search.search(issues, SEARCHED, query).distinct()
        return issues

    def get_object(self):
        return q.issue_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(responses=IssueDetailSerializer)
    def retrieve(self, request, pk=None):
        issue = self.get_object()
        issue.api_articles = list(issue.articles.order_by("position", "id"))
        recipients = list(issue.recipients.select_related("org").order_by("line", "position", "id"))
        issue.api_report = [r.label for r in recipients if r.line == "report"]
        issue.api_send = [r.label for r in recipients if r.line == "send"]
        issue.api_documents = list(issue.documents.order_by("-id")[:20])
        return Response(IssueDetailSerializer(issue).data)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        """Queue the generation of the issue's .docx and PDF (the office); follow the job at its url."""
        issue = self.get_object()
        job = document_services.documents_request(by=Actor.from_request(request), issue=issue)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# --- Evaluation reports ------------------------------------------------------------------------------------------


class ReportDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    format = serializers.CharField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    as_of = serializers.DateField(help_text="生成所依据的数据日期")
    sections = serializers.SerializerMethodField(help_text="各章节的键，按顺序")
    url = serializers.SerializerMethodField()

    def get_sections(self, row) -> list[str]:
        return [section["key"] for section in row.snapshot.get("sections", [])]

    def get_url(self, row) -> str:
        from django.urls import reverse

        return reverse("publishing-report-file-detail", kwargs={"pk": row.pk})


class EvaluationReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    year = serializers.IntegerField()
    title = serializers.CharField(source="__str__")
    created_at = serializers.DateTimeField()


class EvaluationReportDetailSerializer(EvaluationReportSerializer):
    documents = ReportDocumentSerializer(many=True, source="api_documents")


class EvaluationReportInput(StrictInput):
    kind = serializers.ChoiceField(
        choices=["annual", "four_year"], help_text="annual 年度评估报告、four_year 产改四年评估报告"
    )
    year = serializers.IntegerField(min_value=2018, max_value=2100)


class CreatedReportSerializer(serializers.Serializer):
    report = EvaluationReportSerializer()
    job = JobSerializer()


class EvaluationReportViewSet(ThrottleFirstMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """The office's evaluation reports: list, read with the kept files, ask for a new draft or draw the current data
    again (each a background job). For everyone else the list is empty, a report 404 and a new one 403."""

    serializer_class = EvaluationReportSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        from publishing.models import EvaluationReport

        if getattr(self, "swagger_fake_view", False) or q.is_editor(self.request.user):
            return EvaluationReport.objects.order_by("-year", "-id")
        return EvaluationReport.objects.none()  # as a scoped list: nothing of anyone else's; a detail is 404

    @extend_schema(responses=EvaluationReportDetailSerializer)
    def retrieve(self, request, pk=None):
        report = self.get_object()
        report.api_documents = list(report.documents.order_by("-id")[:20])
        return Response(EvaluationReportDetailSerializer(report).data)

    @extend_schema(request=EvaluationReportInput, responses={202: CreatedReportSerializer})
    def create(self, request):
        """A new draft of a year's (or the four years') report; its files are drawn by the job (the office; 403)."""
        from django.core.exceptions import PermissionDenied

        if not q.is_editor(request.user):
            raise PermissionDenied(_("只有产改办可以起草评估报告。"))
        payload = EvaluationReportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        by = Actor.from_request(request)
        report = report_services.report_create(by=by, **payload.validated_data)
        job = report_services.documents_request(by=by, report=report)
        data = {"report": EvaluationReportSerializer(report).data, "job": JobSerializer(job).data}
        return Response(data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        """Draw the report again from today's data (a new pair of files; the old ones are kept)."""
        report = self.get_object()
        job = report_services.documents_request(by=Actor.from_request(request), report=report)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ReportFileViewSet(ThrottleFirstMixin, GenericViewSet):
    """One kept file (.docx or PDF) of an evaluation report, downloaded; the office's only, audited."""

    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        from django.http import Http404

        from publishing.models import ReportDocument

        if getattr(self, "swagger_fake_view", False):
            return ReportDocument.objects.none()
        if not q.is_editor(self.request.user):
            raise Http404
        return ReportDocument.objects.all()

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def retrieve(self, request, pk=None):
        from django.http import FileResponse, Http404

        row = self.get_object()
        try:
            handle = row.file.open("rb")
        except OSError:
            raise Http404 from None
        report_services.document_open(by=Actor.from_request(request), document=row)
        response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
        response["X-Content-Type-Options"] = "nosniff"
        return response
