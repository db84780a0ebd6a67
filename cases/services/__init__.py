"""Writes of the case library, one function per use case (see each module)."""

from cases.services.cases import (
    case_create,
    case_delete,
    case_step,
    case_update,
    export_audit,
    file_add,
    file_remove,
    may,
)
from cases.services.replications import replication_delete, replication_record, replication_update
from cases.services.topics import topic_save

__all__ = [
    "case_create",
    "case_delete",
    "case_step",
    "case_update",
    "export_audit",
    "file_add",
    "file_remove",
    "may",
    "replication_delete",
    "replication_record",
    "replication_update",
    "topic_save",
]
