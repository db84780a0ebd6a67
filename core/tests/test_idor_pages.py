"""Nobody reaches another organisation's objects through the pages and exports (IDOR), the counterpart
of core/tests/test_api_idor.py for everything outside /api/v1 (issue 10).

Every URL pattern is found with `get_resolver()`. A pattern that takes an argument must be listed in
DETAIL_ROUTES (saying which kind of object each argument names) or in EXEMPT (with the reason); a new
route with neither fails `test_every_page_route_is_mapped`, so it cannot ship unprobed.

`test_foreign_objects_are_not_found_on_every_page` builds one object of each kind in the reporter's own
enterprise (昆明供电局, E-A1), a sibling (E-A2) and another branch (E-B1), then the reporter of E-A1 and
the administrator of union A send GET and POST to every mapped route with the ids of the foreign
objects: the answer is always 404 (or 405 for the method a route does not take, or the route's mapped
status), never a page; and the database is the same afterwards. The control in the same test: someone
who may see each object (the office, or the object's owner) is not refused on the same URLs, so the
fixtures are real and a 404 cannot come from a broken URL.

`test_ids_in_request_bodies_are_refused` sends forms that name an organisation or object of another
branch in the body (grant a role there, move an own organisation under it, cite its report as evidence):
each is refused and changes nothing.

How a bypass is caught: change `report_detail` in reporting/views/entry/detail.py to fetch with
`Report.objects.get(pk=pk)` instead of the door; the reporter of E-A1 then gets 200 for
/reporting/reports/<E-B1's report>/ and the test fails with ("GET", that URL, 200). (The conventions
test, core/tests/test_conventions.py, catches the same edit from the source.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from analytics.models import SavedView
from assessment import services as assessment_services
from assessment.choices import EntryKind, EvidenceKind
from assessment.models import Appeal, Criterion, Entry, Evidence, Participant, Rating
from assessment.tests.factories import make_framework
from cases.models import Case, CaseFile, Replication
from core.actor import Actor
from core.models import AuditEntry, Job
from ledger.models import (
    Document,
    GroupMember,
    Ledger,
    Milestone,
    Officer,
    Task,
    TaskUpdate,
    WrittenReport,
    WrittenSection,
)
from ledger.tests.factories import make_task
from orgs import services as org_services
from orgs.choices import Role
from orgs.models import Assignment, Membership, Organisation
from orgs.scoping import in_subtree
from orgs.tests.factories import SYSTEM
from orgs.transfer import storage as org_storage
from policies.models import NoticeRecipient, UptakeLine, UptakeReport
from reporting import services as reporting_services
from reporting.excel import storage
from reporting.models import DataValue, Notification, Report, ReportAttachment
from reporting.tests.factories import at, load_workforce, open_report
from training.models import ClassFile, DayAttendance, Enrolment, TrainingClass


@dataclass(frozen=True)
class Route:
    kinds: tuple[str, ...]  # which object each URL argument names, in the order of ARGS below
    foreign_status: int = 404
    control: str = "office"  # who may see the object: "office", "owner" (its user), or "" (no control)


# Every argument name a page route uses, and the key each object kind's fixture gives for it.
# A route's object is built per place ("own", "sibling", "other_branch"); see `world` below.
DETAIL_ROUTES: dict[str, Route] = {
    # studios: a studio is its organisation's; members, results and reviews hang from it; an alliance is seen
    # through its studios.
    **{
        f"studios:{name}": Route(("studio",))
        for name in (
            "studio",
            "studio_edit",
            "studio_name",
            "studio_revoke",
            "member_add",
            "fund_add",
            "result_create",
            "review_start",
        )
    },
    "studios:member_leave": Route(("studio", "studio_member")),
    "studios:result_edit": Route(("studio_result",)),
    **{f"studios:{name}": Route(("studio_alliance",)) for name in ("alliance", "alliance_edit", "activity_add")},
    **{f"studios:{name}": Route(("studio_review",)) for name in ("review", "review_rate")},
    "studios:review_step": Route(("studio_review", "studio_review_step")),
    # suggestions: a suggestion is its organisation's; a campaign its organiser's (and those below it).
    **{f"suggestions:{name}": Route(("suggestion",)) for name in ("detail", "edit", "step")},
    **{f"suggestions:{name}": Route(("suggestion_campaign",)) for name in ("campaign_detail", "campaign_edit")},
    # competitions: an event is its organiser's (its entrants see their own entries); an entry is its entrant's.
    **{
        f"competitions:{name}": Route(("competition",))
        for name in (
            "competition",
            "competition_edit",
            "competition_step",
            "entry_create",
            "entries_template",
            "entries_import",
            "outcomes",
            "results_xlsx",
        )
    },
    **{
        f"competitions:{name}": Route(("competition_entry",))
        for name in ("entry_delete", "result_record", "outcome_create", "entry_add_to_pool")
    },
    # talent: a person is his organisation's; his honours and nominations hang from him.
    **{
        f"talent:{name}": Route(("talent_person",))
        for name in (
            "person",
            "person_edit",
            "person_remove",
            "person_restore",
            "person_reveal_id",
            "person_reveal_phone",
            "honour_add",
        )
    },
    "talent:honour_remove": Route(("talent_person", "talent_honour")),
    "talent:nomination_step": Route(("talent_nomination",)),
    # accounts: users are seen through the organisations where they hold roles.
    "accounts:user_detail": Route(("user",)),
    "accounts:membership_grant": Route(("user",)),
    "accounts:membership_revoke": Route(("user", "membership")),
    "accounts:membership_refuse": Route(("user", "membership")),
    "accounts:user_set_active": Route(("user",)),
    "accounts:user_reset_password": Route(("user",)),
    # orgs: the tree.
    "orgs:org_detail": Route(("org",)),
    "orgs:org_children": Route(("org",)),
    "orgs:org_edit": Route(("org",)),
    "orgs:org_create": Route(("org",)),
    "orgs:org_move": Route(("org",)),
    "orgs:org_close": Route(("org",)),
    "orgs:assignment_create": Route(("org",)),
    "orgs:assignment_end": Route(("assignment_org", "assignment")),
    # core: the audit log belongs to no organisation and is closed to all but its reader (as in the API).
    "audit:entry_detail": Route(("audit",), foreign_status=403, control=""),
    "core:job_detail": Route(("job",), control="owner"),
    # reporting: a report and everything hanging from it.
    "reporting:report_detail": Route(("report",)),
    "reporting:report_entry": Route(("report",)),
    "reporting:value_comment": Route(("report",)),
    "reporting:warning_explain": Route(("report",)),
    "reporting:attachment_upload": Route(("report",)),
    "reporting:attachment_download": Route(("report", "attachment")),
    "reporting:attachment_delete": Route(("report", "attachment")),
    "reporting:report_submit": Route(("report",)),
    "reporting:report_approve": Route(("report",)),
    "reporting:report_return": Route(("report",)),
    "reporting:report_accept": Route(("report",)),
    "reporting:report_lock": Route(("report",)),
    "reporting:report_reopen": Route(("report",)),
    "reporting:notification_read": Route(("notification",), control="owner"),
    "reporting:notification_open": Route(("notification",), control="owner"),
    "reporting:excel_preview": Route(("upload",), control="owner"),
    "reporting:excel_confirm": Route(("upload",), control=""),
    "reporting:excel_discard": Route(("upload",), control=""),
    "reporting:excel_error_file": Route(("upload",), control=""),
    "reporting:excel_import": Route(("dataset", "period", "org")),
    # The history import's uploads: another person's token answers 404 (the owner's path: reporting history tests).
    **{
        f"reporting:history_{name}": Route(("history_upload",), control="")
        for name in ("mapping", "preview", "confirm", "discard")
    },
    # The tree import's uploads: another person's token answers 404 (the owner's own path: orgs transfer tests).
    "accounts:activation_reissue": Route(("user",)),
    "orgs:transfer_preview": Route(("org_upload",), control=""),
    "orgs:transfer_confirm": Route(("org_upload",), control=""),
    "orgs:transfer_discard": Route(("org_upload",), control=""),
    "reporting:excel_template": Route(("dataset", "period", "org")),
    # analytics: a saved view belongs to its owner.
    "analytics:view_open": Route(("savedview",), control="owner"),
    "analytics:view_delete": Route(("savedview",), control=""),
    # publishing: a submission is its organisation's; an issue is read by the organisations on its distribution.
    **{f"publishing:{name}": Route(("psub",)) for name in ("submission", "submission_edit", "submission_attach")},
    "publishing:submission_file": Route(("psub", "pfile"), control=""),  # the fixture's file has no content
    "publishing:submission_detach": Route(("psub", "pfile")),
    "publishing:submission_step": Route(("psub", "pstep")),
    **{
        f"publishing:{name}": Route(("pissue",))
        for name in ("issue", "issue_edit", "article_add", "recipient_add", "recipient_group", "issue_documents")
    },
    **{
        f"publishing:{name}": Route(("pissue", "particle"))
        for name in ("article_edit", "article_remove", "article_move")
    },
    "publishing:recipient_remove": Route(("pissue", "precipient")),
    "publishing:issue_step": Route(("pissue", "pissue_step")),
    "publishing:document": Route(("pissue", "pdocument"), control=""),  # the fixture's document has no content
    "publishing:document_regenerate": Route(("pissue", "pdocument")),
    # ledger: an organisation's ledger (by its code) and the rows hanging from it.
    "ledger:detail": Route(("org",)),
    "ledger:plan_save": Route(("org",)),
    "ledger:member_add": Route(("org",)),
    "ledger:officer_add": Route(("org",)),
    "ledger:task_create": Route(("org",)),
    "ledger:member_end": Route(("member",)),
    "ledger:officer_end": Route(("officer",)),
    "ledger:officer_reveal": Route(("officer",)),
    "reporting:contact_phone": Route(("org", "user")),
    "ledger:document": Route(("document",), control=""),  # the fixture's document has no file to send
    "ledger:task": Route(("task",)),
    "ledger:task_edit": Route(("task",)),
    "ledger:task_delete": Route(("task",)),
    "ledger:update_add": Route(("task",)),
    "ledger:milestone_add": Route(("task",)),
    "ledger:milestone_done": Route(("milestone",)),
    "ledger:milestone_delete": Route(("milestone",)),
    # assessment: a round is seen through its participants; a score card is its participant's.
    "assessment:round_detail": Route(("round",)),
    "assessment:round_advance": Route(("round",)),
    "assessment:round_publish": Route(("round",)),
    "assessment:round_lock": Route(("round",)),
    "assessment:round_reopen": Route(("round",)),
    "assessment:round_compute": Route(("round",)),
    "assessment:round_ranking": Route(("round",)),
    "assessment:round_raters": Route(("round",)),
    "assessment:round_entries": Route(("round",)),
    "assessment:entry_delete": Route(("round", "entry"), control=""),
    "assessment:round_appeals": Route(("round",)),
    "assessment:appeal_answer": Route(("round", "appeal"), control=""),
    "assessment:round_calibration": Route(("round",)),
    "assessment:calibrate": Route(("round",)),
    "assessment:rating_tasks": Route(("round",), control=""),
    "assessment:rate": Route(("round", "participant", "criterion"), control=""),
    "assessment:self_assessment": Route(("participant",), control=""),
    "assessment:evidence_add": Route(("participant",), control=""),
    "assessment:evidence_download": Route(("evidence",), control=""),  # a link evidence has no file to send
    "assessment:score_card": Route(("participant",)),
    "assessment:appeal_file": Route(("participant",), control=""),
    "assessment:score_card_xlsx": Route(("participant",)),
    "assessment:score_card_pdf": Route(("participant",)),
    "assessment:summary": Route(("round",)),
    "assessment:summary_xlsx": Route(("round",)),
    "assessment:summary_pdf": Route(("round",)),
    # ledger, written reports: a report is its organisation's; aspects, steps and files hang from it.
    "ledger:org_written": Route(("org",)),
    "ledger:written_start": Route(("org",)),
    "ledger:written": Route(("written",)),
    "ledger:written_docx": Route(("written",)),
    "ledger:written_step": Route(("written", "written_step")),
    "ledger:written_section": Route(("written", "aspect")),
    "ledger:written_attach": Route(("written", "aspect")),
    "ledger:written_comment": Route(("written", "aspect")),
    "ledger:written_attachment": Route(("written", "written_file")),
    "ledger:written_detach": Route(("written", "written_file")),
    "ledger:roadmap": Route(("org",)),
    # ledger (alerts and timeline): an organisation's timeline is seen through the organisation.
    "ledger:timeline": Route(("org",)),
    # policies: a notice as its recipient organisation received it; an organisation's uptake form.
    "policies:notice": Route(("policy_notice",)),
    "policies:notice_open": Route(("policy_notice",)),
    "policies:uptake_form": Route(("policy_uptake",)),
    # training: a class is its organiser's (and its audience's below it); an enrolment its organisation's.
    **{
        f"training:{name}": Route(("training_class",))
        for name in (
            "class_detail",
            "class_edit",
            "class_step",
            "material_add",
            "enrol",
            "attendance",
            "attendance_xlsx",
            "attendance_pdf",
            "completion",
        )
    },  # fmt: skip
    "training:material_download": Route(("training_class", "training_file"), control=""),  # no file to send
    "training:withdraw": Route(("enrolment",)),
    "training:reveal": Route(("enrolment",)),
    # sites: a site, a nomination and what hangs from them are their organisation's (and its guidance group's).
    "sites:site": Route(("site",)),
    "sites:site_step": Route(("site", "site_step")),
    "sites:site_summary": Route(("site",)),
    "sites:site_reveal": Route(("site",)),
    "sites:visit_create": Route(("site",), control=""),  # only the assigned group's members record visits
    "sites:rating": Route(("site",), control=""),  # only the assigned group's members rate
    "sites:nomination": Route(("nomination",)),
    "sites:nomination_step": Route(("nomination", "nomination_step")),
    "sites:nomination_file": Route(("nomination", "nomination_file"), control=""),  # the fixture has no file
    "sites:nomination_reveal": Route(("nomination",)),
    "sites:visit": Route(("visit",)),
    "sites:visit_file": Route(("visit", "visit_file"), control=""),  # the fixture has no file to send
    "sites:followup_create": Route(("visit",)),
    "sites:followup_close": Route(("followup",)),
    # cases: a draft case is its organisation's (published ones are the province's); files and steps hang from it;
    # an adoption record is the adopting organisation's (and seen by the case's source).
    "cases:detail": Route(("case",)),
    "cases:edit": Route(("case",)),
    "cases:delete": Route(("case",)),
    "cases:step": Route(("case", "case_step")),
    "cases:docx": Route(("case",)),
    "cases:adopt": Route(("case",)),
    "cases:file_add": Route(("case",)),
    "cases:file": Route(("case", "case_file"), control=""),  # the fixture's file has no content to send
    "cases:file_preview": Route(("case", "case_file"), control=""),  # not an image: 404 for everyone
    "cases:file_remove": Route(("case", "case_file")),
    "cases:replication_delete": Route(("replication",)),
}

# Routes whose arguments name no organisation's object, with the reason.
_METADATA = "province-wide metadata, no organisation owns it; office-only (404 outside the office, see its view tests)"
EXEMPT: dict[str, str] = {
    "talent:round": "a selection round names no organisation (province-wide); its nomination table is scoped",
    "talent:nominate": "a round names no organisation; the person nominated is read through the door (talent tests)",
    "talent:round_close": "a round names no organisation; closing it is the office's (404 for others)",
    "talent:round_decide": "a round names no organisation; publishing the result is the office's (404 for others)",
    "audit:entry_export": "fmt is a file format, not an object",
    "accounts:activate_link": "a one-time activation token, not an object id; a public page that refuses unknown "
    "tokens (accounts/tests/test_activation.py)",
    "orgs:transfer_export": "fmt is a file format, not an object; the file holds the exporter's scope (orgs tests)",
    # ledger, written reports: a round is the office's calendar; what its pages list is scoped (test_written_views).
    "ledger:written_round": "a round names no organisation; its submission table is scoped (test_written_views)",
    "ledger:written_round_edit": "a round names no organisation; editing it is the office's (404 for others)",
    "ledger:written_round_docx": "a round names no organisation; the file holds the exporter's scope only",
    # policies: a measure, its rules and files are the province's library (drafts: the office's, test_views);
    # rounds and notices as sent are the office's pages (404 for everyone else, test_views).
    **{
        f"policies:{name}": "a policy measure is province-wide; drafts and editing are the office's (test_views)"
        for name in ("measure", "measure_edit", "measure_status", "rule_add", "file_add", "measure_orgs",
                     "notice_send", "rule_delete", "file")
    },
    "policies:notice_sent": "a notice as sent is the office's page (404 for everyone else, test_views)",
    "policies:round": "an uptake round is the office's calendar; its page is the office's (test_views)",
    "policies:round_xlsx": "an uptake round's analytics are the office's (test_views)",
    "sites:batch": "a batch is the office's calendar, seen by all; its nomination table is scoped (sites tests)",
    "sites:batch_edit": "a batch names no organisation; editing it is the office administrators' (404 for others)",
    "sites:batch_announce": "a batch names no organisation; announcing is the office administrators' (404 for others)",
    "sites:batch_xlsx": "a batch names no organisation; the file holds the exporter's scope only (sites tests)",
    "sites:nominate": "a batch names no organisation; the body's org goes through the picker's scope (sites tests)",
    "sites:group": "a guidance group names no organisation; the office's and its members' (404 for others)",
    "sites:group_edit": "a guidance group names no organisation; editing it is the office's (404 for others)",
    **{
        f"publishing:{name}": "an evaluation report names no organisation; its pages are the office's (404 for others)"
        for name in ("report", "report_generate", "report_document", "report_regenerate")
    },
    "dataexport:download": "a province export names no organisation; the office administrators' (dataexport tests)",
    "analytics:indicator_detail": "an indicator is province-wide metadata, read by every viewer (targets: test_views)",
    "analytics:indicator_edit": "an indicator is province-wide metadata; editing is the office administrators' (403)",
    "analytics:target_set": "an indicator is province-wide metadata; the body's org is probed below",
    **{
        f"reporting:{name}": _METADATA
        for name in (
            "element_edit", "category_option_add", "dataset_detail", "dataset_assign", "dataset_unassign",
            "version_create_draft", "version_detail", "version_publish", "section_create", "total_relation_add",
            "rule_list", "rule_create", "rules_generate", "expression_check", "rule_test", "section_edit",
            "section_move", "section_delete", "section_element_add", "section_element_edit", "section_element_move",
            "section_element_remove", "total_relation_remove", "rule_edit", "rule_toggle",
        )
    },
    **{
        f"assessment:{name}": _METADATA
        for name in (
            "framework_detail", "framework_settings", "framework_copy", "framework_issue", "dimension_create",
            "dimension_edit", "dimension_delete", "dimension_move", "criterion_create", "criterion_edit",
            "criterion_delete", "criterion_move",
        )
    },
}  # fmt: skip

# A body plausible enough for any of the forms, so a refusal cannot come from a malformed request.
BODY = {
    "version": "1", "reason": "越权操作", "level": "A", "comment": "越权", "note": "越权", "title": "越权",
    "name": "越权修改", "new_parent": "E-A1", "org": "E-A1", "role": Role.REPORTER, "on": "2025-01-01",
    "direction": "up", "is_active": "false", "element": "WF_WORKERS", "value": "5", "url": "https://example.cn",
}  # fmt: skip


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace + (pattern.name or ""), pattern


def page_routes() -> list[tuple[str, str, list[str]]]:
    """(route, name, argument names in URL order) of every pattern outside /api/v1 that takes arguments."""
    found = []
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.lstrip("^").startswith("api/"):
            continue
        groups = pattern.pattern.regex.groupindex
        if groups:
            found.append((route, name, sorted(groups, key=groups.get)))
    return found


def test_every_page_route_is_mapped():
    seen = set()
    for route, name, args in page_routes():
        seen.add(name)
        assert name in DETAIL_ROUTES or name in EXEMPT, f"{route} ({name}) takes {args}: add it to DETAIL_ROUTES"
        if name in DETAIL_ROUTES:
            assert len(DETAIL_ROUTES[name].kinds) == len(args), f"{name}: one kind per argument {args}"
    stale = (set(DETAIL_ROUTES) | set(EXEMPT)) - seen
    assert not stale, f"mapped routes that no longer exist: {sorted(stale)}"


PLACES = ("own", "sibling", "other_branch")


@pytest.fixture
def world(tree, settings, tmp_path):
    """One object of each kind per place (E-A1, E-A2, E-B1), and who owns the per-user ones."""
    settings.REPORTING_IMPORT_DIR = tmp_path
    from assessment.tests.rounds import quick_round

    orgs = {"own": tree.ent_a1, "sibling": tree.ent_a2, "other_branch": tree.ent_b1}
    reporters = {where: tree.user(Role.REPORTER, org) for where, org in orgs.items()}
    assignments = {"own": Assignment.objects.get(enterprise=tree.ent_a1)}
    for where in ("sibling", "other_branch"):
        assignments[where] = org_services.assignment_create(
            by=SYSTEM, department=tree.dept, enterprise=orgs[where], valid_from=dt.date(2021, 1, 1)
        )
    yearly, _quarterly = load_workforce()
    with pytest.MonkeyPatch.context() as patch:  # while the 2021 round is open for entry
        patch.setattr(timezone, "now", lambda: at(2022, 1, 10))
        reports = {where: open_report(tree, yearly, "2021", org) for where, org in orgs.items()}
        for where in ("sibling", "other_branch"):  # something a foreign write could change
            reporting_services.values_save(
                by=SYSTEM, report=reports[where], version=1, values={("WF_WORKERS", ""): "1000"}
            )
    office = tree.user(Role.OFFICE_ADMIN)
    rounds = {where: quick_round(office, f"考核轮次{i}", [org]) for i, (where, org) in enumerate(orgs.items())}
    participants = {where: r.participants.get() for where, r in rounds.items()}
    criteria = {
        where: Criterion.objects.get(dimension__framework=r.framework, code="GROUP") for where, r in rounds.items()
    }
    objects: dict[str, dict[str, object]] = {kind: {} for kind in (
        "user", "membership", "org", "assignment_org", "assignment", "audit", "job", "report", "attachment",
        "notification", "upload", "org_upload", "history_upload", "dataset", "period", "savedview", "round",
        "entry", "appeal", "participant", "criterion", "evidence", "member", "officer", "document", "task", "milestone",
    )}  # fmt: skip
    owners = {}
    for where, org in orgs.items():
        reporter, report, participant = reporters[where], reports[where], participants[where]
        attachment = ReportAttachment.objects.create(
            report=report, file=f"attachments/{where}.pdf", original_name=f"{where}.pdf", size=3,
            content_type="application/pdf", sha256="0" * 64, uploaded_by=reporter,
        )  # fmt: skip
        token = storage.new_token()
        storage.write_meta(token, {"user_id": reporter.pk, "dataset": "WF_Y", "period": "2021", "org": org.code})
        history_token = storage.new_token()
        storage.write_meta(
            history_token,
            {"user_id": reporter.pk, "kind": "history", "dataset": "WF_Y", "org": org.code, "state": "mapping"},
        )
        org_token = org_storage.new_token()
        org_storage.write_meta(org_token, {"user_id": reporter.pk, "state": "preview"})
        values = {
            "user": reporter.pk,
            "membership": Membership.objects.get(user=reporter).pk,
            "org": org.code,
            "assignment_org": org.code,
            "assignment": assignments[where].pk,
            "audit": AuditEntry.objects.order_by("id").first().pk,
            "job": Job.objects.create(kind="reporting.import", requested_by=reporter, created_at=timezone.now()).pk,
            "report": report.pk,
            "attachment": attachment.pk,
            "notification": Notification.objects.create(user=reporter, title=f"通知 {org.code}", report=report).pk,
            "upload": token,
            "org_upload": org_token,
            "history_upload": history_token,
            "dataset": "WF_Y",
            "period": "2021",
            "savedview": SavedView.objects.create(
                owner=reporter, name=f"视图 {org.code}", shared=False, query={"measure": "element:WF_WORKERS"}
            ).pk,
            "round": rounds[where].pk,
            "entry": Entry.objects.create(
                participant=participant, criterion=criteria[where], kind=EntryKind.BONUS, note="加分", by=office
            ).pk,
            "appeal": Appeal.objects.create(
                participant=participant, criterion=criteria[where], reason="申诉", filed_by=reporter
            ).pk,
            "participant": participant.pk,
            "criterion": criteria[where].pk,
            "evidence": Evidence.objects.create(
                participant=participant,
                kind=EvidenceKind.LINK,
                title="链接",
                url="https://example.cn",
                uploaded_by=reporter,
            ).pk,
        }
        values.update(_ledger_objects(org, reporter))
        for kind, value in values.items():
            objects[kind][where] = value
        owners[where] = reporter
    # ledger, written reports: a ledger, a report and an attached file per place.
    from ledger.tests.written_factories import idor_objects

    objects.update(idor_objects(orgs))
    # policies: a notice received and an uptake form per place.
    from policies.tests.factories import idor_objects as policy_objects

    objects.update(policy_objects(orgs))
    # training: a class organised per place and an enrolment per place in a class of the office.
    from training.tests.factories import idor_objects as training_objects

    objects.update(training_objects(orgs))
    # sites: a site (with a guidance group led by a department viewer), a nomination, files, a visit, a follow-up.
    from sites.tests.factories import idor_objects as site_objects

    objects.update(site_objects(orgs, tree.user(Role.DEPT_VIEWER)))
    # cases: a draft case with a file per place, and each place's adoption of a case the office published.
    from cases.tests.factories import idor_objects as case_objects

    objects.update(case_objects(orgs, office))
    # publishing: a submitted item with a file, an issued issue with its parts, per place.
    from publishing.tests.factories import idor_objects as publishing_objects

    objects.update(publishing_objects(orgs))
    from talent.tests.factories import idor_objects as talent_objects

    objects.update(talent_objects(orgs))
    from competitions.tests.factories import idor_objects as competition_objects

    objects.update(competition_objects(orgs))
    from studios.tests.factories import idor_objects as studio_objects

    objects.update(studio_objects(orgs))
    from suggestions.tests.factories import idor_objects as suggestion_objects

    objects.update(suggestion_objects(orgs))
    return objects, owners, office, reports


def _ledger_objects(org, reporter) -> dict[str, int]:
    """The organisation on the reform ledger, with a group member, an officer, a document, a task, a milestone."""
    ledger = Ledger.objects.create(org=org, listed_on=dt.date(2018, 1, 1))
    task = make_task(ledger)
    return {
        "member": GroupMember.objects.create(
            ledger=ledger, name="组长", role="leader", joined_on=dt.date(2019, 1, 1)
        ).pk,
        "officer": Officer.objects.create(
            ledger=ledger, kind="info", name="信息员", phone="13812345678", started_on=dt.date(2019, 1, 1)
        ).pk,
        "document": Document.objects.create(
            org=org,
            kind="plan",
            file=f"ledger/{org.code}.pdf",
            original_name="方案.pdf",
            size=3,
            content_type="application/pdf",
            sha256="0" * 64,
            uploaded_by=reporter,
        ).pk,  # fmt: skip
        "task": task.pk,
        "milestone": Milestone.objects.create(task=task, title="节点", due_on=dt.date(2021, 6, 30)).pk,
    }


def _fields(model) -> list[str]:
    # Signing in sets last_login; everything else must stay as it was.
    return [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]


def state() -> dict:
    """Every row a refused request could have changed."""
    return {
        model.__name__: list(model.objects.order_by("pk").values(*_fields(model)))
        for model in (
            Organisation, Membership, Assignment, User, Report, DataValue, ReportAttachment, Notification, Job,
            SavedView, Participant, Rating, Entry, Appeal, Evidence, Ledger, GroupMember, Officer, Document, Task,
            Milestone, TaskUpdate,
            SavedView, Participant, Rating, Entry, Appeal, Evidence, WrittenReport, WrittenSection,
            NoticeRecipient, UptakeReport, UptakeLine,
            TrainingClass, Enrolment, DayAttendance, ClassFile,
            Case, CaseFile, Replication,
            *publishing_models(),
        )
    }  # fmt: skip


def publishing_models() -> tuple:
    from publishing.models import Article, Issue, IssueDocument, Recipient, Submission, SubmissionFile

    return (Submission, SubmissionFile, Issue, Article, Recipient, IssueDocument)


def url_for(name: str, args: list[str], objects, where: str) -> str:
    route = DETAIL_ROUTES[name]
    return reverse(name, kwargs={arg: objects[kind][where] for arg, kind in zip(args, route.kinds, strict=True)})


PROBES = [(Role.REPORTER, "ent_a1", ("sibling", "other_branch")), (Role.UNION_ADMIN, "union_a", ("other_branch",))]


def test_foreign_objects_are_not_found_on_every_page(client, tree, world):
    objects, owners, office, _reports = world
    routes = [(name, args) for _route, name, args in page_routes() if name in DETAIL_ROUTES]
    probers = [(tree.user(role, getattr(tree, home)), foreign) for role, home, foreign in PROBES]
    before = state()
    refused = []
    for prober, foreign in probers:
        client.force_login(prober)
        for name, args in routes:
            expected = DETAIL_ROUTES[name].foreign_status
            for where in foreign:
                url = url_for(name, args, objects, where)
                answers = {}
                for method in ("get", "post"):
                    cache.clear()  # rate limits are tested elsewhere; here every request must reach the view
                    response = getattr(client, method)(url, BODY) if method == "post" else client.get(url)
                    answers[method] = response.status_code
                    assert response.status_code in (expected, 405), (method.upper(), url, response.status_code)
                assert expected in answers.values(), (url, answers)  # the route was reached by some method
                refused.append(url)
    assert len(refused) == len(routes) * 3
    after = state()
    for table in before:
        changed = [(b, a) for b, a in zip(before[table], after[table], strict=False) if b != a]
        assert not changed and len(before[table]) == len(after[table]), (table, changed[:1])

    # The control: whoever may see each object is not refused on the same URLs.
    for name, args in routes:
        route = DETAIL_ROUTES[name]
        if not route.control:
            continue
        for where in ("sibling", "other_branch"):
            client.force_login(office if route.control == "office" else owners[where])
            cache.clear()
            url = url_for(name, args, objects, where)
            status = client.get(url).status_code
            assert status not in (403, 404), (name, url, status)


def test_ids_in_request_bodies_are_refused(client, tree, world):
    """Forms naming another branch's organisation or object are refused, not acted on."""
    objects, _owners, _office, reports = world
    union_admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    own_user = objects["user"]["own"]
    office = Actor(user=tree.user(Role.OFFICE_ADMIN))
    fresh = assessment_services.round_open(
        by=office, framework=make_framework(office.user), name="自评中", orgs=[tree.ent_a1]
    )  # in self-assessment, so evidence could be added if the report were the organisation's own
    own_participant = fresh.participants.get().pk
    client.force_login(union_admin)
    before = state()

    # Grant a role at an organisation of union B to a user of the admin's own subtree.
    grant = client.post(reverse("accounts:membership_grant", args=[own_user]), {"org": "E-B1", "role": Role.REPORTER})
    # Create an account at an organisation of union B.
    create = client.post(
        reverse("accounts:user_create"),
        {"username": "intruder", "full_name": "越权", "org": "E-B1", "role": Role.REPORTER},
    )
    # Move an own organisation under union B.
    org = Organisation.objects.get(code="E-A1")
    move = client.post(
        reverse("orgs:org_move", args=["E-A1"]), {"new_parent": "U-B", "on": "2025-01-01", "version": org.version}
    )
    # Cite another branch's report as evidence on the own organisation's score card.
    client.force_login(reporter)
    evidence = client.post(
        reverse("assessment:evidence_add", args=[own_participant]),
        {"title": "越权引用", "report": reports["other_branch"].pk},
    )

    # Each is refused for the foreign id, with the form shown again (not for some other reason).
    refusal = "找不到机构“E-B1”：请输入机构名称、简称、拼音首字母或代码，并从列表中选择。"
    assert refusal in grant.content.decode() and refusal in create.content.decode()
    assert "找不到机构代码为“U-B”的机构，或您无权在其下维护机构。" in move.content.decode()
    assert evidence.status_code == 400
    assert "选择一个有效的选项" in evidence.content.decode()
    assert state() == before
    assert not User.objects.filter(username="intruder").exists()
    assert in_subtree(Organisation.objects.get(code="E-A1"), tree.union_a)


