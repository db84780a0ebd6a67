"""The reform ledger in the JSON API (/api/v1/ledger/), with the pages' door and the pages' services.

Ledgers are addressed by their organisation's code. Everything outside the caller's scope is 404;
inside it without the right to edit, 403; bad input 400 with a Chinese message; a stale version or a state that
does not allow a step 409. Reads and writes are the pages' (ledger.queries, ledger.services).
"""

from ledger.api.alerts import AlertViewSet, TimelineViewSet
from ledger.api.ledgers import LedgerViewSet, MemberViewSet, OfficerViewSet, UpdateViewSet
from ledger.api.tasks import SummaryViewSet, TaskViewSet
from ledger.api.written import WrittenReportViewSet, WrittenRoundViewSet, WrittenSubmissionViewSet

__all__ = [
    "AlertViewSet", "LedgerViewSet", "MemberViewSet", "OfficerViewSet", "SummaryViewSet", "TaskViewSet",
    "TimelineViewSet", "UpdateViewSet", "WrittenReportViewSet", "WrittenRoundViewSet", "WrittenSubmissionViewSet",
]  # fmt: skip
