"""Writes to the reform ledger. Reads are in ledger/queries.py; progress in ledger/progress.py."""

from ledger.services.alerts import alerts_refresh  # noqa: F401 - the alerts' refresh
from ledger.services.ledgers import (  # noqa: F401 - the services' public names
    TASKED_KINDS,
    document_add,
    ensure_manager,
    ledger_create,
    ledger_update,
    member_add,
    member_end,
    officer_add,
    officer_end,
    settings_update,
)
from ledger.services.tasks import (  # noqa: F401
    milestone_delete,
    milestone_save,
    task_create,
    task_delete,
    task_update,
    update_add,
)

# The nine-aspect written report.
from ledger.services.written import (  # noqa: F401
    attachment_open,
    ensure_reviewer,
    export_audit,
    round_open,
    round_update,
    section_attach,
    section_comment,
    section_detach,
    section_save,
    written_start,
    written_step,
)
