"""The organisation import's checks across rows: the tree as it would be once the file is applied (cycles, moves the
tree's services would refuse, closures with open children or later records). A part of plan._Checker, which
supplies the rows read, the organisations they name and `problem` (see plan.py)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from core import deadlines
from orgs.models import Organisation, OrgLink
from orgs.scoping import within
from orgs.services import records_after
from orgs.transfer.problems import Code


class AcrossRows:
    """Checks over the whole file, run after every row is checked (`_Checker.run`)."""

    def parent_of(self, code: str) -> str | None:
        """An organisation's parent once the file is applied: the file's for its rows, today's for the rest."""
        if code in self.final_parent:
            return self.final_parent[code]
        org = self.existing.get(code) or self.by_code_path(code)
        if org is None:
            return None
        parent = self.current_parent(org)
        return parent.code if parent is not None else None

    def by_code_path(self, code: str) -> Organisation | None:
        if not hasattr(self, "_path_codes"):
            self._path_codes = {o.code: o for o in self.by_path.values()}
        return self._path_codes.get(code)

    def changes_parent(self, code: str) -> bool:
        org = self.existing.get(code)
        if org is None:
            return True
        current = self.current_parent(org)
        return self.final_parent.get(code) != (current.code if current is not None else None)

    def check_cycles(self) -> None:
        safe: set[str] = set()
        reported: set[str] = set()
        for start in self.final_parent:
            chain: list[str] = []
            seen: set[str] = set()
            code: str | None = start
            while code is not None and code not in safe:
                if code in seen:
                    loop = chain[chain.index(code) :] + [code]
                    # The rows that close the loop: new ones, or those whose parent the file changes.
                    causes = [m for m in loop[:-1] if m in self.rows and self.changes_parent(m)]
                    for member in causes or loop[:-1]:
                        if member in self.rows and member not in reported:
                            reported.add(member)
                            self.problem(
                                Code.CYCLE,
                                _("上级机构形成循环：%(loop)s") % {"loop": " → ".join(loop)},
                                _("请改正其中一行的上级机构代码，使每个机构最终都隶属于根机构。"),
                                row=self.rows[member].number,
                                key="parent",
                                value=self.final_parent.get(member),
                                org=member,
                            )
                    break
                seen.add(code)
                chain.append(code)
                code = self.parent_of(code)
            else:
                safe.update(chain)
            safe.update(c for c in chain if c not in reported)

    def check_moves(self) -> None:
        movers = [self.existing[m.code] for m in self.plan.moves]
        starts = (
            dict(OrgLink.objects.filter(org__in=movers, valid_to__isnull=True).values_list("org__code", "valid_from"))
            if movers
            else {}
        )
        for move in self.plan.moves:
            org = self.existing[move.code]
            row = self.rows[move.code]

            def refuse(message: str, fix: str, *, _row=row, _move=move) -> None:
                self.problem(
                    Code.MOVE_REFUSED,
                    message,
                    fix,
                    row=_row.number,
                    key="parent",
                    value=_move.new_parent,
                    org=_move.code,
                )

            if org.depth == 1:
                refuse(_("根机构不能迁移"), _("请清空上级机构代码。"))
                continue
            if org.closed_on is not None:
                refuse(_("已撤销的机构不能迁移"), _("请把上级机构代码改回原上级，或删除这一行。"))
                continue
            start = starts.get(org.code)
            if start is not None and self.on <= start:
                refuse(
                    _("生效日期 %(on)s 不晚于该机构当前隶属关系的起始日期 %(start)s")
                    % {"on": self.on.isoformat(), "start": start.isoformat()},
                    _("请在上传时选择晚于 %(start)s 的生效日期。") % {"start": start.isoformat()},
                )
                continue
            target_closed = self.final_closed.get(move.new_parent)
            target = self.existing.get(move.new_parent)
            if move.new_parent not in self.final_closed and target is not None:
                target_closed = target.closed_on
            if target_closed is not None and target_closed <= self.on:
                refuse(
                    _("目标上级机构“%(name)s”已于 %(date)s 撤销")
                    % {"name": move.new_parent_name, "date": target_closed},
                    _("请选择未撤销的上级机构。"),
                )
                continue
            if move.new_parent in self.rows and move.new_parent not in self.existing:
                opened = self.rows[move.new_parent].values.get("opened_on") or deadlines.today()
            else:
                opened = target.opened_on if target is not None else None
            if opened is not None and self.on < opened:
                refuse(
                    _("生效日期 %(on)s 早于新上级机构“%(name)s”成立（%(opened)s），这期间该机构的报表将无处汇总")
                    % {"on": self.on.isoformat(), "name": move.new_parent_name, "opened": opened.isoformat()},
                    _("请选择不早于新上级机构成立日期的生效日期，或先改正新上级机构的成立日期。"),
                )
                continue
            closing = next((c for c in self.plan.closes if c.code == move.code), None)
            if closing is not None and dt.date.fromisoformat(closing.on) <= self.on:
                self.problem(
                    Code.CLOSE_REFUSED,
                    _("撤销日期不晚于迁移的生效日期 %(on)s") % {"on": self.on.isoformat()},
                    _("同一机构既迁移又撤销时，撤销日期须晚于生效日期；或分两次导入。"),
                    row=row.number,
                    key="closed_on",
                    value=closing.on,
                    org=move.code,
                )

    def check_closures(self) -> None:
        closing = {c.code: c for c in self.plan.closes}
        if not closing:
            return
        existing = [self.existing[code] for code in closing if code in self.existing]
        children: dict[str, list[str]] = {code: [] for code in closing}
        # Today's open children that stay under the organisation (not in the file).
        for start in range(0, len(existing), 100):
            batch = existing[start : start + 100]
            depth_of = {o.path: o.depth for o in batch}
            for path, code, depth in (
                Organisation.objects.filter(within("path", batch), closed_on__isnull=True)
                .exclude(code__in=list(self.rows))
                .values_list("path", "code", "depth")
            ):
                parent_path = path[: -Organisation.steplen]
                if depth_of.get(parent_path) == depth - 1:
                    children[self.by_path[parent_path].code].append(code)
        # The file's rows that end up under it and stay open.
        for code, parent in self.final_parent.items():
            if parent in children and self.final_closed.get(code) is None:
                children[parent].append(code)
        for code, close in closing.items():
            row = self.rows[code]
            on = dt.date.fromisoformat(close.on)
            if children[code]:
                listed = "、".join(children[code][:5]) + (_("等") if len(children[code]) > 5 else "")
                self.problem(
                    Code.CLOSE_REFUSED,
                    _("其下还有 %(n)d 个未撤销的下属机构（%(codes)s）") % {"n": len(children[code]), "codes": listed},
                    _("请先撤销或迁出这些下属机构（可在同一文件中填写它们的撤销日期或新的上级机构）。"),
                    row=row.number,
                    key="closed_on",
                    value=close.on,
                    org=code,
                )
                continue
            org = self.existing.get(code)
            if org is None:
                continue
            later = records_after(org, on)
            if later:
                what = "；".join(_("%(label)s（最晚%(date)s）") % {"label": label, "date": d} for label, d in later)
                self.problem(
                    Code.CLOSE_REFUSED,
                    _("撤销日期 %(on)s 之后还有该机构的数据：%(what)s") % {"on": close.on, "what": what},
                    _("请改选不早于这些数据的撤销日期；确需撤销请在机构页面单独操作并确认。"),
                    row=row.number,
                    key="closed_on",
                    value=close.on,
                    org=code,
                )
