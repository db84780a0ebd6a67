"""core/i18n.py: inside one_language() each text is translated once; outside, Django's gettext as it is."""

from __future__ import annotations

from django.utils import translation

from core import i18n


def test_a_text_is_translated_once_per_block_and_in_the_blocks_language(monkeypatch):
    calls = []

    def counting(message):
        calls.append(message)
        return f"[{translation.get_language()}] {message}"

    monkeypatch.setattr(i18n, "django_gettext", counting)
    with translation.override("en"), i18n.one_language():
        first = [i18n.gettext("未发生否决事项。") for _ in range(3)]
        with i18n.one_language():  # a block inside shares the outer one's memory
            inner = i18n.gettext("未发生否决事项。")
        other = i18n.gettext("该事实的数据来源尚未接入。")
    assert first == ["[en] 未发生否决事项。"] * 3 and inner == first[0] and other == "[en] 该事实的数据来源尚未接入。"
    assert calls == ["未发生否决事项。", "该事实的数据来源尚未接入。"]

    # Outside a block nothing is kept: each call asks Django, in the language active then.
    with translation.override("zh-hans"):
        assert i18n.gettext("该事实的数据来源尚未接入。") == "[zh-hans] 该事实的数据来源尚未接入。"
    with translation.override("en"):
        assert i18n.gettext("该事实的数据来源尚未接入。") == "[en] 该事实的数据来源尚未接入。"
    assert len(calls) == 4


def test_real_catalogue_answers_the_same_inside_and_outside_a_block():
    with translation.override("en"):
        outside = i18n.gettext("该事实的数据来源尚未接入。")
        with i18n.one_language():
            inside = [i18n.gettext("该事实的数据来源尚未接入。") for _ in range(2)]
    assert inside == [outside, outside]
