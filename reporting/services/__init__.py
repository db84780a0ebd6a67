"""Writes of the reporting app, one function per use case.

Every function is keyword-only, checks permission itself (views, the API, Excel import and tasks
all reach it), writes its audit row in the same transaction and sends notifications after the
commit. Report-changing functions lock the report row and compare the version the client loaded,
so two people never silently overwrite each other and a double submission is one transition.
"""

from core.files import FileTooLarge as AttachmentTooLarge
from reporting.services.attachments import (
    attachment_add,
    attachment_delete,
    attachment_open,
)
from reporting.services.digest import DigestRun, digests_send
from reporting.services.filling import (
    ReportConflict,
    SaveResult,
    ValueProblem,
    ValuesInvalid,
    report_open,
    value_comment,
    values_save,
    warning_explain,
)
from reporting.services.metadata import (
    category_combo_create,
    category_create,
    category_option_add,
    data_element_create,
    data_element_update,
    dataset_assign,
    dataset_create,
    dataset_unassign,
    dataset_update,
    dataset_version_create_draft,
    dataset_version_publish,
    default_combo,
    rule_create,
    rule_update,
    rules_generate,
    section_create,
    section_element_add,
    section_element_remove,
    total_relation_add,
)
from reporting.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from reporting.services.periods import (
    deadline_extend,
    period_lock,
    period_unlock,
)
from reporting.services.reminders import (
    ManualReminders,
    ReminderRun,
    reminders_send,
    reminders_send_now,
)
from reporting.services.structure import (
    section_delete,
    section_element_move,
    section_element_update,
    section_move,
    section_update,
    total_relation_remove,
)
from reporting.services.workflow import (
    IllegalTransition,
    SubmissionBlocked,
    report_accept,
    report_approve,
    report_lock,
    report_reopen,
    report_return,
    report_submit,
)

__all__ = [
    "category_combo_create",
    "category_create",
    "category_option_add",
    "data_element_create",
    "data_element_update",
    "dataset_assign",
    "dataset_create",
    "dataset_unassign",
    "dataset_update",
    "dataset_version_create_draft",
    "dataset_version_publish",
    "default_combo",
    "rule_create",
    "rule_update",
    "rules_generate",
    "section_create",
    "section_element_add",
    "section_element_remove",
    "total_relation_add",
    "IllegalTransition",
    "ReportConflict",
    "SaveResult",
    "SubmissionBlocked",
    "ValueProblem",
    "ValuesInvalid",
    "deadline_extend",
    "period_lock",
    "period_unlock",
    "report_accept",
    "report_approve",
    "report_lock",
    "report_open",
    "report_reopen",
    "report_return",
    "report_submit",
    "value_comment",
    "values_save",
    "warning_explain",
    "notification_mark_read",
    "notifications_mark_all_read",
    "DigestRun",
    "digests_send",
    "AttachmentTooLarge",
    "attachment_add",
    "attachment_delete",
    "attachment_open",
    "ManualReminders",
    "ReminderRun",
    "reminders_send",
    "reminders_send_now",
    "section_delete",
    "section_element_move",
    "section_element_update",
    "section_move",
    "section_update",
    "total_relation_remove",
]
