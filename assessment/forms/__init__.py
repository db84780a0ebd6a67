"""Forms of the assessment pages, one module per page group.

- rounds: opening and running a round, rating, self-assessment, evidence and appeals;
- frameworks: the office's method editor (a framework, its settings, dimensions and criteria);
- formats: the text formats of a criterion's lists and the number fields the editor uses;
- common: what they share.

The views import the forms from here.
"""

from assessment.forms.common import VersionForm
from assessment.forms.formats import plain
from assessment.forms.frameworks import CriterionForm, DimensionForm, FrameworkCreateForm, FrameworkSettingsForm
from assessment.forms.rounds import (
    RATER_ROLES,
    AppealAnswerForm,
    AppealForm,
    CalibrationFilterForm,
    CalibrationForm,
    ComputeForm,
    EntryForm,
    EvidenceForm,
    RankingFilterForm,
    RaterAssignForm,
    RatingForm,
    ReopenForm,
    RoundOpenForm,
    SelfAssessmentForm,
)

__all__ = [
    "RATER_ROLES",
    "AppealAnswerForm",
    "AppealForm",
    "CalibrationFilterForm",
    "CalibrationForm",
    "ComputeForm",
    "CriterionForm",
    "DimensionForm",
    "EntryForm",
    "EvidenceForm",
    "FrameworkCreateForm",
    "FrameworkSettingsForm",
    "RankingFilterForm",
    "RaterAssignForm",
    "RatingForm",
    "ReopenForm",
    "RoundOpenForm",
    "SelfAssessmentForm",
    "VersionForm",
    "plain",
]