# Search endpoints behind the pages (the organisation picker): what they look up is named in the query, not in
# the route, so they are probed here with the names, codes and pinyin initials of other branches' organisations,
# for every purpose a picker may have. A new search route (a name ending in _pick, _search or _autocomplete)
# without an entry fails `test_every_search_route_is_mapped`.
SEARCH_ROUTES = {"orgs:org_pick": ("q", "for")}
SEARCH_NAME_ENDINGS = ("_pick", "_search", "_autocomplete")


def test_every_search_route_is_mapped():
    names = {name for _route, name, _pattern in _walk(get_resolver().url_patterns)}
    searches = {name for name in names if name.endswith(SEARCH_NAME_ENDINGS)}
    assert searches == set(SEARCH_ROUTES), searches ^ set(SEARCH_ROUTES)


def test_search_routes_never_find_foreign_organisations(client, tree):
    from orgs.pickers import PURPOSES

    foreign = {"sibling": tree.ent_a2, "other_branch": tree.ent_b1}
    probes = [(tree.user(role, getattr(tree, home)), places) for role, home, places in PROBES]
    office = tree.user(Role.OFFICE_ADMIN)
    for name, (text_param, purpose_param) in SEARCH_ROUTES.items():
        for user, places in [*probes, (office, ("sibling", "other_branch"))]:
            client.force_login(user)
            for where in places:
                org = foreign[where]
                for text in (org.name, org.code, org.pinyin_initials, org.name[:2]):
                    for purpose in PURPOSES:
                        cache.clear()  # the rate limit is tested in orgs/tests/test_pickers.py
                        answer = client.get(reverse(name), {text_param: text, purpose_param: purpose})
                        assert answer.status_code == 200, (name, text, purpose)
                        codes = {row["code"] for row in answer.json()["results"]}
                        if user == office:  # the control: someone who may see it finds it
                            if purpose == "view":
                                assert org.code in codes, (text, purpose)
                        else:
                            assert org.code not in codes, (user.username, name, text, purpose)
