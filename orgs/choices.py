from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("省")
    CATEGORY = "category", _("类别")
    PREFECTURE = "prefecture", _("州市")
    UNION = "union", _("省级产业系统公司工会")
    ENTERPRISE = "enterprise", _("企业")
    UNIT = "unit", _("基层单位")
    DEPARTMENT = "department", _("成员单位")
    OFFICE = "office", _("办公室")


class Ownership(models.TextChoices):
    CENTRAL = "central", _("中央驻滇企业")
    PROVINCIAL = "provincial", _("省属企业")
    PREFECTURAL = "prefectural", _("州市属企业")
    PRIVATE = "private", _("民营企业")
    FOREIGN = "foreign", _("外资企业")
    COLLECTIVE = "collective", _("集体企业")
    PUBLIC_INSTITUTION = "institution", _("事业单位")
    OTHER = "other", _("其他")


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", _("A 农、林、牧、渔业")
    B = "B", _("B 采矿业")
    C = "C", _("C 制造业")
    D = "D", _("D 电力、热力、燃气及水生产和供应业")
    E = "E", _("E 建筑业")
    F = "F", _("F 批发和零售业")
    G = "G", _("G 交通运输、仓储和邮政业")
    H = "H", _("H 住宿和餐饮业")
    I = "I", _("I 信息传输、软件和信息技术服务业")  # noqa: E741 - the standard's letter
    J = "J", _("J 金融业")
    K = "K", _("K 房地产业")
    L = "L", _("L 租赁和商务服务业")
    M = "M", _("M 科学研究和技术服务业")
    N = "N", _("N 水利、环境和公共设施管理业")
    O = "O", _("O 居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("P 教育")
    Q = "Q", _("Q 卫生和社会工作")
    R = "R", _("R 文化、体育和娱乐业")
    S = "S", _("S 公共管理、社会保障和社会组织")
    T = "T", _("T 国际组织")


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("产改办管理员")
    OFFICE_REVIEWER = "office_reviewer", _("产改办审核员")
    UNION_ADMIN = "union_admin", _("产业系统公司工会管理员")
    REPORTER = "reporter", _("企业填报员")
    INFO_OFFICER = "info_officer", _("信息员")
    LIAISON = "liaison", _("联络员")
    GUIDANCE = "guidance", _("指导组成员")
    DEPT_VIEWER = "dept_viewer", _("成员单位查看员")
    LEADER = "leader", _("领导")
    SYS_ADMIN = "sys_admin", _("系统管理员")
    SEC_ADMIN = "sec_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class Action(models.TextChoices):
    ORG_VIEW = "org_view", _("浏览组织机构")
    ORG_MANAGE = "org_manage", _("维护组织机构")
    VIEW = "view", _("查看业务数据")
    EDIT = "edit", _("填报和编辑业务数据")
    REVIEW = "review", _("审核")
    ACCEPT = "accept", _("验收")
    EXPORT = "export", _("导出")
    METADATA_MANAGE = "metadata_manage", _("维护报表和指标定义")
    ASSESS_MANAGE = "assess_manage", _("组织考核评价")
    USER_MANAGE = "user_manage", _("管理用户和角色")
    PII_VIEW = "pii_view", _("查看完整个人信息")
    SECURITY_MANAGE = "security_manage", _("管理安全策略")
    AUDIT_VIEW = "audit_view", _("查阅审计日志")
