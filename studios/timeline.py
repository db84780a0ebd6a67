"""The studios' events on an organisation's timeline (ledger.timeline): named or raised, results, reviews rated.
Each is the organisation's own reform activity, so it counts against the "no action" alert."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ledger import timeline


@timeline.source(kinds={"studio": gettext_lazy("创新工作室")}, name="studios")
def studio_events(org_ids: Sequence[int], today) -> Iterator[timeline.Event]:
    from studios.models import StudioNaming, StudioResult, StudioReview

    for naming in StudioNaming.objects.filter(studio__org_id__in=org_ids).select_related("studio"):
        studio = naming.studio
        yield timeline.Event(
            org_id=studio.org_id, on=naming.named_on, kind="studio",
            title=_("%(name)s命名为%(level)s%(kind)s")
            % {"name": studio.name, "level": naming.get_level_display(), "kind": studio.get_kind_display()},
            url=timeline.link("studios:studio", studio.pk),
        )  # fmt: skip
    for result in StudioResult.objects.filter(studio__org_id__in=org_ids).select_related("studio"):
        yield timeline.Event(
            org_id=result.studio.org_id, on=result.achieved_on, kind="studio",
            title=_("工作室成果：%(title)s") % {"title": result.title}, detail=timeline.short(result.description),
            url=timeline.link("studios:studio", result.studio_id), at=result.created_at,
        )  # fmt: skip
    for review in StudioReview.objects.filter(studio__org_id__in=org_ids, rated_at__isnull=False).select_related(
        "studio"
    ):
        yield timeline.Event(
            org_id=review.studio.org_id, on=timeline.day_of(review.rated_at), kind="studio",
            title=_("%(name)s %(year)d年度评估：%(grade)s")
            % {"name": review.studio.name, "year": review.year, "grade": review.get_grade_display()},
            url=timeline.link("studios:review", review.pk), at=review.rated_at,
        )  # fmt: skip
