"""Pages of information submissions and the newsletter."""

from django.urls import path

from publishing.views import issues, reports, submissions

app_name = "publishing"
urlpatterns = [
    # Information submissions and the office's desk.
    path("", submissions.submission_list, name="submissions"),
    path("new/", submissions.submission_new, name="submission_new"),
    path("office/", submissions.office, name="office"),
    path("submissions/<int:pk>/", submissions.submission_detail, name="submission"),
    path("submissions/<int:pk>/edit/", submissions.submission_edit, name="submission_edit"),
    path("submissions/<int:pk>/attach/", submissions.submission_attach, name="submission_attach"),
    path("submissions/<int:pk>/files/<int:file>/", submissions.submission_file, name="submission_file"),
    path("submissions/<int:pk>/files/<int:file>/remove/", submissions.submission_detach, name="submission_detach"),
    path("submissions/<int:pk>/step/<str:step>/", submissions.submission_step, name="submission_step"),
    # The newsletter: archive, one issue, its articles, distribution, steps and files.
    path("issues/", issues.issue_list, name="issues"),
    path("issues/new/", issues.issue_new, name="issue_new"),
    path("issues/<int:pk>/", issues.issue_detail, name="issue"),
    path("issues/<int:pk>/edit/", issues.issue_edit, name="issue_edit"),
    path("issues/<int:pk>/articles/add/", issues.article_add, name="article_add"),
    path("issues/<int:pk>/articles/<int:article>/", issues.article_edit, name="article_edit"),
    path("issues/<int:pk>/articles/<int:article>/remove/", issues.article_remove, name="article_remove"),
    path("issues/<int:pk>/articles/<int:article>/move/", issues.article_move, name="article_move"),
    path("issues/<int:pk>/recipients/add/", issues.recipient_add, name="recipient_add"),
    path("issues/<int:pk>/recipients/group/", issues.recipient_group, name="recipient_group"),
    path("issues/<int:pk>/recipients/<int:recipient>/remove/", issues.recipient_remove, name="recipient_remove"),
    path("issues/<int:pk>/step/<str:step>/", issues.issue_step, name="issue_step"),
    path("issues/<int:pk>/documents/", issues.issue_documents, name="issue_documents"),
    path("issues/<int:pk>/documents/<int:document>/", issues.document_download, name="document"),
    path(
        "issues/<int:pk>/documents/<int:document>/regenerate/", issues.document_regenerate, name="document_regenerate"
    ),
    # Evaluation reports drafted from the platform's data (the office's).
    path("reports/", reports.report_list, name="reports"),
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/generate/", reports.report_generate, name="report_generate"),
    path("reports/<int:pk>/documents/<int:document>/", reports.report_document, name="report_document"),
    path("reports/<int:pk>/documents/<int:document>/regenerate/", reports.report_regenerate, name="report_regenerate"),
]
