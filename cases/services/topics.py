"""The office keeps the list of topics cases are tagged with (add, rename, switch off)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cases.models import Topic
from cases.services.cases import _text
from core import audit
from core.actor import Actor
from core.db import atomic_retrying
from core.errors import UserError
from orgs.scoping import ensure_office


@atomic_retrying
def topic_save(*, by: Actor, topic: Topic | None = None, name: str, order: int = 100, is_active: bool = True) -> Topic:
    """Add a topic (`topic` None) or change one; the office only; names are unique."""
    ensure_office(by)
    name = _text(name, "name", _("专题名称"), 40, required=True)
    if not isinstance(order, int) or not 0 <= order <= 9999:
        raise UserError(_("排序应为 0 至 9999 的整数。"), field="order")
    duplicate = Topic.objects.filter(name=name)
    if topic is not None:
        duplicate = duplicate.exclude(pk=topic.pk)
    if duplicate.exists():
        raise UserError(_("专题“%(name)s”已存在。") % {"name": name}, field="name")
    if topic is None:
        topic = Topic.objects.create(name=name, order=order, is_active=is_active)
        audit.record(by, "cases.topic.create", topic, before=None)
        return topic
    before = audit.snapshot(topic)
    topic.name, topic.order, topic.is_active = name, order, is_active
    topic.save(update_fields=["name", "order", "is_active"])
    audit.record(by, "cases.topic.update", topic, before=before)
    return topic
