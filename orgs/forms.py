"""Forms of the organisation pages. They validate input; the writes go through orgs.services."""

from __future__ import annotations

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from core import deadlines
from orgs.choices import OrgKind
from orgs.models import Organisation
from orgs.services import ORG_EDITABLE_FIELDS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapFormMixin:
    """Give widgets Bootstrap's classes, and mark fields with errors as invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        """Set the Bootstrap class on every widget that has none yet (call again after adding fields)."""
        for field in self.fields.values():
            widget = field.widget
            if "class" in widget.attrs:
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"

    def _mark_invalid(self) -> None:
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def full_clean(self):
        super().full_clean()
        self._mark_invalid()

    def add_error(self, field, error):
        super().add_error(field, error)
        self._mark_invalid()

    def add_service_error(self, error) -> None:
        """Show a service's UserError next to its field when the form has that field, else on top."""
        field = getattr(error, "field", None)
        self.add_error(field if field in self.fields else None, getattr(error, "message", str(error)))


class VersionedForm(BootstrapFormMixin, forms.Form):
    """A form for a change to an object that carries a version number (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, label=_("版本号"))

    def set_version(self, version: int) -> None:
        """Carry the current version from now on (after a conflict has been shown to the user)."""
        data = self.data.copy()
        data["version"] = str(version)
        self.data = data


def _org_fields(names, *, allow_province: bool = False) -> dict[str, forms.Field]:
    fields = fields_for_model(Organisation, fields=list(names), widgets={"opened_on": DATE_WIDGET})
    for name, field in fields.items():
        # A plain form does not run the model's own validators (credit code check, …): add them.
        extra = [v for v in Organisation._meta.get_field(name).validators if v not in field.validators]
        field.validators = [*field.validators, *extra]
    fields["notes"].widget.attrs["rows"] = 3
    if "kind" in fields and not allow_province:  # only the root is a province (orgs.services)
        fields["kind"].choices = [(value, label) for value, label in OrgKind.choices if value != OrgKind.PROVINCE]
    return fields


class OrgEditForm(VersionedForm):
    """The attributes of an organisation (orgs.services.ORG_EDITABLE_FIELDS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.fields.pop("version")
        self.fields.update(_org_fields(ORG_EDITABLE_FIELDS, allow_province=True))
        self.fields["version"] = version
        self.style_fields()

    @classmethod
    def initial_for(cls, org: Organisation) -> dict:
        initial = {name: getattr(org, name) for name in ORG_EDITABLE_FIELDS}
        initial["region"] = org.region_id
        initial["version"] = org.version
        return initial

    def changes(self) -> dict:
        """The cleaned attribute values, for orgs.services.org_update (without the version)."""
        return {name: self.cleaned_data[name] for name in ORG_EDITABLE_FIELDS}


class OrgCreateForm(BootstrapFormMixin, forms.Form):
    """A new organisation under a given parent."""

    code = forms.CharField(
        label=_("机构代码"),
        max_length=64,
        help_text=_("唯一且长期不变，只能包含字母、数字、下划线和短横线，例如统一社会信用代码或内部编码。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].validators = list(Organisation._meta.get_field("code").validators)
        self.fields.update(_org_fields(ORG_EDITABLE_FIELDS))
        self.style_fields()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def values(self) -> dict:
        """Keyword arguments for orgs.services.org_create (besides the actor and the parent)."""
        return dict(self.cleaned_data)


class OrgMoveForm(VersionedForm):
    """Move an organisation (with its subtree) under a new parent from a date."""

    new_parent = forms.CharField(
        label=_("新上级机构代码"), max_length=64, help_text=_("输入新上级机构的机构代码，可在组织机构页面查询。")
    )
    on = forms.DateField(label=_("生效日期"), widget=DATE_WIDGET, help_text=_("从这一天起隶属于新上级机构。"))

    field_order = ["new_parent", "on", "version"]

    def clean_new_parent(self) -> str:
        return self.cleaned_data["new_parent"].strip()


class OrgCloseForm(VersionedForm):
    """Close (撤销) an organisation from a date."""

    on = forms.DateField(label=_("撤销日期"), widget=DATE_WIDGET)
    # Shown only once the date was refused for the data after it (the view calls ask_confirmation()).
    confirm_later_records = forms.BooleanField(
        label=_("确认撤销：撤销日期之后仍有的数据保留，但该机构从撤销日期起不再参与填报和汇总"),
        required=False,
        widget=forms.HiddenInput,
    )

    field_order = ["on", "confirm_later_records", "version"]

    def ask_confirmation(self) -> None:
        self.fields["confirm_later_records"].widget = forms.CheckboxInput()


class AssignmentForm(BootstrapFormMixin, forms.Form):
    """Assign an enterprise to a member department (挂钩帮带), from either side."""

    other = forms.CharField(label=_("机构代码"), max_length=64)
    valid_from = forms.DateField(label=_("起始日期"), widget=DATE_WIDGET)

    def __init__(self, *args, org: Organisation, **kwargs):
        kwargs.setdefault("initial", {"valid_from": deadlines.today()})
        super().__init__(*args, **kwargs)
        if org.kind == OrgKind.DEPARTMENT:
            self.fields["other"].label = _("挂钩企业的机构代码")
        else:
            self.fields["other"].label = _("成员单位的机构代码")

    def clean_other(self) -> str:
        return self.cleaned_data["other"].strip()


class AssignmentEndForm(BootstrapFormMixin, forms.Form):
    """End an assignment from a date."""

    on = forms.DateField(label=_("结束日期"), widget=DATE_WIDGET)


class OrgImportForm(BootstrapFormMixin, forms.Form):
    """The upload of an organisation file (.xlsx or CSV) and the day its moves take effect."""

    file = forms.FileField(label=_("组织机构文件（.xlsx 或 .csv）"))
    on = forms.DateField(
        label=_("生效日期"),
        widget=DATE_WIDGET,
        help_text=_("文件中的迁移自这一天起生效，原隶属关系保留为历史；新增和撤销按文件中的成立、撤销日期。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(accept=".xlsx,.csv")
        if not self.is_bound:
            self.initial.setdefault("on", deadlines.today())

    def clean_on(self):
        on = self.cleaned_data["on"]
        if on > deadlines.today():
            raise forms.ValidationError(_("生效日期不能晚于今天。"))
        return on

    def clean_file(self):
        from orgs.transfer.reading import kind_of

        upload = self.cleaned_data["file"]
        if kind_of(upload.name) is None:
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 文件（“%(name)s”不是）。") % {"name": upload.name})
        return upload
