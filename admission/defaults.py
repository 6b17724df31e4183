"""Default contents of the lists, loaded as editable version 1 of each list for a district.

Everything here is data, not rules: the district coordinator edits it at run time and publishes
new versions. Each list carries the document it follows (``SOURCES``); entries marked
"（示例，待核实）" are typical local examples, not national text, and must be checked against the
district's own published list before use.
"""

from admission.models import CertificateCategory, ListKind, PowerCategory

UNVERIFIED = "（示例，待核实）"

SOURCES = {
    ListKind.DUTY: "厅字〔2022〕28号；《中华人民共和国城市居民委员会组织法》第三条",
    ListKind.ASSISTANCE: "厅字〔2022〕28号；《中华人民共和国城市居民委员会组织法》第三条",
    ListKind.NEGATIVE: "厅字〔2022〕28号；《整治形式主义为基层减负若干规定》（2024-08-06）",
    ListKind.CERTIFICATE: "民发〔2020〕20号（第一批社区不应出具的证明事项，2020年4月）",
    ListKind.POWER: "街道办事处职责清单（区级统一制定）" + UNVERIFIED,
}

ORGANIC_LAW = "《中华人民共和国城市居民委员会组织法》第三条"
MUST_NOT_ASSIGN = (
    "厅字〔2022〕28号：未经县级党委和政府统一部署，党政群机构不得将自身权责事项派交村级组织承担"
)
FORMALISM_2024 = "《整治形式主义为基层减负若干规定》（2024-08-06）"
APPS_2026 = "国办函〔2026〕12号（仅见转载，待核实）"

# (key, title, legal basis, department short code or "", note)
DUTY = [
    ("LZ-01", "宣传宪法、法律、法规和国家政策，教育居民履行依法应尽的义务", ORGANIC_LAW, "sf"),
    (
        "LZ-02",
        "召集居民会议、居民代表会议，办理本居住地区居民的公共事务和公益事业",
        ORGANIC_LAW,
        "",
    ),
    ("LZ-03", "调解民间纠纷", ORGANIC_LAW, "sf"),
    (
        "LZ-04",
        "组织开展协商议事，向人民政府或其派出机关反映居民的意见、要求和提出建议",
        ORGANIC_LAW,
        "",
    ),
    ("LZ-05", "开展便民利民的社区服务活动", ORGANIC_LAW, "mz"),
    ("LZ-06", "组织居民开展群众性文化、体育活动和精神文明建设", ORGANIC_LAW, ""),
    ("LZ-07", "组织居民开展志愿服务和时间银行互助活动", ORGANIC_LAW, "mz"),
    (
        "LZ-08",
        "指导和监督业主委员会、物业服务企业依法履职" + UNVERIFIED,
        "《民法典》第二百七十七条",
        "zj",
    ),
    ("LZ-09", "管理居民委员会的财产，公开居务和财务", ORGANIC_LAW, "mz"),
    ("LZ-10", "培育和扶持社区社会组织" + UNVERIFIED, "厅字〔2022〕28号", "mz"),
    ("LZ-11", "组织居民参与平安建设和群防群治" + UNVERIFIED, ORGANIC_LAW, "ga"),
    ("LZ-12", "关爱困难群体、独居老人和留守儿童" + UNVERIFIED, ORGANIC_LAW, "mz"),
]

