"""The capacity-building pages: who sees what (404 outside, 403 inside without the right, login for the anonymous),
enrolling through the page, attendance and completion, the .xlsx sheet, masked phones and the audited reveal."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from core import deadlines, registry
from core.models import AuditEntry
from orgs.choices import OrgKind, Role
from training.choices import ClassStatus
from training.models import Enrolment, TrainingClass
from training.tests.factories import enrol, make_class

pytestmark = pytest.mark.django_db

TODAY = deadlines.today()


def test_anonymous_visitors_are_sent_to_log_in(client, tree):
    klass = make_class(tree.office)
    for url in (reverse("training:home"), klass.get_absolute_url(), reverse("training:coverage")):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_list_shows_classes_for_the_audience_and_says_what_to_do_when_empty(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    assert "目前没有面向您单位的培训班" in client.get(reverse("training:home")).content.decode()
    office_class = make_class(tree.office, title="全省业务培训")
    union_b_class = make_class(tree.union_b, title="铜业内部培训", audience_kinds=[OrgKind.ENTERPRISE])
    union_a_class = make_class(tree.union_a, title="电网内部培训", audience_kinds=[OrgKind.ENTERPRISE])
    body = client.get(reverse("training:home")).content.decode()
    assert office_class.title in body and union_a_class.title in body and union_b_class.title not in body
    assert client.get(union_b_class.get_absolute_url()).status_code == 404
    assert client.get(union_a_class.get_absolute_url()).status_code == 200


def test_list_page_query_budget(client, tree, django_assert_max_num_queries):
    for n in range(8):
        make_class(tree.office, title=f"培训班{n}")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("training:home")).status_code == 200


def test_a_union_admin_enrols_through_the_page_and_sees_only_his_people(client, tree):
    klass = make_class(tree.office, capacity=10)
    enrol(klass, tree.union_b, "外单位学员")
    admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    client.force_login(admin)
    page = client.get(klass.get_absolute_url()).content.decode()
    assert 'id="enrol-form"' in page and "外单位学员" not in page
    response = client.post(
        reverse("training:enrol", args=[klass.pk]),
        {"org": "U-A", "name": "张三", "position": "工会主席", "phone": "13912345678"},
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(name="张三")
    assert enrolment.org == tree.union_a and enrolment.enrolled_by == admin
    page = client.get(klass.get_absolute_url()).content.decode()
    assert "张三" in page and "139****5678" in page and "13912345678" not in page
    assert "外单位学员" not in page and "查看完整电话" not in page  # a union administrator may not see it in full
    # A bad input comes back with the field's message and nothing saved.
    again = client.post(reverse("training:enrol", args=[klass.pk]), {"org": "U-A", "name": "张三"})
    assert again.status_code == 400
    assert "“张三”（云南电网）已报名本班，同一人只能报名一次。" in again.content.decode()
    foreign = client.post(reverse("training:enrol", args=[klass.pk]), {"org": "U-B", "name": "越权"})
    assert "找不到机构“U-B”" in foreign.content.decode()
    assert Enrolment.objects.filter(klass=klass).count() == 2


def test_the_office_sees_everyone_masked_and_reveals_a_phone_audited(client, tree):
    klass = make_class(tree.office)
    person = enrol(klass, tree.union_a, "张三", phone="13912345678")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    page = client.get(klass.get_absolute_url()).content.decode()
    assert "139****5678" in page and "13912345678" not in page and "查看完整电话" in page
    assert client.get(reverse("training:reveal", args=[person.pk])).status_code == 405  # a GET never reveals
    assert not AuditEntry.objects.filter(event="core.pii.reveal").exists()
    response = client.post(reverse("training:reveal", args=[person.pk]), {"reason": "通知开班"})
    assert response.status_code == 200 and "13912345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    row = AuditEntry.objects.get(event="core.pii.reveal")
    assert (
        row.object_id == str(person.pk) and row.detail["reason"] == "通知开班" and "13912345678" not in str(row.detail)
    )
    # A union administrator in whose scope the person is may not see it in full: 403.
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    assert client.post(reverse("training:reveal", args=[person.pk])).status_code == 403


def test_managing_a_class_is_the_organisers(client, tree):
    klass = make_class(tree.office, days_ahead=-2, status=ClassStatus.RUNNING, ends_on=TODAY)
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))  # sees the class (audience) but does not run it
    for name in ("class_edit", "attendance", "attendance_xlsx"):
        assert client.get(reverse(f"training:{name}", args=[klass.pk])).status_code == 403, name
    for name in ("class_step", "completion", "material_add"):
        assert client.post(reverse(f"training:{name}", args=[klass.pk]), {"step": "finish"}).status_code == 403
    client.force_login(tree.user(Role.LEADER))  # read-only everywhere
    assert client.get(klass.get_absolute_url()).status_code == 200
    assert client.post(reverse("training:class_step", args=[klass.pk]), {"step": "finish"}).status_code == 403
    assert TrainingClass.objects.get(pk=klass.pk).status == ClassStatus.RUNNING
    union_class = make_class(tree.union_a, title="电网内部培训", audience_kinds=[OrgKind.ENTERPRISE])
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))  # another branch: the class does not exist for him
    for name in ("class_detail", "class_edit", "attendance"):
        assert client.get(reverse(f"training:{name}", args=[union_class.pk])).status_code == 404, name


def test_creating_a_class_through_the_page(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    assert client.get(reverse("training:class_create")).status_code == 403
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    data = {
        "organiser": "OFFICE", "kind": "seminar", "title": "全省产改专题学习班",
        "starts_on": f"{TODAY + dt.timedelta(days=30):%Y-%m-%d}",
        "ends_on": f"{TODAY + dt.timedelta(days=32):%Y-%m-%d}",
        "enrol_deadline": f"{TODAY + dt.timedelta(days=40):%Y-%m-%d}", "place": "昆明", "audience_kinds": ["union"],
    }  # fmt: skip
    refused = client.post(reverse("training:class_create"), data)
    assert refused.status_code == 200 and "报名截止日期不能晚于开班日期。" in refused.content.decode()
    data["enrol_deadline"] = f"{TODAY + dt.timedelta(days=20):%Y-%m-%d}"
    response = client.post(reverse("training:class_create"), data)
    klass = TrainingClass.objects.get(title="全省产改专题学习班")
    assert response.status_code == 302 and response["Location"] == klass.get_absolute_url()
    client.post(reverse("training:class_step", args=[klass.pk]), {"step": "open"})
    assert TrainingClass.objects.get(pk=klass.pk).status == ClassStatus.OPEN
    edit = client.post(
        reverse("training:class_edit", args=[klass.pk]), {**data, "title": "改名", "version": 1}
    )  # a stale version: someone (the step) saved since
    assert "已被他人修改" in edit.content.decode()


def test_attendance_completion_and_the_xlsx_sheet(client, tree):
    klass = make_class(
        tree.office, days_ahead=-3, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=2),
        title="信息员培训班",
    )  # fmt: skip
    a = enrol(klass, tree.union_a, "张三", phone="13912345678", position="信息员")
    b = enrol(klass, tree.kunming, "=cmd|' /C calc'!A0")  # a formula in a name stays text
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    day = klass.starts_on
    url = reverse("training:attendance", args=[klass.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"day": f"{day:%Y-%m-%d}", f"mark_{a.pk}": "present", f"mark_{b.pk}": "leave"})
    client.post(url, {"day": "", f"mark_{a.pk}": "present", f"mark_{b.pk}": "absent"})
    response = client.post(reverse("training:completion", args=[klass.pk]), {"completed": [str(a.pk), str(b.pk)]})
    assert response.status_code == 302
    assert not Enrolment.objects.get(pk=a.pk).completed  # refused whole: the absent person cannot complete
    client.post(reverse("training:completion", args=[klass.pk]), {"completed": [str(a.pk)]})
    assert Enrolment.objects.get(pk=a.pk).completed
    cache.clear()
    sheet = client.get(reverse("training:attendance_xlsx", args=[klass.pk]))
    assert sheet.status_code == 200 and "attachment" in sheet["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(sheet.streaming_content)))
    ws = book.active
    assert ws["A1"].value == "信息员培训班 考勤表"
    headers = [c.value for c in ws[4]]
    assert headers[:5] == ["序号", "姓名", "单位", "职务", "联系电话"]
    assert headers[-3:] == ["全程考勤", "结业", "签名"]
    rows = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]] for r in (5, 6)}
    first = rows["张三"]
    assert first[2] == "云南电网" and first[4] == "139****5678" and first[5] == "出勤"
    assert first[-3:] == ["出勤", "是", None]
    formula = rows["'=cmd|' /C calc'!A0"]
    assert formula[5] == "请假" and formula[-3] == "缺勤" and formula[-2] is None
    assert AuditEntry.objects.filter(event="training.attendance.export").get().detail == {"rows": 2}
    assert AuditEntry.objects.filter(event="training.attendance.record").count() == 2


def test_the_coverage_page_names_the_untrained(client, tree):
    klass = make_class(tree.office, days_ahead=-3, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=1))
    person = enrol(klass, tree.union_a, "张三")
    Enrolment.objects.filter(pk=person.pk).update(completed=True)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    body = client.get(reverse("training:coverage"), {"year": klass.year}).content.decode()
    assert "33.3%" in body and "（已培训 1 家 / 应培训 3 家）" in body
    never = body[body.index('id="never-trained"') :]
    assert "中国铜业" in never and "昆明市总工会" in never and "云南电网" not in never[: never.index("</ul>")]
    department = client.get(reverse("training:coverage"), {"year": klass.year, "audience": "department"})
    assert "0.0%" in department.content.decode()
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    nothing = client.get(reverse("training:coverage"), {"year": klass.year, "audience": "prefecture"}).content.decode()
    assert "无数据" in nothing and 'id="no-audience"' in nothing and "0.0%" not in nothing


def test_the_menu_entries_sit_under_the_policy_drop_down(tree, monkeypatch):
    parent = registry.MenuEntry(key="policy", label="政策与培训", order=40)
    monkeypatch.setitem(registry._menu, "policy", parent)
    urls = registry.menu_urls()
    assert urls["training_classes"] == reverse("training:home")
    assert urls["training_coverage"] == reverse("training:coverage")
    office = registry.menu_for(tree.user(Role.OFFICE_ADMIN))
    children = {c.key for item in office if item.key == "policy" for c in item.children}
    assert children == {"training_classes", "training_coverage"}
    reporter = registry.menu_for(tree.user(Role.REPORTER))
    children = {c.key for item in reporter if item.key == "policy" for c in item.children}
    assert children == {"training_classes"}


def test_home_todos_for_the_audience_admin_and_the_organiser(client, tree):
    klass = make_class(tree.office, title="报名中的班")
    admin = tree.user(Role.UNION_ADMIN, tree.union_a)
    todos = registry.todos_for(admin)
    texts = [t.text for t in todos]
    assert any("“报名中的班”正在报名，云南电网尚未报名" in t for t in texts)
    todo = next(t for t in todos if "报名中的班" in t.text)
    assert todo.due == klass.enrol_deadline and todo.url == klass.get_absolute_url()
    enrol(klass, tree.union_a, "张三")
    assert not any("报名中的班" in t.text for t in registry.todos_for(admin))
    ended = make_class(
        tree.office,
        title="已结束的班",
        days_ahead=-5,
        status=ClassStatus.FINISHED,
        ends_on=TODAY - dt.timedelta(days=3),
    )
    enrol(ended, tree.union_b, "李四")
    office_todos = [t for t in registry.todos_for(tree.user(Role.OFFICE_ADMIN)) if "已结束的班" in t.text]
    assert office_todos and office_todos[0].url == reverse("training:attendance", args=[ended.pk])


def test_files_are_kept_by_the_organiser_and_downloaded_by_the_audience(client, tree, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    klass = make_class(tree.office)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    pdf = SimpleUploadedFile("../../日程安排.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(reverse("training:material_add", args=[klass.pk]), {"file": pdf, "title": "日程"})
    assert response.status_code == 302
    row = klass.files.get()
    assert row.original_name == "日程安排.pdf" and ".." not in row.file.name and row.uploaded_by.username
    fake = SimpleUploadedFile("讲义.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    client.post(reverse("training:material_add", args=[klass.pk]), {"file": fake})
    assert klass.files.count() == 1
    assert AuditEntry.objects.filter(event="training.material.add").count() == 1
    client.force_login(tree.user(Role.REPORTER))  # the audience downloads it
    download = client.get(reverse("training:material_download", args=[klass.pk, row.pk]))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(event="training.material.download").count() == 1
    other = make_class(tree.union_b, title="铜业班", audience_kinds=[OrgKind.ENTERPRISE])
    assert client.get(reverse("training:material_download", args=[other.pk, row.pk])).status_code == 404


def test_enrolments_and_completions_are_on_the_timeline_and_delay_closing(tree):
    from ledger import timeline
    from orgs.services import records_after

    klass = make_class(tree.office, days_ahead=-3, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=1))
    person = enrol(klass, tree.ent_a1, "张三")
    Enrolment.objects.filter(pk=person.pk).update(completed=True, completed_on=klass.ends_on)
    events = timeline.events_of([tree.ent_a1.pk], kinds=["training"])
    titles = [e.title for e in events]
    assert "张三完成“产改业务培训班”并结业" in titles and "张三报名参加“产改业务培训班”" in titles
    assert all(e.activity and e.url == klass.get_absolute_url() for e in events)
    assert ("培训报名", klass.starts_on) in records_after(tree.union_a, klass.starts_on - dt.timedelta(days=1))
    assert not [r for r in records_after(tree.union_a, klass.starts_on) if r[0] == "培训报名"]


def test_the_coverage_as_xlsx(client, tree):
    klass = make_class(tree.office, days_ahead=-3, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=1))
    person = enrol(klass, tree.union_a, "张三")
    Enrolment.objects.filter(pk=person.pk).update(completed=True)
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    cache.clear()
    answer = client.get(reverse("training:coverage_xlsx"), {"year": klass.year})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["单位", "类型", "所属州市/工会", "结业人次", "是否已培训"]
    assert ["云南电网", "省级产业系统公司工会", "云南电网", 1, "是"] in rows
    assert ["中国铜业", "省级产业系统公司工会", "中国铜业", 0, "否"] in rows and len(rows) == 4
    assert AuditEntry.objects.get(event="training.coverage.export").detail == {
        "year": klass.year,
        "audience": "default",
        "rows": 3,
    }
    client.force_login(tree.user(Role.INFO_OFFICER))  # no EXPORT
    assert client.get(reverse("training:coverage_xlsx")).status_code == 403


def test_named_audience_organisations_are_typed_by_name_through_the_door(client, tree):
    client.force_login(tree.user(Role.UNION_ADMIN, tree.union_a))
    data = {
        "organiser": "云南电网", "kind": "business", "title": "电网业务培训", "starts_on": "2030-05-10",
        "ends_on": "2030-05-11", "enrol_deadline": "2030-05-01", "place": "昆明",
        "audience_names": "昆明供电局、云南铜业股份",
    }  # fmt: skip
    refused = client.post(reverse("training:class_create"), data)
    assert "找不到机构“云南铜业股份”" in refused.content.decode()
    assert not TrainingClass.objects.exists()
    client.post(reverse("training:class_create"), {**data, "audience_names": "昆明供电局\n曲靖供电局"})
    klass = TrainingClass.objects.get()
    assert set(klass.audience_orgs.values_list("code", flat=True)) == {"E-A1", "E-A2"}
    assert klass.organiser == tree.union_a and klass.audience_kinds == []
    page = client.get(reverse("training:class_edit", args=[klass.pk])).content.decode()
    assert "昆明供电局、曲靖供电局" in page


def test_the_attendance_sheet_as_a_pdf(client, tree):
    import shutil
    import subprocess

    klass = make_class(tree.office, days_ahead=-2, status=ClassStatus.FINISHED, ends_on=TODAY - dt.timedelta(days=1))
    enrol(klass, tree.union_a, "张三", phone="13912345678")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    cache.clear()
    answer = client.get(reverse("training:attendance_pdf", args=[klass.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and "attachment" in answer["Content-Disposition"]
    executable = shutil.which("pdftotext")
    assert executable, "pdftotext is missing: install poppler-utils (make system-deps)"
    text = subprocess.run(  # noqa: S603 - a fixed tool on our own file, no shell
        [executable, "-raw", "-", "-"], input=answer.content, capture_output=True, check=True
    ).stdout.decode()
    assert "张三" in text and "139****5678" in text and "13912345678" not in text and "云南电网" in text
    assert AuditEntry.objects.get(event="training.attendance.export").detail == {"rows": 1, "format": "pdf"}
