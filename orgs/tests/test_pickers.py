"""The organisation picker: the form field resolves a code, a name, a unique short name or pinyin initials
within the user's scope, and its search (orgs:org_pick) never lists an organisation outside it."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse

from orgs.choices import Role
from orgs.pickers import OrgField, bind_user
from orgs.tests.factories import make_org

NOT_FOUND = "找不到机构“{}”：请输入机构名称、简称、拼音首字母或代码，并从列表中选择。"


class PickForm(forms.Form):
    org = OrgField(purpose="users")


def _clean(user, text):
    form = PickForm({"org": text})
    bind_user(form, user)
    valid = form.is_valid()
    return (form.cleaned_data["org"] if valid else None), form.errors.get("org", [])


@pytest.fixture
def admin_a(tree):
    return tree.user(Role.UNION_ADMIN, tree.union_a)


@pytest.mark.parametrize("typed", ["E-A1", "e-a1", "昆明供电局", " 昆明供电局 ", "kmgdj"])
def test_field_takes_a_code_a_name_or_pinyin_initials(tree, admin_a, typed):
    org, errors = _clean(admin_a, typed)
    assert errors == []
    assert org == tree.ent_a1


def test_field_takes_a_unique_short_name(tree, admin_a):
    tree.ent_a2.short_name = "曲靖局"
    tree.ent_a2.save(update_fields=["short_name"])
    org, errors = _clean(admin_a, "曲靖局")
    assert (org, errors) == (tree.ent_a2, [])


def test_field_refuses_an_ambiguous_name_and_says_how_many(tree, admin_a):
    for parent in (tree.ent_a1, tree.ent_a2, tree.union_a):
        make_org(parent, "综合服务中心", code=f"SVC-{parent.code}")
    org, errors = _clean(admin_a, "综合服务中心")
    assert org is None
    assert errors == ["有 3 个名为“综合服务中心”的机构，请从列表中选择。"]
    chosen, errors = _clean(admin_a, "SVC-E-A2")  # what the list posts once one is chosen
    assert (chosen.code, errors) == ("SVC-E-A2", [])


def test_only_the_organisations_in_scope_count_for_ambiguity(tree, admin_a):
    make_org(tree.ent_a1, "综合服务中心", code="SVC-A")
    make_org(tree.ent_b1, "综合服务中心", code="SVC-B")  # union B: not the admin's
    org, errors = _clean(admin_a, "综合服务中心")
    assert (org.code, errors) == ("SVC-A", [])


@pytest.mark.parametrize("typed", ["E-B1", "云南铜业股份", "ynty", "E-B1X", "不存在的单位"])
def test_out_of_scope_reads_as_unknown_with_the_same_message(tree, admin_a, typed):
    org, errors = _clean(admin_a, typed)
    assert org is None
    assert errors == [NOT_FOUND.format(typed)]


def test_the_field_uses_its_purpose_action(tree):
    """A reporter may see their enterprise but not manage its users: for a users picker it is unknown."""
    reporter = tree.user(Role.REPORTER, tree.ent_a1)
    _org, errors = _clean(reporter, "E-A1")
    assert errors == [NOT_FOUND.format("E-A1")]


def test_a_closed_organisation_is_not_offered(tree, admin_a):
    tree.ent_a2.closed_on = tree.ent_a2.opened_on
    tree.ent_a2.save(update_fields=["closed_on"])
    _org, errors = _clean(admin_a, "曲靖供电局")
    assert errors == [NOT_FOUND.format("曲靖供电局")]


# --- The search endpoint ---------------------------------------------------------------------------------------


def _search(client, text, purpose="view"):
    response = client.get(reverse("orgs:org_pick"), {"q": text, "for": purpose})
    assert response.status_code == 200, response.content
    return response.json()


def test_search_by_name_initials_and_code_shows_kind_and_parent(client, tree, admin_a):
    client.force_login(admin_a)
    for text in ("昆明供电", "kmgd", "E-A1"):
        results = _search(client, text, "users")["results"]
        assert results[0] == {
            "code": "E-A1",
            "name": "昆明供电局",
            "short_name": "",
            "kind": "enterprise",
            "kind_label": "企业",
            "parent": "云南电网",
        }, text


@pytest.mark.parametrize(
    ("role", "home", "foreign"),
    [
        (Role.REPORTER, "ent_a1", ("曲靖供电局", "qjgdj", "E-A2", "云南铜业", "ynty", "E-B1", "云南电网", "U-A")),
        (Role.UNION_ADMIN, "union_a", ("云南铜业", "ynty", "E-B1", "中国铜业", "U-B", "省国资委")),
    ],
)
@pytest.mark.parametrize("purpose", ["view", "data", "entry", "accept", "users"])
def test_search_never_finds_organisations_outside_the_scope(client, tree, role, home, foreign, purpose):
    client.force_login(tree.user(role, getattr(tree, home)))
    for text in foreign:
        assert _search(client, text, purpose)["results"] == [], (text, purpose)
    # The control: the user's own organisation is found, so an empty answer is not a broken search.
    own = getattr(tree, home)
    if purpose in ("view", "data", "entry") or (role, purpose) == (Role.UNION_ADMIN, "users"):
        assert [r["code"] for r in _search(client, own.name, purpose)["results"]] == [own.code]


def test_search_does_not_name_a_parent_the_user_may_not_see(client, tree):
    client.force_login(tree.user(Role.REPORTER, tree.ent_a1))
    [own] = _search(client, "昆明供电局")["results"]
    assert own["parent"] == ""  # 云南电网 is above the reporter's scope


def test_search_is_small_and_says_when_there_are_more(client, tree):
    for n in range(12):
        make_org(tree.ent_a1, f"班组{n:02d}", code=f"TEAM{n:02d}")
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    answer = _search(client, "班组")
    assert len(answer["results"]) == 10 and answer["more"] is True


def test_search_refuses_an_unknown_purpose_and_limits_the_rate(client, tree, settings):
    client.force_login(tree.user(Role.OFFICE_ADMIN))
    response = client.get(reverse("orgs:org_pick"), {"q": "昆明", "for": "everything"})
    assert response.status_code == 400 and response.json() == {"detail": "未知的机构选择用途。"}
    settings.ORG_PICK_RATE_PER_MINUTE = 3
    codes = [client.get(reverse("orgs:org_pick"), {"q": "昆明"}).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_search_needs_a_signed_in_user(client, tree):
    response = client.get(reverse("orgs:org_pick"), {"q": "昆明"})
    assert response.status_code == 302
