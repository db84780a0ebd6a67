"""Writes of the policy library: measures and rules, the .xlsx import, targeted notices, the yearly uptake."""

from policies.services import notices  # noqa: F401
from policies.services.measures import (  # noqa: F401 - the services' public names
    clean_fields,
    ensure_librarian,
    file_add,
    measure_create,
    measure_set_status,
    measure_update,
    rule_add,
    rule_delete,
)
from policies.services.notices import notice_open, notice_send  # noqa: F401
from policies.services.uptake import round_open, uptake_save  # noqa: F401
