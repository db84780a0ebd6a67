"""The case library's pages: who reaches what (404 outside, 403 without the right), forms, exports, files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from PIL import Image

from accounts.tests.factories import login_verified
from cases.choices import CaseStatus
from cases.models import Case, CaseFile
from cases.tests.factories import adopt, make_case, office, published_case, step, writer
from core import registry
from core.models import AuditEntry
from orgs.choices import Role


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("cases:library"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_library_lists_published_cases_for_everyone_in_the_province(client, tree):
    published = published_case(tree, title="技能等级与薪酬挂钩")
    draft = make_case(tree, title="尚未提交的草稿")
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))  # another branch
    page = client.get(reverse("cases:library"), {"q": "技能薪酬"}).content.decode()
    assert published.title in page and draft.title not in page
    assert "<mark>技能</mark>" in page
    assert client.get(reverse("cases:detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("cases:detail", args=[draft.pk])).status_code == 404


def test_the_separated_administrators_see_no_case(client, tree):
    published = published_case(tree)
    for role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN):
        login_verified(client, tree.user(role))
        assert client.get(reverse("cases:library")).status_code == 404
        assert client.get(reverse("cases:detail", args=[published.pk])).status_code == 404


def test_empty_library_says_what_to_do(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    page = client.get(reverse("cases:library")).content.decode()
    assert "案例库还没有发布的案例" in page
    page = client.get(reverse("cases:library"), {"q": "不存在的词"}).content.decode()
    assert "没有符合条件的案例" in page


def test_library_page_costs_a_fixed_number_of_queries(client, tree, django_assert_max_num_queries):
    for i in range(6):
        case = published_case(tree, title=f"案例{i}")
        adopt(tree, case, tree.ent_a2)
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    client.get(reverse("cases:library"))  # warm the session and the menu's cached answers
    with django_assert_max_num_queries(20):
        assert client.get(reverse("cases:library")).status_code == 200


def test_an_editor_writes_and_submits_a_case(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    topic = __import__("cases.models", fromlist=["Topic"]).Topic.objects.get(name="师带徒")
    response = client.post(
        reverse("cases:create"),
        {"org": "E-A1", "title": "师带徒结对子", "year": "2021", "summary": "老师傅带新徒弟。",
         "body": "第一段。\n\n第二段：签订师徒协议。", "format": "text", "tasks": ["skills"], "topics": [topic.pk],
         "author_name": "张敏", "author_position": "工会主席"},
    )  # fmt: skip
    case = Case.objects.get(title="师带徒结对子")
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert case.body == "<p>第一段。</p><p>第二段：签订师徒协议。</p>"
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="submit-form"' in page and 'id="publish-form"' not in page
    response = client.post(reverse("cases:step", args=[case.pk, "submit"]), {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert AuditEntry.objects.filter(event="cases.case.submit", object_id=str(case.pk)).exists()


def test_bad_form_input_is_shown_in_chinese(client, tree):
    client.force_login(tree.user(Role.REPORTER))
    response = client.post(
        reverse("cases:create"), {"org": "E-B1", "title": "", "year": "1999", "summary": "摘要", "format": "text"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "找不到机构“E-B1”" in page  # another branch's organisation: as if unknown
    assert not Case.objects.exists()


def test_office_returns_with_a_reason_and_publishes(client, tree):
    case = make_case(tree)
    step(case, "submit", writer(tree))
    case.refresh_from_db()
    client.force_login(office(tree).user)
    assert case.title in client.get(reverse("cases:review")).content.decode()
    response = client.post(reverse("cases:step", args=[case.pk, "return"]), {"version": case.version, "reason": ""})
    assert response.status_code == 400
    assert "请填写退回原因，说明需要修改什么。" in response.content.decode()
    client.post(reverse("cases:step", args=[case.pk, "return"]), {"version": case.version, "reason": "补充数据"})
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    # The editor's home page names the return and its reason.
    texts = [t.text for t in registry.todos_for(tree.user(Role.REPORTER))]
    assert "案例《技能等级与薪酬挂钩》被退回修改：补充数据" in texts


def test_steps_and_edits_without_the_right_are_403_inside_the_scope(client, tree):
    case = make_case(tree)
    step(case, "submit", writer(tree))
    case.refresh_from_db()
    client.force_login(tree.user(Role.REPORTER))  # the source's own editor may not publish
    assert client.post(reverse("cases:step", args=[case.pk, "publish"]), {"version": case.version}).status_code == 403
    client.force_login(tree.user(Role.INFO_OFFICER))  # reads 昆明供电局's cases, writes none
    assert client.get(reverse("cases:edit", args=[case.pk])).status_code == 403
    published = published_case(tree, title="已发布")
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))  # reads the published case, cannot change it
    assert client.get(reverse("cases:edit", args=[published.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_office_todo_and_review_page_are_the_office_s(client, tree):
    case = make_case(tree)
    step(case, "submit", writer(tree))
    texts = [t.text for t in registry.todos_for(office(tree).user)]
    assert "1 个改革案例等待审核发布。" in texts
    client.force_login(tree.user(Role.UNION_ADMIN))
    assert client.get(reverse("cases:review")).status_code == 404
    assert client.get(reverse("cases:spread")).status_code == 404
    assert client.get(reverse("cases:topics")).status_code == 404


def test_adopting_a_case_from_its_page(client, tree):
    case = published_case(tree)
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    response = client.post(
        reverse("cases:adopt", args=[case.pk]),
        {"org": "E-B1", "adopted_on": "2022-03-01", "adopted": "借鉴技能等级与薪酬挂钩", "result": ""},
    )
    assert response.status_code == 302
    page = client.get(case.get_absolute_url()).content.decode()
    assert "复制推广 1 家" in page and "云南铜业股份" in page
    response = client.post(
        reverse("cases:adopt", args=[case.pk]), {"org": "E-B1", "adopted_on": "2022-03-02", "adopted": "再登记一次"}
    )
    assert response.status_code == 400 and "已登记过复制推广本案例" in response.content.decode()
    row = case.replications.get()
    client.force_login(tree.user(Role.REPORTER))  # the source sees the record but may not delete it
    assert client.post(reverse("cases:replication_delete", args=[row.pk])).status_code == 403
    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))  # neither adopter nor source
    assert client.post(reverse("cases:replication_delete", args=[row.pk])).status_code == 404


def test_library_export_is_the_current_result(client, tree):
    pay = published_case(tree, title="技能等级与薪酬挂钩")
    published_case(
        tree, tree.ent_b1, title="矿山创新工作室", summary="青年职工攻关。", body="<p>劳模创新工作室攻关。</p>",
        tasks=("contribution",), topics=("创新工作室",),
    )  # fmt: skip
    adopt(tree, pay, tree.ent_b1)
    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))
    response = client.get(reverse("cases:library_xlsx"), {"q": "薪酬"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert [c.value for c in sheet[4]] == ["标题", "案例来源单位", "年度", "重点任务", "专题", "被复制推广次数",
                                           "发布日期", "链接"]  # fmt: skip
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    assert len(rows) == 1
    assert rows[0][:6] == ["技能等级与薪酬挂钩", "昆明供电局", 2021, "素质提升、地位提高", "技能导向薪酬", 1]
    assert rows[0][7].endswith(f"/cases/{pay.pk}/")
    assert AuditEntry.objects.filter(event="cases.library.export").get().detail["rows"] == 1


def test_a_case_as_word(client, tree):
    case = published_case(tree)
    adopt(tree, case, tree.ent_a2)
    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))  # the adopter: sees its own adoption record
    response = client.get(reverse("cases:docx", args=[case.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "技能等级与薪酬挂钩"
    assert any("案例来源：昆明供电局" in t for t in texts)
    assert any("重点任务：素质提升、地位提高" in t and "专题：技能导向薪酬" in t for t in texts)
    assert any("建立以技能为导向的薪酬分配制度" in t for t in texts)
    assert document.tables[0].rows[1].cells[0].text == "曲靖供电局"
    assert AuditEntry.objects.filter(event="cases.case.export", object_id=str(case.pk)).exists()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 120, 30)).save(out, format="PNG")
    return out.getvalue()


def test_files_and_photos(client, tree):
    case = make_case(tree)
    client.force_login(tree.user(Role.REPORTER))
    client.post(reverse("cases:file_add", args=[case.pk]), {"file": SimpleUploadedFile("现场.png", _png())})
    row = CaseFile.objects.get(case=case)
    assert row.original_name == "现场.png" and row.is_image
    preview = client.get(reverse("cases:file_preview", args=[case.pk, row.pk]))
    assert preview.status_code == 200 and preview["Content-Type"] == "image/png"
    download = client.get(reverse("cases:file", args=[case.pk, row.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    # A file that lies about its kind is refused by content.
    client.post(reverse("cases:file_add", args=[case.pk]), {"file": SimpleUploadedFile("假的.png", b"MZ\x90\x00exe")})
    assert CaseFile.objects.filter(case=case).count() == 1
    client.force_login(tree.user(Role.REPORTER, tree.ent_a2))  # a draft of another enterprise
    assert client.get(reverse("cases:file", args=[case.pk, row.pk])).status_code == 404
    client.force_login(tree.user(Role.REPORTER))
    client.post(reverse("cases:file_remove", args=[case.pk, row.pk]))
    assert not CaseFile.objects.exists()
    rows = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("id")
    assert list(rows.values_list("event", flat=True)) == [
        "cases.case.create", "cases.file.add", "cases.file.remove",
    ]  # fmt: skip


def test_menu_entries_go_under_the_demonstration_drop_down():
    entries = {e.key: e for e in registry._menu_extra["demonstration"]}
    assert [str(entries[k].label) for k in ("case_library", "case_mine", "case_review")] == ["案例库", "我的案例",
                                                                                           "案例审核"]  # fmt: skip
    assert entries["case_library"].url() == reverse("cases:library") == "/cases/"
    assert entries["case_mine"].url() == "/cases/mine/" and entries["case_review"].url() == "/cases/review/"


def test_topics_page_adds_and_renames(client, tree):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.post(reverse("cases:topics"), {"name": "技术工人队伍建设", "order": "5", "is_active": "on"})
    assert response.status_code == 302
    response = client.post(reverse("cases:topics"), {"name": "产业工人之家", "order": "5"})
    assert response.status_code == 400 and "专题“产业工人之家”已存在。" in response.content.decode()


def test_a_stale_edit_shows_the_conflict_and_keeps_the_other_save(client, tree):
    case = make_case(tree)
    stale = case.version
    Case.objects.filter(pk=case.pk).update(title="同事刚保存的标题", version=stale + 1)
    client.force_login(tree.user(Role.REPORTER))
    response = client.post(
        reverse("cases:edit", args=[case.pk]),
        {"org": "E-A1", "title": "我的标题", "year": "2021", "summary": "摘要", "body": "正文", "format": "text",
         "version": stale},
    )  # fmt: skip
    assert response.status_code == 400
    assert "该案例已被他人修改，请刷新后重试。" in response.content.decode()
    case.refresh_from_db()
    assert case.title == "同事刚保存的标题"


def test_get_never_writes(client, tree):
    case = published_case(tree)
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    before = AuditEntry.objects.count()
    for name in ("cases:library", "cases:mine"):
        client.get(reverse(name))
    client.get(case.get_absolute_url())
    assert client.get(reverse("cases:step", args=[case.pk, "withdraw"])).status_code == 405
    assert client.get(reverse("cases:adopt", args=[case.pk])).status_code == 405
    assert AuditEntry.objects.count() == before


def test_readers_may_not_write_a_case(client, tree):
    client.force_login(tree.user(Role.LEADER))
    assert client.get(reverse("cases:create")).status_code == 403
    client.force_login(tree.user(Role.INFO_OFFICER))
    assert client.post(reverse("cases:create"), {"org": "E-A1", "title": "越权"}).status_code == 403
    assert not Case.objects.exists()


def test_a_returned_case_is_the_source_editor_s_todo_not_the_union_s(tree):
    case = make_case(tree)
    step(case, "submit", writer(tree))
    step(case, "return", office(tree), reason="请补充数据")
    texts = [t.text for t in registry.todos_for(tree.user(Role.REPORTER))]
    assert "案例《技能等级与薪酬挂钩》被退回修改：请补充数据" in texts
    union_texts = [t.text for t in registry.todos_for(tree.user(Role.UNION_ADMIN, tree.union_a))]
    assert not any("技能等级与薪酬挂钩" in t for t in union_texts)
    assert not any("技能等级与薪酬挂钩" in t.text for t in registry.todos_for(tree.user(Role.REPORTER, tree.ent_a2)))


def test_searching_from_the_form_ranks_by_relevance(client, tree):
    published_case(tree, title="技能薪酬改革回顾", body="<p>技能与薪酬。</p>")
    published_case(tree, title="新近发布的案例", body="<p>以技能定薪酬，薪酬向技能人才倾斜。</p>")
    client.force_login(tree.user(Role.REPORTER, tree.ent_b1))
    page = client.get(reverse("cases:library"), {"q": "技能薪酬", "sort": ""}).content.decode()
    assert page.index("技能薪酬改革回顾") < page.index("新近发布的案例")  # the title weighs more than recency
    page = client.get(reverse("cases:library"), {"q": "技能薪酬", "sort": "newest"}).content.decode()
    assert page.index("新近发布的案例") < page.index("技能薪酬改革回顾")
