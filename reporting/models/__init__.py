"""Aggregate reporting, modelled on DHIS2: metadata (what is asked), periods, reports and values.

Metadata: a DataElement is one question (a count, an amount, yes/no …) with its scope (口径);
a CategoryCombo disaggregates it (农民工/非农民工 × 男/女) into CategoryOptionCombos; a DataSet is a
form with a period type, who must report and its deadline rule; its structure (sections, the
elements in them, totals and validation rules) lives in numbered DataSetVersions, frozen once
published, so that a report keeps the meaning of the version it was filled against.
"""

from reporting.models.attachments import ReportAttachment
from reporting.models.history import HistoryMapping, ReportSource
from reporting.models.metadata import (
    Category,
    CategoryCombo,
    CategoryComboCategory,
    CategoryOption,
    CategoryOptionCombo,
    DataElement,
    DataSet,
    DataSetAssignment,
    DataSetVersion,
    Section,
    SectionElement,
    TotalRelation,
    ValidationRule,
    code_validator,
)
from reporting.models.reports import (
    DataValue,
    DeadlineExtension,
    Notification,
    NotificationDigest,
    Period,
    PeriodLock,
    Report,
    ReportChildQuerySet,
    ReportQuerySet,
    ReportSnapshot,
    ValueReturn,
    WarningExplanation,
)

__all__ = [
    "Category",
    "CategoryCombo",
    "CategoryComboCategory",
    "CategoryOption",
    "CategoryOptionCombo",
    "DataElement",
    "DataSet",
    "DataSetAssignment",
    "DataSetVersion",
    "Section",
    "SectionElement",
    "TotalRelation",
    "ValidationRule",
    "code_validator",
    "DataValue",
    "DeadlineExtension",
    "HistoryMapping",
    "Notification",
    "NotificationDigest",
    "Period",
    "PeriodLock",
    "Report",
    "ReportAttachment",
    "ReportChildQuerySet",
    "ReportQuerySet",
    "ReportSnapshot",
    "ReportSource",
    "ValueReturn",
    "WarningExplanation",
]
