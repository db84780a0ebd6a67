"""Writes of the assessment app: frameworks, rounds and their life cycle, ratings, appeals, computations.

Every function checks permission itself, refuses stale versions and writes its audit row in the same
transaction. The reform office (Action.ASSESS_MANAGE) keeps frameworks and runs rounds; raters rate only
what they were assigned and never their own organisation; only the assessed organisation appeals.
"""

from assessment.services.common import CRITERION_FIELDS, FRAMEWORK_FIELDS
from assessment.services.computing import _store as _store  # bench/assessment.py times storing on its own
from assessment.services.computing import (
    latest_computation,
    round_compute,
    round_publish,
)
from assessment.services.frameworks import (
    criterion_delete,
    criterion_move,
    criterion_problems,
    criterion_save,
    dimension_delete,
    dimension_move,
    dimension_save,
    framework_create,
    framework_frozen_message,
    framework_issue,
    framework_problems,
    framework_update,
)
from assessment.services.rounds import (
    NEXT,
    appeal_answer,
    appeal_file,
    assigned,
    calibrate,
    entry_add,
    entry_delete,
    evidence_add,
    is_rater,
    may_appeal,
    own_org_paths,
    peer_of,
    rater_assign,
    rates_own,
    rating_save,
    round_advance,
    round_lock,
    round_open,
    round_reopen,
    self_assessment_submit,
)

__all__ = [
    "CRITERION_FIELDS",
    "FRAMEWORK_FIELDS",
    "criterion_delete",
    "criterion_move",
    "criterion_problems",
    "criterion_save",
    "dimension_delete",
    "dimension_move",
    "dimension_save",
    "framework_create",
    "framework_frozen_message",
    "framework_issue",
    "framework_problems",
    "framework_update",
    "NEXT",
    "appeal_answer",
    "appeal_file",
    "assigned",
    "calibrate",
    "entry_add",
    "entry_delete",
    "evidence_add",
    "is_rater",
    "may_appeal",
    "own_org_paths",
    "peer_of",
    "rater_assign",
    "rates_own",
    "rating_save",
    "round_advance",
    "round_lock",
    "round_open",
    "round_reopen",
    "self_assessment_submit",
    "latest_computation",
    "round_compute",
    "round_publish",
]
