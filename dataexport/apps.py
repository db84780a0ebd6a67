from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataexportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dataexport"
    verbose_name = _("全省数据导出")