ASSISTANCE = [
    ("XZ-01", "协助做好最低生活保障、特困供养的申请受理和入户调查", "《社会救助暂行办法》", "mz"),
    ("XZ-02", "协助做好养老服务和高龄津贴的申报", "《中华人民共和国老年人权益保障法》", "mz"),
    ("XZ-03", "协助做好残疾人服务和残疾人证申领的引导", "《中华人民共和国残疾人保障法》", "mz"),
    ("XZ-04", "协助做好人口普查和经济普查入户登记", "《全国人口普查条例》", ""),
    ("XZ-05", "协助做好征兵宣传和适龄青年兵役登记", "《中华人民共和国兵役法》", "tyjr"),
    ("XZ-06", "协助做好退役军人和优抚对象服务", "《中华人民共和国退役军人保障法》", "tyjr"),
    ("XZ-07", "协助做好公共卫生、健康教育和爱国卫生运动", ORGANIC_LAW, "wj"),
    ("XZ-08", "协助做好就业创业政策宣传和失业登记引导", "《中华人民共和国就业促进法》", "rs"),
    ("XZ-09", "协助做好社区矫正、安置帮教和禁毒宣传", "《中华人民共和国社区矫正法》", "sf"),
    (
        "XZ-10",
        "协助做好防汛防台、应急避险的宣传和人员转移",
        "《中华人民共和国突发事件应对法》",
        "yj",
    ),
    ("XZ-11", "协助做好垃圾分类宣传和环境卫生整治", "《固体废物污染环境防治法》", "cg"),
    ("XZ-12", "协助做好流动人口和出租房屋信息登记" + UNVERIFIED, "《居住证暂行条例》", "ga"),
]

# (key, title, basis, department, keywords, note)
NEGATIVE = [
    ("FM-01", "招商引资、协税护税任务", MUST_NOT_ASSIGN, "", "招商引资,招商,协税护税,税收任务"),
    ("FM-02", "行政执法及执法相关的现场检查、取证", MUST_NOT_ASSIGN, "", "执法,行政处罚,取证"),
    ("FM-03", "房屋征收、拆迁的具体实施", MUST_NOT_ASSIGN, "zj", "征收,拆迁"),
    (
        "FM-04",
        "安全生产、食品药品、环境保护等领域的监管责任",
        MUST_NOT_ASSIGN,
        "",
        "安全生产监管,监管责任,食品安全检查",
    ),
    ("FM-05", "开具法律法规没有规定的各类证明", "民发〔2020〕20号", "mz", "开具证明,出具证明"),
    (
        "FM-06",
        "未经审批的各类创建、达标、评比和示范活动",
        FORMALISM_2024,
        "",
        "创建,达标,评比,示范单位",
    ),
    (
        "FM-07",
        "以拍照留痕、工作群打卡、学习笔记等作为工作考核依据",
        FORMALISM_2024,
        "",
        "拍照留痕,打卡,学习笔记,留痕",
    ),
    (
        "FM-08",
        "强制下载APP、关注公众号，设定下载率、在线时长、积分排名",
        APPS_2026,
        "",
        "下载率,在线时长,积分排名,强制下载,关注公众号",
    ),
    ("FM-09", "向社区重复要求填报已有数据的报表", FORMALISM_2024, "", "重复填报"),
    (
        "FM-10",
        "部门自身的统计调查、检查考核的具体组织实施",
        MUST_NOT_ASSIGN,
        "",
        "部门考核,检查考核",
    ),
]

# (key, title, handled by instead)
CERTIFICATES = [
    ("ZM-01", "亲属关系证明", "公安派出所（户籍信息）、婚姻登记机关或公证机构"),
    ("ZM-02", "居民身份信息证明", "公安派出所"),
    ("ZM-03", "户口登记项目内容变更申请证明", "公安派出所（户籍窗口）"),
    ("ZM-04", "居民养犬证明", "公安机关养犬登记部门"),
    ("ZM-05", "无犯罪记录证明", "公安机关"),
    ("ZM-06", "社区戒毒社区康复人员情况证明", "社区戒毒社区康复工作机构、公安机关"),
    ("ZM-07", "人员失踪证明", "公安机关（报案回执）；宣告失踪由人民法院判决"),
    ("ZM-08", "婚姻状况证明", "民政部门婚姻登记机关（婚姻登记记录查询）"),
    ("ZM-09", "出生证明", "助产医疗机构（出生医学证明）"),
    ("ZM-10", "健在证明", "社会保险经办机构（领取待遇资格认证）；本人到场或视频认证"),
    ("ZM-11", "死亡证明", "医疗机构、公安派出所或殡葬服务机构"),
    ("ZM-12", "疾病状况证明", "医疗机构"),
    ("ZM-13", "残疾状况证明", "残疾人联合会（残疾人证）"),
    ("ZM-14", "婚育状况证明", "卫生健康部门"),
    ("ZM-15", "居民就业状况证明", "人力资源和社会保障部门"),
    ("ZM-16", "居民个人档案证明", "档案保管单位（如人才服务中心）"),
    ("ZM-17", "居民财产证明", "不动产登记机构、金融机构等财产登记或保管单位"),
    ("ZM-18", "遗产继承权证明", "公证机构或人民法院"),
    ("ZM-19", "市场主体住所证明", "市场监督管理部门（住所申报承诺）"),
    ("ZM-20", "证件遗失证明", "原证件签发机关"),
]
CERTIFICATE_DEPARTMENTS = {
    "ZM-02": "ga", "ZM-03": "ga", "ZM-04": "ga", "ZM-05": "ga", "ZM-06": "ga", "ZM-07": "ga",
    "ZM-08": "mz", "ZM-09": "wj", "ZM-12": "wj", "ZM-14": "wj", "ZM-10": "rs", "ZM-15": "rs",
    "ZM-16": "rs", "ZM-18": "sf", "ZM-19": "sj",
}  # fmt: skip

