"""Writes to the demonstration sites, one function per use case, each checked and audited."""

from sites.services.batches import batch_announce, batch_create, batch_update  # noqa: F401
from sites.services.common import ensure_manager, union_of  # noqa: F401
from sites.services.guidance import (  # noqa: F401
    followup_close,
    followup_create,
    is_group_member,
    rating_save,
    ratings_lock,
    ratings_locked,
    visit_attach,
    visit_record,
)
from sites.services.nominations import (  # noqa: F401
    nomination_attach,
    nomination_create,
    nomination_step,
    nomination_update,
)
from sites.services.sites import (  # noqa: F401
    eligible_members,
    group_create,
    group_update,
    site_accept,
    site_assign,
    site_summary,
    site_withdraw,
)
