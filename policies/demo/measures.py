"""The demo library: 20 published provincial measures, one expired and one draft (invented texts in the spirit of
the speech of July 2021 and of public policy of that time; numbers and 文号 are examples, not real documents)."""

from policies.choices import MeasureStatus

HRSS = "云南省人力资源和社会保障厅"
FIN = "云南省财政厅"
EDU = "云南省教育厅"
SASAC = "云南省人民政府国有资产监督管理委员会"
FTU = "云南省总工会"
DEV = "云南省发展和改革委员会"
IIT = "云南省工业和信息化厅"
HRSS_CONTACT = "0871-63211234（省人社厅职业能力建设处）"
APPLY_ONLINE = "云南人社12333网上办事大厅或各州市人社局政务服务窗口"

NOTICE_MEASURE = "企业自主开展技能人才评价"
# The measures the speech names as little used: unemployment-insurance funds for skill upgrading, training
# subsidies, enterprise-run certification. In the demo they are used by well under half of those eligible.
UNDER_USED = ("失业保险基金支持职工技能提升补贴", "职业技能培训补贴", NOTICE_MEASURE)


def _m(title, issuer, doc_number, issued_on, category, *, rules=(), status=MeasureStatus.PUBLISHED, valid_to=None,
       deadline=None, eligible="", benefits="", steps="", where=APPLY_ONLINE, contact=HRSS_CONTACT,
       body=""):  # fmt: skip
    import datetime as dt

    issued = dt.date.fromisoformat(issued_on)
    return {
        "title": title, "issuer": issuer, "doc_number": doc_number, "issued_on": issued, "category": category,
        "eligible_text": eligible, "benefits": benefits, "apply_steps": steps, "apply_where": where,
        "apply_contact": contact, "apply_deadline": dt.date.fromisoformat(deadline) if deadline else None,
        "valid_from": issued, "valid_to": dt.date.fromisoformat(valid_to) if valid_to else None,
        "body": body or f"{title}。\n\n{eligible}\n\n{benefits}", "rules": rules, "status": status,
    }  # fmt: skip


