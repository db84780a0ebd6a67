"""core.search: a query in Chinese is cut into words, each found inside sentences, on either database."""

import pytest

from core.search import rank, search, snippet, words
from orgs.models import Organisation


def test_words_cut_a_chinese_query_and_drop_particles_and_punctuation():
    assert words("提高技能人才的待遇！") == ["提高", "技能", "人才", "待遇"]
    assert words("  ") == []
    assert words("DeepSeek 模型") == ["deepseek", "模型"]
    assert len(words("技能" * 200)) == 1


def test_snippet_marks_the_words_and_escapes_the_text():
    text = "<b>某公司</b>建立了技能等级与薪酬挂钩的制度，职工收入明显提高。"
    html = snippet(text, ["薪酬", "提高"], width=200)
    assert "<mark>薪酬</mark>" in html and "<mark>提高</mark>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_rank_counts_every_word():
    assert rank(["技能 技能 人才", "人才"], ["技能", "人才"]) == 4


@pytest.mark.django_db
def test_search_finds_a_word_inside_a_sentence_and_needs_every_word():
    root = Organisation.objects.add_root(
        instance=Organisation(code="SRCH", name="高技能人才薪酬待遇改革试点单位", kind="union")
    )
    found = search(Organisation.objects.filter(pk=root.pk), ["name"], "提高技能人才待遇")
    assert list(found) == []  # 提高 is not in the name
    found = search(Organisation.objects.filter(pk=root.pk), ["name", "code"], "技能人才 待遇")
    assert list(found) == [root]
    assert list(search(Organisation.objects.filter(pk=root.pk), ["name"], "srch")) == []
    assert list(search(Organisation.objects.filter(pk=root.pk), ["name", "code"], "srch")) == [root]
