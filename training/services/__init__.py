"""Writes to capacity building. Reads are in training/queries/."""

from training.services.classes import (  # noqa: F401 - the services' public names
    AUDIENCE_KINDS,
    ORGANISER_KINDS,
    class_create,
    class_step,
    class_update,
    material_add,
)
from training.services.enrolments import (  # noqa: F401
    attendance_record,
    completion_record,
    enrolment_add,
    enrolment_withdraw,
    user_by_username,
)