MEASURES = [
    _m("失业保险基金支持职工技能提升补贴", HRSS, "云人社发〔2019〕21号", "2019-04-10", "skills",
       rules=[("workers", "gte", "100")],
       eligible="依法参加失业保险、累计缴费满1年的企业职工，取得初级工及以上职业资格证书或职业技能等级证书的。",
       benefits="按证书等级给予补贴：初级工1000元、中级工1500元、高级工2000元，由失业保险基金列支。",
       steps="1. 职工取得证书之日起12个月内提出申请；2. 企业汇总职工名单和证书复印件；"
             "3. 向参保地人社部门申报，审核后补贴发放至职工个人社保卡。"),
    _m("职业技能培训补贴", HRSS, "云人社发〔2019〕35号", "2019-06-20", "skills",
       rules=[("trained", "gte", "50")],
       eligible="开展职工岗位技能提升培训、新录用人员岗前培训的企业。",
       benefits="按培训合格人数每人500—1500元给予企业培训补贴，从职业技能提升行动专账资金列支。",
       steps="开班前10个工作日报送培训计划备案；培训结束后凭培训合格名单、考核结果和支付凭证申请补贴。",
       deadline="2022-12-31"),
    _m("企业自主开展技能人才评价", HRSS, "云人社发〔2020〕8号", "2020-03-02", "career",
       rules=[("workers", "gte", "300"), ("certified", "gte", "50")],
       eligible="职工人数较多、技能人才队伍较大、培训考核体系健全的企业。",
       benefits="经备案后自主开展职业技能等级认定，颁发职业技能等级证书，纳入人才统计，按规定享受职业技能提升补贴。",
       steps="1. 对照评价职业（工种）制定评价规范；2. 向省职业技能鉴定中心申请备案；3. 备案后组织评价并上报结果。",
       where="云南省职业技能鉴定中心", contact="0871-63215678"),
    _m("高技能人才培养基地建设项目", HRSS, "云人社发〔2020〕46号", "2020-08-15", "skills",
       rules=[("ownership", "in", "central,provincial"), ("workers", "gte", "1000")],
       eligible="培训条件完善、年培训能力1000人次以上的大中型企业。",
       benefits="省级高技能人才培养基地每个支持建设资金200万元，分两年拨付。",
       steps="每年3月由州市人社部门或省级产业集团推荐申报，专家评审后公示。", deadline="2021-03-31"),
    _m("首席技师制度", HRSS, "云人社发〔2021〕12号", "2021-02-26", "pay",
       rules=[("certified", "gte", "100")],
       eligible="设有技师、高级技师岗位的企业。",
       benefits="企业可设立首席技师岗位，首席技师享受本单位中层管理人员同等待遇，省级首席技师每人每年津贴1万元。",
       steps="企业制定首席技师评聘办法，经职代会审议后实施；省级首席技师由企业推荐、省人社厅评审。"),
    _m("技能人才薪酬分配指引", HRSS, "云人社发〔2021〕20号", "2021-04-08", "pay",
       eligible="全省各类企业。",
       benefits="引导企业建立体现技能价值激励导向的薪酬分配制度，技能等级与岗位工资挂钩，高级工、技师、高级技师分别比照初、中、高级专业技术人员。",
       steps="企业参照指引修订薪酬分配制度，报上级主管部门和工会备案。", where="各州市人社局劳动关系科"),
    _m("产教融合型企业认定", DEV, "云发改社会〔2020〕612号", "2020-07-01", "industry_education",
       rules=[("industry", "in", "B,C,D,E,G"), ("workers", "gte", "300")],
       eligible="深度参与产教融合、校企合作，在职业院校建有实习实训基地的企业。",
       benefits="认定后按投资额一定比例抵免教育费附加和地方教育附加，优先支持产教融合项目。",
       steps="企业自评后向省发展改革委、省教育厅申报，经审核纳入省级产教融合型企业建设培育名单。",
       where="云南省发展和改革委员会社会发展处", contact="0871-63133456"),
    _m("职工教育经费税前扣除", FIN, "云财税〔2018〕56号", "2018-09-01", "skills",
       rules=[("edu_spent", "gt", "0")],
       eligible="依法提取和使用职工教育经费的企业。",
       benefits="企业发生的职工教育经费支出，不超过工资薪金总额8%的部分准予在计算企业所得税应纳税所得额时扣除。",
       steps="年度企业所得税汇算清缴时据实申报。", where="主管税务机关", contact="12366"),
    _m("新型学徒制培训补贴", HRSS, "云人社发〔2021〕28号", "2021-05-18", "skills",
       rules=[("industry", "in", "B,C,D,E")],
       eligible="与技工院校、职业院校合作，以“招工即招生、入企即入校”方式培养学徒的企业。",
       benefits="按每人每年4000—6000元标准给予培训补贴，培训期一般为1—2年。",
       steps="与培训机构签订合作协议后报人社部门备案，培训期满考核合格后申请补贴。"),
    _m("劳模和工匠人才创新工作室建设资助", FTU, "云工发〔2019〕15号", "2019-05-06", "career",
       rules=[("workers", "gte", "200")],
       eligible="由劳动模范、工匠人才领衔，有团队、有场所、有课题的创新工作室所在单位。",
       benefits="省级命名的创新工作室一次性资助经费5万元，用于开展技术攻关和人才培养。",
       steps="由产业工会或州市总工会推荐，省总工会组织评审命名。", where="云南省总工会经济技术部",
       contact="0871-63163245"),
    _m("职工技术创新成果奖励", FTU, "云工发〔2020〕9号", "2020-04-22", "career",
       eligible="职工技术创新成果在生产中应用并取得显著效益的企业和职工。",
       benefits="经评审的优秀技术创新成果给予1万—5万元奖励。", steps="每年6月由基层工会逐级推荐。",
       where="云南省总工会经济技术部", contact="0871-63163245"),
    _m("劳动和技能竞赛晋级奖励", FTU, "云工发〔2020〕21号", "2020-06-30", "career",
       eligible="参加省级及以上职业技能竞赛获奖的职工所在企业。",
       benefits="省级一类竞赛前三名可按规定晋升一个职业技能等级，并给予奖金。",
       steps="竞赛组委会公布结果后，由企业申请办理技能等级晋升。", where="云南省总工会经济技术部"),
    _m("技能人才积分落户和住房保障", HRSS, "云人社发〔2021〕33号", "2021-06-15", "rights",
       rules=[("region", "in", "530100,530300,530400")],
       eligible="在昆明、曲靖、玉溪工作的高级工以上技能人才。",
       benefits="高级工、技师、高级技师在落户、公共租赁住房、子女入学等方面比照相应专业技术人员享受待遇。",
       steps="向工作地人社部门申请认定，凭认定结果到相关部门办理。", where="昆明、曲靖、玉溪市人社局"),
    _m("国有企业一线职工收入增长机制", SASAC, "云国资考分〔2021〕40号", "2021-03-20", "pay",
       rules=[("ownership", "in", "provincial")],
       eligible="省属国有企业。",
       benefits="工资总额增量优先向一线职工和高技能人才倾斜，一线职工工资增幅不低于企业平均增幅。",
       steps="企业在工资总额预算中单列一线职工工资增长安排，报省国资委备案。", where="省国资委考核分配处",
       contact="0871-63196789"),
    _m("企业职工技能提升行动专项资金", FIN, "云财社〔2019〕188号", "2019-10-12", "skills",
       rules=[("workers", "gte", "500"), ("edu_spent", "gte", "500000")],
       eligible="职工教育经费足额提取并用于一线职工培训的企业。",
       benefits="对年培训一线职工达到职工总数30%以上的企业给予最高50万元奖补。",
       steps="次年3月前报送年度培训情况和经费使用明细，经人社、财政部门审核后拨付。", deadline="2022-03-31"),
    _m("校企合作订单班奖补", EDU, "云教职成〔2020〕15号", "2020-09-01", "industry_education",
       rules=[("industry", "in", "B,C,D,E,G")],
       eligible="与省内职业院校共建订单班、现代学徒制班的企业。",
       benefits="每个订单班给予院校和企业各5万元奖补，用于实训条件建设。",
       steps="院校与企业联合申报，省教育厅组织评审。", where="云南省教育厅职业教育与成人教育处",
       contact="0871-65141234"),
    _m("产业工人思想政治引领专项经费", FTU, "云工发〔2021〕5号", "2021-01-18", "thought",
       eligible="开展“中国梦·劳动美”主题宣讲、劳模工匠进企业等活动的基层工会。",
       benefits="省总工会按项目给予每项1万—3万元经费补助。",
       steps="基层工会制定活动方案，经产业工会或州市总工会审核后申报。",
       where="云南省总工会宣传教育部", contact="0871-63163210"),
    _m("职工代表大会制度规范化建设", FTU, "云工发〔2020〕30号", "2020-10-10", "organisation",
       rules=[("workers", "gte", "100")],
       eligible="已建立工会组织的企业。",
       benefits="对职代会规范化建设达标的企业给予命名，并在评先评优中优先推荐。",
       steps="企业对照标准自评，上级工会组织验收。", where="各产业工会、州市总工会"),
    _m("技术工人职业发展贯通", HRSS, "云人社发〔2021〕36号", "2021-07-06", "career",
       rules=[("certified", "gte", "30")],
       eligible="设有技能岗位序列的企业。",
       benefits="支持企业打通技能人才与管理、技术岗位的发展通道，高技能人才可参加工程技术领域职称评审。",
       steps="企业制定职业发展通道办法，报人社部门备案；职称评审按年度通知申报。"),
    _m("中小企业技能人才引进补贴", IIT, "云工信中小〔2021〕18号", "2021-08-02", "skills",
       rules=[("ownership", "in", "private,collective,other"), ("workers", "lte", "2000")],
       eligible="省内中小微企业引进技师以上技能人才的。",
       benefits="按引进人数给予企业每人1万元一次性补贴。",
       steps="人才到岗满6个月后向州市工信部门申报。", where="各州市工业和信息化局", contact="0871-63612345"),
    # Expired at the end of 2020: shown as 已过期, not offered to anyone.
    _m("以工代训补贴", HRSS, "云人社发〔2020〕18号", "2020-04-20", "skills", valid_to="2020-12-31",
       eligible="受疫情影响的中小微企业吸纳就业困难人员、开展以工代训的。",
       benefits="按每人每月500元给予补贴，最长6个月。", steps="企业按月申报以工代训人员名单。"),
    # A draft the office is still writing.
    _m("产业工人队伍建设改革先进集体奖励办法（征求意见稿）", FTU, "", "2022-01-10", "organisation",
       status=MeasureStatus.DRAFT, eligible="改革成效显著的企业。", benefits="拟给予通报表扬和一次性奖励。",
       steps="待正式印发。", where="云南省总工会产改办"),
]  # fmt: skip
