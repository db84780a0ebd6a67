"""Pages of the newsletter: the archive (searchable in Chinese), one issue with its articles, distribution,
steps and generated files; the editor's writes on it. An issue is read through `Issue.objects.visible_to`
(the office every issue, others the issued ones on their distribution); a file through its issue."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import deadlines, richtext, search
from core.actor import Actor
from core.errors import UserError
from core.jobs import job_progress_of
from core.models import Job
from orgs.choices import OrgKind
from publishing import queries as q
from publishing.choices import DocumentFormat, IssueStatus, RecipientLine
from publishing.forms import ArticleForm, IssueForm, RecipientForm
from publishing.models import Series
from publishing.services import documents as document_services
from publishing.services import issues as services
from publishing.services.documents import JOB_KIND
from publishing.workflow import ISSUE_WORKFLOW

SEARCHED = ("editor_note", "articles__title", "articles__body", "articles__speaker_line")


@require_GET
def issue_list(request: HttpRequest) -> HttpResponse:
    """快报: every issue the user may read, newest first, searchable in Chinese."""
    query = request.GET.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
    issues = q.issues_visible(request.user).prefetch_related("articles")
    words = search.words(query)
    if words:
        issues = search.search(issues, SEARCHED, query).distinct()
    rows = []
    for issue in issues[:200]:
        titles = [a.title for a in issue.articles.all()]
        text = " ".join([issue.editor_note, *titles, *(richtext.plain_text(a.body) for a in issue.articles.all())])
        rows.append({"issue": issue, "titles": titles, "snippet": search.snippet(text, words) if words else ""})
    if words:
        rows.sort(key=lambda r: -search.rank([r["issue"].editor_note, *r["titles"], *r["titles"]], words))
    series = Series.objects.order_by("id").first()
    return render(
        request,
        "publishing/issue_list.html",
        {
            "rows": rows,
            "query": query,
            "editor": q.is_editor(request.user),
            "series": series,
            "form": IssueForm(initial={"date": deadlines.today()}) if q.is_editor(request.user) and series else None,
        },
    )


@require_POST
def issue_new(request: HttpRequest) -> HttpResponse:
    if not q.is_editor(request.user):
        raise Http404
    series = Series.objects.order_by("id").first()
    if series is None:
        messages.error(request, _("请先设置刊物。"))
        return redirect("publishing:issues")
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写快报日期。"))
        return redirect("publishing:issues")
    try:
        issue = services.issue_create(
            by=Actor.from_request(request), series=series, date=form.cleaned_data["date"],
            editor_note=form.cleaned_data["editor_note"], print_line=form.cleaned_data["print_line"],
        )  # fmt: skip
    except UserError as error:
        messages.error(request, error.message)
        return redirect("publishing:issues")
    return redirect(issue)


def _documents(issue) -> list[dict]:
    """The latest .docx and PDF, and every earlier pair."""
    rows = list(issue.documents.order_by("-id")[:20])
    latest = {}
    for row in rows:
        latest.setdefault(row.format, row)
    return [latest[f] for f in (DocumentFormat.DOCX, DocumentFormat.PDF) if f in latest], rows


def _context(request: HttpRequest, issue, **forms) -> dict:
    editor = q.is_editor(request.user)
    draft = issue.status == IssueStatus.DRAFT
    latest, documents = _documents(issue)
    job = None
    if editor:
        job = Job.objects.filter(kind=JOB_KIND, object_id=str(issue.pk), requested_by=request.user).first()
    recipients = {RecipientLine.REPORT: [], RecipientLine.SEND: []}
    for recipient in issue.recipients.select_related("org").order_by("line", "position", "id"):
        recipients[recipient.line].append(recipient)
    return {
        "issue": issue,
        "editor": editor,
        "draft": draft and editor,
        "articles": list(issue.articles.order_by("position", "id")),
        "recipients": recipients,
        "steps": [
            (name, ISSUE_WORKFLOW.step(name).label) for name in ISSUE_WORKFLOW.available(issue.status, lambda a: editor)
        ]
        if editor
        else [],
        "issue_form": forms.get("issue_form")
        or IssueForm(
            initial={
                "date": issue.date,
                "editor_note": issue.editor_note,
                "print_line": issue.print_line,
                "version": issue.version,
            }
        ),  # fmt: skip
        "article_form": forms.get("article_form") or ArticleForm(initial={"version": issue.version}),
        "recipient_form": forms.get("recipient_form")
        or RecipientForm(initial={"version": issue.version, "line": RecipientLine.SEND}, user=request.user),
        "latest": latest,
        "documents": documents,
        "job": job,
        "job_progress": job_progress_of(job) if job else None,
        "history": q.history_of(issue) if editor else [],
    }


@require_GET
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issue = q.issue_or_404(request.user, pk)
    return render(request, "publishing/issue_detail.html", _context(request, issue))


def _editor_issue(request: HttpRequest, pk: int):
    """The issue through the door, then the editor's right (403 for a reader of an issued issue)."""
    issue = q.issue_or_404(request.user, pk)
    if not q.is_editor(request.user):
        raise PermissionDenied(_("只有产改办编辑可以修改快报。"))
    return issue


