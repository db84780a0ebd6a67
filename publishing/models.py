"""Information submissions (信息报送) and the newsletter (快报): series, issues, articles, distribution, files.

- A `Submission` is an item an organisation's information officer sends to the office: news, an experience,
  a data highlight, a speech. It moves along publishing.workflow.SUBMISSION_WORKFLOW and, once used, points
  at the issue that carries it. Its photos and files are `SubmissionFile`s (core.attachments).
- A `Series` is the newsletter (云南工会通讯（快报）): its name, issuing body, classification line and the
  numbers its first issue on the platform takes. An `Issue` has a date, an editor's note, ordered `Article`s
  and `Recipient`s on two lines (报 / 发); its year number and running number are assigned when it is
  finalised (publishing.services.issues.issue_finalise), so drafts burn no numbers.
- An `IssueDocument` is one generated file (.docx or PDF), kept with the layout it was drawn from
  (`snapshot`: the issue's version and the date it was made for), so it can be drawn again identically.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, StoredFile
from orgs.models import Organisation
from orgs.scoping import ScopedQuerySet
from publishing.choices import DocumentFormat, IssueStatus, RecipientLine, SubmissionKind, SubmissionStatus


class Submission(BaseModel):
    """One item an organisation sends to the office for the newsletter."""

    org = models.ForeignKey(Organisation, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=16, choices=SubmissionKind.choices, default=SubmissionKind.NEWS)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT, db_index=True
    )
    reason = models.TextField(_("退回或未采用原因"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issue = models.ForeignKey(
        "publishing.Issue",
        verbose_name=_("采用于"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("报送信息")
        verbose_name_plural = _("报送信息")
        indexes = [models.Index(fields=["org", "status"], name="publishing_sub_org_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publishing:submission", kwargs={"pk": self.pk})


class SubmissionFile(StoredFile):
    """A photo or a file sent with a submission."""

    submission = models.ForeignKey(
        Submission, verbose_name=_("报送信息"), on_delete=models.CASCADE, related_name="files"
    )
    is_photo = models.BooleanField(_("照片"), default=False)

    class Scoped(ScopedQuerySet):
        org_field = "submission__org"

    objects = Scoped.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("报送附件")
        verbose_name_plural = _("报送附件")


class Series(BaseModel):
    """The newsletter: its name, issuing body, classification line and where its numbering started."""

    name = models.CharField(_("刊名"), max_length=100)
    issuing_body = models.CharField(_("编印单位"), max_length=100)
    classification = models.CharField(_("密级标注"), max_length=50, default="内部资料 注意保存")
    first_running_number = models.PositiveIntegerField(
        _("起始总期号"), default=1, help_text=_("在本平台定稿的第一期的总期号（之前的期数在平台外编印）。")
    )
    first_year = models.PositiveSmallIntegerField(_("起始年度"), null=True, blank=True)
    first_year_number = models.PositiveSmallIntegerField(
        _("起始年度的起始期号"), default=1, help_text=_("起始年度在本平台定稿的第一期是当年第几期。")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("刊物")
        verbose_name_plural = _("刊物")

    def __str__(self) -> str:
        return self.name


class IssueQuerySet(models.QuerySet):
    """Issues as their readers see them: the office all of them; anyone else the issued ones on whose
    distribution one of their organisations stands (the organisation itself or an organisation above it)."""

    def visible_to(self, user) -> IssueQuerySet:
        from publishing.queries import is_editor, reader_paths

        if is_editor(user):
            return self
        paths = reader_paths(user)
        if not paths:
            return self.none()
        return self.filter(status=IssueStatus.ISSUED, recipients__org__path__in=paths).distinct()


class Issue(BaseModel):
    """One issue of the newsletter; numbered when finalised."""

    series = models.ForeignKey(Series, verbose_name=_("刊物"), on_delete=models.PROTECT, related_name="issues")
    date = models.DateField(_("日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=IssueStatus.choices, default=IssueStatus.DRAFT, db_index=True
    )
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    year_number = models.PositiveSmallIntegerField(_("年度期号"), null=True, blank=True)
    running_number = models.PositiveIntegerField(_("总期号"), null=True, blank=True)
    editor_note = models.TextField(_("编者按"), blank=True)
    print_line = models.CharField(_("印发行"), max_length=200, blank=True, help_text=_("留空则为“编印单位 日期印发”。"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(_("定稿时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("快报")
        verbose_name_plural = _("快报")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "running_number"],
                condition=Q(running_number__isnull=False),
                name="publishing_issue_running_unique",
            ),
            models.UniqueConstraint(
                fields=["series", "year", "year_number"],
                condition=Q(year_number__isnull=False),
                name="publishing_issue_year_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series.name} {self.number_text or self.date}"

    def get_absolute_url(self) -> str:
        return reverse("publishing:issue", kwargs={"pk": self.pk})

    @property
    def number_text(self) -> str:
        """“2021年第14期 总第52期”, or "" before the issue is finalised."""
        if self.running_number is None:
            return ""
        return f"{self.year}年第{self.year_number}期 总第{self.running_number}期"

    @property
    def print_text(self) -> str:
        """The print line: as set, or “<issuing body> <date>印发”."""
        if self.print_line:
            return self.print_line
        return f"{self.series.issuing_body} {self.date.year}年{self.date.month}月{self.date.day}日印发"


class Article(BaseModel):
    """One article of an issue, written directly or taken from a submission."""

    issue = models.ForeignKey(Issue, verbose_name=_("快报"), on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    date_line = models.CharField(_("日期行"), max_length=100, blank=True, help_text=_("如“2021年7月30日”。"))
    speaker_line = models.CharField(_("署名行"), max_length=200, blank=True, help_text=_("讲话人或作者、单位。"))
    body = models.TextField(_("正文"), blank=True)
    submission = models.ForeignKey(
        Submission, verbose_name=_("来源信息"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["issue_id", "position", "id"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")

    def __str__(self) -> str:
        return self.title


class Recipient(models.Model):
    """One entry of an issue's distribution: an organisation (its name is shown) or free text (“省总工会领导”)."""

    issue = models.ForeignKey(Issue, verbose_name=_("快报"), on_delete=models.CASCADE, related_name="recipients")
    line = models.CharField(_("报/发"), max_length=8, choices=RecipientLine.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    org = models.ForeignKey(
        Organisation, verbose_name=_("单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("文字"), max_length=200, blank=True)

    class Meta:
        ordering = ["issue_id", "line", "position", "id"]
        verbose_name = _("发送对象")
        verbose_name_plural = _("发送对象")
        constraints = [
            models.CheckConstraint(
                condition=Q(org__isnull=False) | ~Q(text=""), name="publishing_recipient_org_or_text"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.text or (self.org.name if self.org_id else "")


class IssueDocument(StoredFile):
    """A generated .docx or PDF of an issue, with the layout it was drawn from (to draw it again identically)."""

    issue = models.ForeignKey(Issue, verbose_name=_("快报"), on_delete=models.CASCADE, related_name="documents")
    format = models.CharField(_("格式"), max_length=8, choices=DocumentFormat.choices)
    issue_version = models.PositiveIntegerField(_("快报版本"))
    as_of = models.DateField(_("数据日期"))
    snapshot = models.JSONField(_("生成依据"), default=dict)
    job_id = models.BigIntegerField(_("后台任务"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("快报文件")
        verbose_name_plural = _("快报文件")

    def __str__(self) -> str:
        return self.original_name


class EvaluationReport(BaseModel):
    """A draft evaluation report (评估报告) of a year, or of the four reform years ending with it."""

    kind = models.CharField(
        _("类型"), max_length=16, choices=[("annual", _("年度评估报告")), ("four_year", _("产改四年评估报告"))]
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("评估报告")
        verbose_name_plural = _("评估报告")

    def __str__(self) -> str:
        from publishing.evaluation import title_for

        return title_for(self.kind, self.year)

    def get_absolute_url(self) -> str:
        return reverse("publishing:report", kwargs={"pk": self.pk})


class ReportDocument(StoredFile):
    """A generated .docx or PDF of an evaluation report, with the sections' data it was drawn from."""

    report = models.ForeignKey(
        EvaluationReport, verbose_name=_("评估报告"), on_delete=models.CASCADE, related_name="documents"
    )
    format = models.CharField(_("格式"), max_length=8, choices=DocumentFormat.choices)
    as_of = models.DateField(_("数据日期"))
    snapshot = models.JSONField(_("生成依据"), default=dict)
    job_id = models.BigIntegerField(_("后台任务"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("评估报告文件")
        verbose_name_plural = _("评估报告文件")

    def __str__(self) -> str:
        return self.original_name
