"""The reporter's and reviewer's pages, one module per page:

- my_reports: 我的填报, the rounds, waiting reports and every visible report, and opening a draft;
- filling: the entry grid (save, background save, conflicts) with a cell's comment and a warning's explanation;
- detail: the report page and its workflow steps; history: the page's labelled history;
- attachments: a report's files; inbox: the user's notifications;
- common: what the report pages share (the report through the scope, header facts, read-only reason).

Reports are read through the scope (`get_visible_or_404` with VIEW): outside it a report does not
exist for the user (404). Every write goes through reporting.services, which check the right again
(403 without it) and the state (409 from a wrong one), so an action hidden on the page is refused
just the same when posted directly.
"""

from reporting.views.entry.detail import STEP_DONE, STEP_SERVICES

__all__ = ["STEP_DONE", "STEP_SERVICES"]
