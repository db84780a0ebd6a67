"""The analytics engine: one answer for pages, API, exports and jobs, over accepted data, within a scope.

Whom it answers for is a `Scope` (engine/scope.py): `Scope.for_user(user)` (the subtrees where the user may
view data) for pages, the API and exports, `Scope.province()` for a job that runs as the system (no request,
no user). Every entry point takes one as its first argument (a user is still accepted there and read as
`Scope.for_user(user)`). The engine raises no HTTP errors: `OutOfScope` (a LookupError) for an
organisation outside the scope, `UserError` for a bad query; pages and the API answer them with 404 and
400. Besides reporting cells, indicators may reference registered sources of figures, `#{SRC.<KEY>}`,
that other apps count or sum from their own records (analytics/sources.py).

Public interface (stable; pages and the API build on it)
---------------------------------------------------------

Measures are strings:
    "indicator:<CODE>"                    an Indicator (numerator ÷ denominator × factor)
    "element:<CODE>" / "element:<CODE>.<OPT>[.<OPT>…]"
                                          a data element, all of its cells or those holding every option
    "source:<KEY>"                        a registered source of figures (an app's records) on its own

    Query(measure, org=None, level="self", periods=("2021",), by_category=None, region=None,
          include_submitted=False, restate=False)
        org          root organisation id; None = the top of the user's own scope, or, when their scope has
                     several tops (a department viewer's assigned enterprises), all of them together:
                     "self" and "children" then give one row per top, the other levels group across them,
                     and Answer.root_id is None
        level        "self" (one row: the root's subtree), "children" (its direct children in the
                     period's tree, plus a 本级 row for the root's own report), "prefecture" (by the
                     reporting organisation's 州市), "union" (by industry/system union above),
                     "enterprise" (by the top enterprise of each reporting organisation),
                     "reporting" (one row per reporting organisation, its own values)
        periods      period codes ("2021", "2021Q2"); period_codes() builds a range. A longer period
                     is rolled up from shorter ones only when the element is not reported for it
                     directly: flows (sum) add up, stocks (last) take the last sub-period with data.
        by_category  a category code (GENDER, SKILL_LEVEL, …): one row per option
        region       a prefecture code: only organisations of that 州市 (drill-down from the map)
        include_submitted  count submitted and approved reports too (raw values; slower)
        restate      roll up along today's tree instead of the tree as it stood in each period

    answer(scope, query) -> Answer
        Answer.rows: list[Figure] (org / group, period, option, numerator, denominator, value,
        display, has_children); Answer.totals: one Figure per period (and option) for the whole
        root; label, unit, decimals, scope (口径), source, as_of (last change of the data it
        includes), engine ("aggregate" or "raw"), notes.
        Raises UserError (Chinese message naming the field) for a bad query, OutOfScope for an
        organisation outside the scope.

    drill_through(scope, measure, org, period, own=False, region=None, option=None) -> DrillThrough
        the accepted reports behind one figure and their values for the measure's references; with
        `region`, only those of the subtree located in that prefecture; org None = the whole scope.

    comparison(scope, answer, kind=YOY | BASELINE, baseline=None) -> Comparison
        each figure of an answer against the same figure a year earlier or in a baseline period
        (e.g. "2015", the end of the 12th five-year plan): rates in 百分点, amounts in %.
        check_baseline(code, periods) validates a baseline (UserError, field "baseline").

    targets_for(measure, org_id, years) -> {year: Target}
        an indicator's yearly targets for an organisation: its own where set, else the province's.

    scope_tops(scope) -> [(id, name)]   the tops of a scope with several (empty otherwise)

    data_years(scope) -> ["2021", "2020", …]   the latest years with accepted yearly data in the scope

    dashboard_tiles(scope) -> Dashboard
        key indicators vs targets, five-year trend, ten weakest enterprises each, and the
        completeness of the current yearly round, for the scope's subtree; a fixed number of
        set-based queries over the aggregate tables, cached per scope and invalidated whenever
        accepted data changes.

    batch.subtree_values(scope, measure, period, org_ids) -> {org id: value}
        one measure for many organisations, each over its own subtree (assessment scores).

Aggregation is always the ratio of sums: numerator and denominator expressions are evaluated on
the summed cells of each row, never averaged over organisations or periods.

Modules: scope (Scope, OutOfScope), measures (measures, element metadata and its per-process cache, periods,
formatting), answers
(Query → Answer), compare (growth and year-on-year), drill (drill_through), dashboard (dashboard_tiles,
targets_for), batch (one measure for many subtrees). Everything public is importable from here.
"""

from analytics.choices import Level
from analytics.engine.answers import (
    SUBMITTED_STATUSES,  # noqa: F401
    Answer,
    Figure,
    Query,
    answer,
    scope_label,
    scope_tops,
)
from analytics.engine.compare import BASELINE, YOY, Change, Comparison, check_baseline, compare, comparison
from analytics.engine.compare import KINDS as COMPARE_KINDS
from analytics.engine.dashboard import (
    DASHBOARD_TTL,
    Completeness,
    Dashboard,
    Target,
    Tile,
    current_year,
    dashboard_tiles,
    data_years,
    targets_for,
)
from analytics.engine.drill import DrillRow, DrillThrough, drill_through
from analytics.engine.measures import (
    MAX_PERIODS,
    PERIOD_ORDER,
    ElementMeta,
    Measure,
    Metadata,
    element_meta,
    format_value,
    measure_for,
    period_codes,
)
from analytics.engine.scope import OutOfScope, Scope

__all__ = [
    "Answer", "BASELINE", "COMPARE_KINDS", "Change", "Comparison", "Completeness", "Dashboard", "DrillRow",
    "DrillThrough", "ElementMeta", "Figure", "Level", "Measure", "Metadata", "OutOfScope", "Query", "Scope",
    "Target", "Tile", "YOY",
    "answer", "check_baseline", "compare", "comparison", "current_year", "dashboard_tiles", "data_years",
    "drill_through",
    "element_meta", "format_value", "measure_for", "period_codes", "scope_label", "scope_tops", "targets_for",
    "DASHBOARD_TTL", "MAX_PERIODS", "PERIOD_ORDER",
]  # fmt: skip