# (key, title, category, basis, department)
POWER = [
    ("JD-01", "加强基层党组织建设，统筹辖区党建工作", PowerCategory.BASIC, "《中国共产党基层组织工作条例》", ""),
    ("JD-02", "组织实施辖区公共服务，推进一网通办", PowerCategory.BASIC, UNVERIFIED, ""),
    ("JD-03", "统筹社区治理，指导居民委员会工作", PowerCategory.BASIC, ORGANIC_LAW, "mz"),
    ("JD-04", "组织辖区平安建设和矛盾纠纷化解", PowerCategory.BASIC, UNVERIFIED, "sf"),
    ("JD-05", "辖区市容环境卫生的日常管理", PowerCategory.BASIC, UNVERIFIED, "cg"),
    ("JD-06", "突发事件的先期处置和应急管理", PowerCategory.BASIC, "《中华人民共和国突发事件应对法》", "yj"),
    ("JD-07", "配合做好辖区安全生产检查", PowerCategory.COOPERATIVE, UNVERIFIED, "yj"),
    ("JD-08", "配合做好辖区市场秩序和食品安全管理", PowerCategory.COOPERATIVE, UNVERIFIED, "sj"),
    ("JD-09", "配合做好生态环境保护和污染防治", PowerCategory.COOPERATIVE, UNVERIFIED, "sthj"),
    ("JD-10", "配合做好违法建设的发现和报告", PowerCategory.COOPERATIVE, UNVERIFIED, "cg"),
    ("JD-11", "招商引资任务", PowerCategory.WITHDRAWN, "（北京等地已取消街道招商引资职能）" + UNVERIFIED, ""),
    ("JD-12", "协税护税任务", PowerCategory.WITHDRAWN, UNVERIFIED, ""),
]  # fmt: skip


def entries_for(kind: str) -> list[dict]:
    """The default entries of one list, as the fields the list services take."""
    if kind == ListKind.DUTY:
        return [
            {"key": k, "title": t, "legal_basis": b, "department": d, "category": "依法履职"}
            for k, t, b, d in DUTY
        ]
    if kind == ListKind.ASSISTANCE:
        return [
            {"key": k, "title": t, "legal_basis": b, "department": d, "category": "依法协助"}
            for k, t, b, d in ASSISTANCE
        ]
    if kind == ListKind.NEGATIVE:
        return [
            {"key": k, "title": t, "legal_basis": b, "department": d, "keywords": w}
            for k, t, b, d, w in NEGATIVE
        ]
    if kind == ListKind.CERTIFICATE:
        return [
            {
                "key": k,
                "title": t,
                "handled_by": h,
                "legal_basis": "民发〔2020〕20号",
                "department": CERTIFICATE_DEPARTMENTS.get(k, ""),
                "category": CertificateCategory.MUST_NOT_ISSUE,
            }
            for k, t, h in CERTIFICATES
        ]
    if kind == ListKind.POWER:
        return [
            {"key": k, "title": t, "category": c, "legal_basis": b, "department": d}
            for k, t, c, b, d in POWER
        ]
    raise ValueError(kind)
