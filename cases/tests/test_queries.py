"""Who sees which case, and the library's search in Chinese (run on SQLite and on PostgreSQL alike)."""

from __future__ import annotations

from django.http import QueryDict

from cases import queries
from cases.models import Case, Replication
from cases.tests.factories import adopt, make_case, office, published_case, step, writer
from orgs.choices import Action, Role

PAY = "<p>公司建立以技能为导向的薪酬分配制度，职工每晋升一个技能等级，岗位工资随之上调。</p>"
STUDIO = "<p>依托劳模创新工作室，组织青年职工攻关井下通风难题，形成五项实用新型专利。</p>"
BOTH = "<p>创新工作室成员的攻关成果计入绩效，薪酬向技术骨干倾斜。</p>"


def search(user, text: str, **params) -> list[Case]:
    data = QueryDict(mutable=True)
    data.update({"q": text, **params})
    hits, _words = queries.library(user, queries.Filters.from_params(data))
    return [hit.case for hit in hits]


def library(tree):
    pay = published_case(tree, title="一线职工成长的新路子", summary="让学技术的职工得实惠。", body=PAY)
    studio = published_case(tree, tree.ent_b1, title="矿山里的创新团队", summary="青年职工攻关。", body=STUDIO,
                            tasks=("contribution",), topics=("创新工作室",), year=2020)  # fmt: skip
    return pay, studio


def test_a_word_is_found_inside_a_sentence(tree):
    pay, studio = library(tree)
    reader = tree.user(Role.REPORTER, tree.ent_a2)
    # “技能薪酬” appears nowhere as such: the body says “建立以技能为导向的薪酬分配制度”.
    assert "技能薪酬" not in pay.body_text
    assert search(reader, "技能薪酬") == [pay]
    hits, words = queries.library(reader, queries.Filters(q="技能薪酬"))
    assert words == ["技能", "薪酬"]
    assert "<mark>技能</mark>为导向的<mark>薪酬</mark>" in hits[0].snippet


def test_a_query_of_two_words_needs_both(tree):
    pay, studio = library(tree)
    reader = tree.user(Role.REPORTER, tree.ent_a2)
    assert search(reader, "薪酬 工作室") == []
    both = published_case(tree, tree.ent_a2, title="成果进绩效", summary="攻关成果计入绩效。", body=BOTH)
    assert search(reader, "薪酬 工作室") == [both]
    assert set(search(reader, "工作室")) == {studio, both}


def test_the_title_weighs_more(tree):
    pay, _studio = library(tree)
    titled = published_case(
        tree, tree.ent_a2, title="技能薪酬改革三年回顾", summary="回顾。", body="<p>技能与薪酬。</p>"
    )
    assert search(tree.user(Role.REPORTER), "技能薪酬")[0] == titled
    assert search(tree.user(Role.REPORTER), "技能薪酬", sort="newest")[0] == titled  # published last
    adopt(tree, pay, tree.ent_a2)
    assert search(tree.user(Role.REPORTER), "技能薪酬", sort="replicated")[0] == pay


def test_filters(tree):
    pay, studio = library(tree)
    reader = tree.user(Role.LEADER)
    assert search(reader, "", task="contribution") == [studio]
    assert search(reader, "", year="2020") == [studio]
    assert search(reader, "", union="U-B") == [studio]
    assert search(reader, "", prefecture="530100") == [pay]  # 昆明供电局 lies in 昆明市
    topic = studio.topics.get()
    assert search(reader, "", topic=str(topic.pk)) == [studio]
    assert set(search(reader, "", task="bogus", year="２０２０", topic="x")) == {pay, studio}  # malformed: ignored


def test_drafts_stay_in_scope_published_cases_are_province_wide(tree):
    draft = make_case(tree, title="草稿案例")
    submitted = make_case(tree, title="已提交案例")
    step(submitted, "submit", writer(tree))
    published = published_case(tree, title="已发布案例")
    sibling = tree.user(Role.REPORTER, tree.ent_a2)
    other = tree.user(Role.REPORTER, tree.ent_b1)
    own_union = tree.user(Role.UNION_ADMIN, tree.union_a)
    assert set(queries.cases_visible(tree.user(Role.REPORTER))) == {draft, submitted, published}
    assert set(queries.cases_visible(own_union)) == {draft, submitted, published}
    assert set(queries.cases_visible(office(tree).user)) == {draft, submitted, published}
    # 省国资委 is assigned 昆明供电局 (挂钩帮带): it follows that enterprise's drafts too.
    assert set(queries.cases_visible(tree.user(Role.DEPT_VIEWER))) == {draft, submitted, published}
    assert queries.cases_visible(tree.user(Role.LEADER)).count() == 3  # the province's leader reads everything
    for user in (sibling, other):
        assert list(queries.cases_visible(user)) == [published], user
    for role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN):
        assert not queries.cases_visible(tree.user(role)).exists()
    # Being readable is not being writable: EDIT stays within the scope.
    assert not Case.objects.visible_to(sibling, Action.EDIT).exists()
    # The library lists only published cases, even to whoever sees the drafts.
    assert search(tree.user(Role.REPORTER), "") == [published]


def test_replications_are_seen_by_the_adopter_and_the_source(tree):
    case = published_case(tree)
    row = adopt(tree, case, tree.ent_b1)
    assert list(queries.replications_visible(tree.user(Role.REPORTER, tree.ent_b1))) == [row]  # the adopter
    assert list(queries.replications_visible(tree.user(Role.REPORTER))) == [row]  # the source
    assert not queries.replications_visible(tree.user(Role.REPORTER, tree.ent_a2)).exists()
    assert not Replication.objects.visible_to(tree.user(Role.REPORTER), Action.EDIT).exists()


def test_my_cases_and_the_review_queue(tree):
    draft = make_case(tree, title="草稿")
    submitted = make_case(tree, title="待审")
    step(submitted, "submit", writer(tree))
    assert set(queries.my_cases(tree.user(Role.REPORTER))) == {draft, submitted}
    assert not queries.my_cases(tree.user(Role.REPORTER, tree.ent_b1)).exists()
    assert list(queries.review_queue(office(tree).user)) == [submitted]
    assert not queries.review_queue(tree.user(Role.UNION_ADMIN)).exists()


def test_spread_names_the_cases_and_the_adopters(tree):
    pay, studio = library(tree)
    adopt(tree, pay, tree.ent_a2)
    adopt(tree, pay, tree.ent_b1)
    adopt(tree, studio, tree.ent_a2)
    found = queries.spread(office(tree).user)
    assert [(c, c.replication_total) for c in found["cases"]] == [(pay, 2), (studio, 1)]
    assert found["adopters"][0]["org__name"] == "曲靖供电局" and found["adopters"][0]["n"] == 2
