"""Writes to the innovation studios, one function per use case, each checked and audited."""

from studios.services.alliances import activity_add, alliance_create, alliance_update, may_manage_alliance  # noqa: F401
from studios.services.results import result_record, result_update  # noqa: F401
from studios.services.reviews import clean_scores, review_rate, review_save, review_start, review_step  # noqa: F401
from studios.services.studios import (  # noqa: F401
    ensure_person_of,
    fund_add,
    member_add,
    member_leave,
    studio_create,
    studio_name,
    studio_revoke,
    studio_update,
)