def _done(request: HttpRequest, issue, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(issue.get_absolute_url() + anchor)


@require_POST
def issue_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    form = IssueForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            services.issue_update(by=Actor.from_request(request), issue=issue, version=version, **data)
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _done(request, issue, _("已保存快报信息。"))
    return render(request, "publishing/issue_detail.html", _context(request, issue, issue_form=form), status=400)


@require_POST
def article_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    form = ArticleForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.article_add(by=Actor.from_request(request), issue=issue, **data)
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _done(request, issue, _("已增加文章。"), "#articles")
    return render(request, "publishing/issue_detail.html", _context(request, issue, article_form=form), status=400)


def _article(issue, pk):
    found = issue.articles.filter(pk=pk).first() if str(pk).isdigit() else None
    if found is None:
        raise Http404
    return found


@require_POST
def article_edit(request: HttpRequest, pk: int, article: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    row = _article(issue, article)
    form = ArticleForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.article_update(by=Actor.from_request(request), article=row, version=version, **data)
        except UserError as error:
            messages.error(request, error.message)
        else:
            return _done(request, issue, _("已保存文章。"), "#articles")
    else:
        messages.error(request, _("请填写文章标题。"))
    return redirect(issue.get_absolute_url() + "#articles")


@require_POST
def article_remove(request: HttpRequest, pk: int, article: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    row = _article(issue, article)
    try:
        services.article_remove(by=Actor.from_request(request), article=row, version=_version(request))
    except UserError as error:
        messages.error(request, error.message)
        return redirect(issue)
    return _done(request, issue, _("已移除文章。"), "#articles")


@require_POST
def article_move(request: HttpRequest, pk: int, article: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    row = _article(issue, article)
    try:
        services.article_move(
            by=Actor.from_request(request), article=row, version=_version(request),
            direction=request.POST.get("direction", ""),
        )  # fmt: skip
    except UserError as error:
        messages.error(request, error.message)
        return redirect(issue)
    return _done(request, issue, _("已调整文章顺序。"), "#articles")


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise UserError(_("缺少版本号，请刷新后重试。"), field="version") from None


def _entries(issue, line: str) -> list:
    return [r.org if r.org_id else r.text for r in issue.recipients.select_related("org").filter(line=line)
            .order_by("position", "id")]  # fmt: skip


def _set(request, issue, report, send) -> HttpResponse:
    try:
        services.distribution_set(
            by=Actor.from_request(request), issue=issue, version=_version(request), report=report, send=send
        )
    except UserError as error:
        messages.error(request, error.message)
        return redirect(issue.get_absolute_url() + "#distribution")
    return _done(request, issue, _("已更新报送和发送对象。"), "#distribution")


@require_POST
def recipient_add(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    form = RecipientForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request, "publishing/issue_detail.html", _context(request, issue, recipient_form=form), status=400
        )
    data = form.cleaned_data
    lines = {line: _entries(issue, line) for line in RecipientLine.values}
    lines[data["line"]].append(data["org"] or data["text"])
    return _set(request, issue, lines[RecipientLine.REPORT], lines[RecipientLine.SEND])


@require_POST
def recipient_group(request: HttpRequest, pk: int) -> HttpResponse:
    """发: add every open organisation of a kind (the province's industry unions, or the prefectures)."""
    from orgs.models import Organisation

    issue = _editor_issue(request, pk)
    kind = request.POST.get("kind", "")
    if kind not in (OrgKind.UNION, OrgKind.PREFECTURE):
        raise Http404
    group = list(
        Organisation.objects.visible_to(request.user).filter(kind=kind, closed_on__isnull=True).order_by("path")
    )
    send = _entries(issue, RecipientLine.SEND) + group
    return _set(request, issue, _entries(issue, RecipientLine.REPORT), send)


@require_POST
def recipient_remove(request: HttpRequest, pk: int, recipient: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    rows = list(issue.recipients.select_related("org").order_by("line", "position", "id"))
    if not any(r.pk == recipient for r in rows):
        raise Http404
    kept = [r for r in rows if r.pk != recipient]
    report = [r.org or r.text for r in kept if r.line == RecipientLine.REPORT]
    send = [r.org or r.text for r in kept if r.line == RecipientLine.SEND]
    return _set(request, issue, report, send)


@require_POST
def issue_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    issue = _editor_issue(request, pk)
    if step not in {s.name for s in ISSUE_WORKFLOW.steps}:
        raise Http404
    try:
        issue = services.issue_step(by=Actor.from_request(request), issue=issue, step=step, version=_version(request))
    except UserError as error:
        messages.error(request, error.message)
        return redirect(issue)
    label = ISSUE_WORKFLOW.step(step).label
    return _done(request, issue, _("已%(step)s：%(issue)s") % {"step": label, "issue": issue})


@require_POST
def issue_documents(request: HttpRequest, pk: int) -> HttpResponse:
    """生成 Word 和 PDF: queue the job and follow it on the issue's page."""
    issue = _editor_issue(request, pk)
    document_services.documents_request(by=Actor.from_request(request), issue=issue)
    messages.info(request, _("正在后台生成 Word 和 PDF 文件，完成后可在本页下载。"))
    return redirect(issue.get_absolute_url() + "#documents")


@require_GET
def document_download(request: HttpRequest, pk: int, document: int) -> FileResponse:
    issue = q.issue_or_404(request.user, pk)
    row = q.document_or_404(request.user, issue, document)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    document_services.document_open(by=Actor.from_request(request), document=row)
    response = FileResponse(handle, as_attachment=True, filename=row.original_name, content_type=row.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def document_regenerate(request: HttpRequest, pk: int, document: int) -> HttpResponse:
    issue = _editor_issue(request, pk)
    row = q.document_or_404(request.user, issue, document)
    document_services.document_regenerate(by=Actor.from_request(request), document=row)
    return _done(request, issue, _("已按原依据重新生成文件。"), "#documents")
