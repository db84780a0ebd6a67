"""Every write of the talent pool: people, honours, removal and retention, selection rounds."""

from talent.services.people import (  # noqa: F401
    PERSON_FIELDS,
    honour_add,
    honour_record,
    honour_remove,
    person_create,
    person_remove,
    person_restore,
    person_update,
    skill_level_raise,
)
from talent.services.retention import purge_expired, retention_years  # noqa: F401
