"""Pages of information submissions: the list in scope, a new item, one item with its files and steps, the
office's editorial desk. Reads go through publishing.queries (the door), writes through the services; plain
form posts redirect back (post/redirect/get) and show the service's message when it refuses."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import attachments, deadlines, richtext
from core.actor import Actor
from core.errors import UserError
from publishing import queries as q
from publishing.choices import SubmissionStatus
from publishing.forms import EditForm, FileForm, StepForm, SubmissionForm
from publishing.services import submissions as services
from publishing.workflow import SUBMISSION_WORKFLOW


@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    """信息报送: the items in the user's scope, newest first, by state."""
    status = request.GET.get("status", "")
    if status not in SubmissionStatus.values:
        status = ""
    items = q.submissions_visible(request.user)
    if status:
        items = items.filter(status=status)
    return render(
        request,
        "publishing/submission_list.html",
        {
            "items": items[:200],
            "status": status,
            "statuses": SubmissionStatus.choices,
            "may_submit": q.is_submitter(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def submission_new(request: HttpRequest) -> HttpResponse:
    orgs = q.submitter_orgs(request.user)
    if not orgs:
        raise Http404
    form = SubmissionForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.submission_create(
                by=Actor.from_request(request), org=data["org"], kind=data["kind"], title=data["title"],
                body=data["body"], author=data["author"], submit=request.POST.get("submit") == "1",
            )  # fmt: skip
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已保存“%(title)s”。") % {"title": item.title})
            return redirect(item)
    return render(request, "publishing/submission_form.html", {"form": form}, status=400 if form.errors else 200)


def _context(request: HttpRequest, item, *, edit_form=None, step_form=None) -> dict:
    user = request.user
    may_edit = q.may_edit(user, item)
    return {
        "item": item,
        "steps": [(name, SUBMISSION_WORKFLOW.step(name).label) for name in q.steps_for(user, item)],
        "may_edit": may_edit,
        "edit_form": edit_form
        or (
            EditForm(
                initial={
                    "kind": item.kind,
                    "title": item.title,
                    "author": item.author,
                    "body": richtext.as_paragraphs(item.body),
                    "version": item.version,
                }
            )  # fmt: skip
            if may_edit
            else None
        ),
        "file_form": FileForm() if may_edit else None,
        "step_form": step_form or StepForm(initial={"version": item.version}),
        "draft_issues": q.draft_issues(user),
        "files": list(item.files.all()),
        "history": q.history_of(item),
    }


@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = q.submission_or_404(request.user, pk)
    return render(request, "publishing/submission_detail.html", _context(request, item))


@require_POST
def submission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = q.submission_or_404(request.user, pk)
    form = EditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.submission_update(
                by=Actor.from_request(request), submission=item, version=data["version"] or 0, kind=data["kind"],
                title=data["title"], body=data["body"], author=data["author"],
            )  # fmt: skip
        except UserError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("已保存。"))
            return redirect(item)
    item = q.submission_or_404(request.user, pk)
    return render(request, "publishing/submission_detail.html", _context(request, item, edit_form=form), status=400)


@require_POST
def submission_attach(request: HttpRequest, pk: int) -> HttpResponse:
    item = q.submission_or_404(request.user, pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的照片或附件。"))
    else:
        try:
            row = services.submission_attach(
                by=Actor.from_request(request), submission=item, upload=form.cleaned_data["file"],
                photo=form.cleaned_data["photo"],
            )  # fmt: skip
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已上传“%(name)s”。") % {"name": row.original_name})
    return redirect(item)


@require_GET
def submission_file(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    item = q.submission_or_404(request.user, pk)
    row = q.file_or_404(request.user, item, file)
    if request.GET.get("preview") == "1":
        return attachments.preview(row)
    services.file_open(by=Actor.from_request(request), submission=item, file=row)
    return attachments.download(row)


@require_POST
def submission_detach(request: HttpRequest, pk: int, file: int) -> HttpResponse:
    item = q.submission_or_404(request.user, pk)
    row = q.file_or_404(request.user, item, file)
    try:
        services.submission_detach(by=Actor.from_request(request), submission=item, file=row)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已移除附件。"))
    return redirect(item)


@require_POST
def submission_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    item = q.submission_or_404(request.user, pk)
    form = StepForm(request.POST)
    if step not in {s.name for s in SUBMISSION_WORKFLOW.steps}:
        raise Http404
    if form.is_valid():
        issue = None
        if form.cleaned_data.get("issue"):
            issue = q.draft_issues(request.user).filter(pk=form.cleaned_data["issue"]).first()
            if issue is None:
                raise Http404
        try:
            services.submission_step(
                by=Actor.from_request(request), submission=item, step=step, version=form.cleaned_data["version"],
                reason=form.cleaned_data.get("reason") or "", issue=issue,
            )  # fmt: skip
        except PermissionDenied:
            raise
        except UserError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("已%(step)s：%(title)s") % {"step": SUBMISSION_WORKFLOW.step(step).label, "title": item.title},
            )
            return redirect(item)
    item = q.submission_or_404(request.user, pk)
    return render(request, "publishing/submission_detail.html", _context(request, item, step_form=form), status=400)


@require_GET
def office(request: HttpRequest) -> HttpResponse:
    """编辑部: the items waiting, the draft issues, and per organisation the year's submitted and used items."""
    if not q.is_editor(request.user):
        raise Http404
    try:
        year = int(request.GET.get("year") or deadlines.today().year)
    except ValueError:
        year = deadlines.today().year
    year = min(max(year, 2000), 2100)
    return render(
        request,
        "publishing/office.html",
        {
            "queue": q.editorial_queue(request.user),
            "drafts": q.draft_issues(request.user),
            "counts": q.counts_by_org(request.user, year),
            "year": year,
            "years": list(range(deadlines.today().year, 2017, -1)),
        },
    )
