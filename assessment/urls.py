"""Pages of the assessment app: the office's frameworks, rounds, calibration, rating, score cards, downloads."""

from django.urls import path

from assessment.views import calibration, cards, exports, frameworks, rating, rounds

app_name = "assessment"
urlpatterns = [
    # The office's method editor: frameworks, their dimensions and criteria.
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/new/", frameworks.framework_create, name="framework_create"),
    path("frameworks/<int:pk>/", frameworks.framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/settings/", frameworks.framework_settings, name="framework_settings"),
    path("frameworks/<int:pk>/copy/", frameworks.framework_copy, name="framework_copy"),
    path("frameworks/<int:pk>/issue/", frameworks.framework_issue, name="framework_issue"),
    path("frameworks/<int:pk>/dimensions/new/", frameworks.dimension_create, name="dimension_create"),
    path("frameworks/dimensions/<int:pk>/edit/", frameworks.dimension_edit, name="dimension_edit"),
    path("frameworks/dimensions/<int:pk>/delete/", frameworks.dimension_delete, name="dimension_delete"),
    path("frameworks/dimensions/<int:pk>/move/", frameworks.dimension_move, name="dimension_move"),
    path("frameworks/dimensions/<int:pk>/criteria/new/", frameworks.criterion_create, name="criterion_create"),
    path("frameworks/criteria/<int:pk>/edit/", frameworks.criterion_edit, name="criterion_edit"),
    path("frameworks/criteria/<int:pk>/delete/", frameworks.criterion_delete, name="criterion_delete"),
    path("frameworks/criteria/<int:pk>/move/", frameworks.criterion_move, name="criterion_move"),
    # A round run by the office: opening, stages, computing, raters, entries, appeals.
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/open/", rounds.round_open, name="round_open"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/advance/", rounds.round_advance, name="round_advance"),
    path("rounds/<int:pk>/publish/", rounds.round_publish, name="round_publish"),
    path("rounds/<int:pk>/lock/", rounds.round_lock, name="round_lock"),
    path("rounds/<int:pk>/reopen/", rounds.round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/compute/", rounds.round_compute, name="round_compute"),
    path("rounds/<int:pk>/ranking/", rounds.round_ranking, name="round_ranking"),
    path("rounds/<int:pk>/raters/", rounds.round_raters, name="round_raters"),
    path("rounds/<int:pk>/entries/", rounds.round_entries, name="round_entries"),
    path("rounds/<int:pk>/entries/<int:entry_id>/delete/", rounds.entry_delete, name="entry_delete"),
    path("rounds/<int:pk>/appeals/", rounds.round_appeals, name="round_appeals"),
    path("rounds/<int:pk>/appeals/<int:appeal_id>/answer/", rounds.appeal_answer, name="appeal_answer"),
    # The office's calibration of qualitative ratings.
    path("rounds/<int:pk>/calibration/", calibration.round_calibration, name="round_calibration"),
    path("rounds/<int:pk>/calibration/save/", calibration.calibrate, name="calibrate"),
    # Raters rate what they were assigned.
    path("rating/", rating.rating_home, name="rating_home"),
    path("rounds/<int:pk>/rating/", rating.rating_tasks, name="rating_tasks"),
    path("rounds/<int:pk>/rating/<int:participant_id>/<int:criterion_id>/", rating.rate, name="rate"),
    # Assessed organisations: self-assessment, evidence, score cards, appeals.
    path("cards/<int:pk>/self-assessment/", cards.self_assessment, name="self_assessment"),
    path("cards/<int:pk>/evidence/", cards.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", cards.evidence_download, name="evidence_download"),
    path("cards/<int:pk>/", cards.score_card, name="score_card"),
    path("cards/<int:pk>/appeal/", cards.appeal_file, name="appeal_file"),
    path("mine/", cards.my_results, name="my_results"),
    # Downloads: a score card and the provincial summary.
    path("cards/<int:pk>/export.xlsx", exports.score_card_xlsx, name="score_card_xlsx"),
    path("cards/<int:pk>/export.pdf", exports.score_card_pdf, name="score_card_pdf"),
    path("rounds/<int:pk>/summary/", exports.summary, name="summary"),
    path("rounds/<int:pk>/summary.xlsx", exports.summary_xlsx, name="summary_xlsx"),
    path("rounds/<int:pk>/summary.pdf", exports.summary_pdf, name="summary_pdf"),
]
