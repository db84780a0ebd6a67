"""Reads that carry a rule, by concern:

- layout.py        a version's form: sections, elements and cells in form order
- values.py        a report's values, the numbers rules read, previous-period values, outliers, changes
- deadlines.py     entry windows, extensions, period locks, timeliness, the rounds that have opened
- due.py           who must report, who reviews, whom to contact, what an organisation leaves behind
- completeness.py  whether a report may be submitted; who is due, on time, late or missing, by group
- worklists.py     what a person must fill or review, the steps they may take, a report's history

Other modules import from `reporting.queries`; the names below are its public surface.
"""

from reporting.queries.completeness import (
    Completeness,
    DueRow,
    GroupSummary,
    RowGroups,
    due_row_groups,
    report_completeness,
    reports_due,
    reports_due_by_prefecture,
    reports_due_by_union,
    reports_due_total,
    summaries_by_groups,
)
from reporting.queries.deadlines import (
    REPORTING_TZ,
    EntryWindow,
    days_left,
    deadline_extensions,
    deadline_for,
    effective_deadline,
    entry_window,
    opening_day,
    period_lock_of,
    recent_rounds,
    regular_deadline,
    timeliness_of,
    window_for,
)
from reporting.queries.due import (
    CONTACT_ROLES,
    has_union_above,
    must_report,
    org_contacts,
    orgs_due,
    reports_after,
    reviewing_union,
    unions_above,
)
from reporting.queries.layout import (
    Cell,
    CellKey,
    Layout,
    shared_layouts,
    version_layout,
)
from reporting.queries.values import (
    Outlier,
    ValueChange,
    active_rules,
    previous_period,
    previous_value,
    previous_values,
    report_changes_since_last_submission,
    report_outliers,
    report_validation,
    report_values,
    snapshot_values,
    value_map,
)
from reporting.queries.worklists import (
    EntryRound,
    entry_rounds,
    notifications_unread,
    report_actions,
    report_history,
    report_open_returns,
    review_queue,
)

__all__ = [
    "CellKey",
    "Cell",
    "Layout",
    "shared_layouts",
    "version_layout",
    "report_values",
    "value_map",
    "active_rules",
    "report_validation",
    "previous_period",
    "previous_values",
    "previous_value",
    "Outlier",
    "report_outliers",
    "ValueChange",
    "snapshot_values",
    "report_changes_since_last_submission",
    "REPORTING_TZ",
    "EntryWindow",
    "regular_deadline",
    "deadline_extensions",
    "deadline_for",
    "window_for",
    "effective_deadline",
    "entry_window",
    "period_lock_of",
    "timeliness_of",
    "opening_day",
    "recent_rounds",
    "days_left",
    "reviewing_union",
    "orgs_due",
    "must_report",
    "CONTACT_ROLES",
    "org_contacts",
    "unions_above",
    "has_union_above",
    "reports_after",
    "Completeness",
    "report_completeness",
    "DueRow",
    "reports_due",
    "GroupSummary",
    "reports_due_total",
    "reports_due_by_union",
    "reports_due_by_prefecture",
    "RowGroups",
    "due_row_groups",
    "summaries_by_groups",
    "EntryRound",
    "entry_rounds",
    "review_queue",
    "report_actions",
    "report_history",
    "report_open_returns",
    "notifications_unread",
]
