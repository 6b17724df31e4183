"""Demo data of the registry, built once per demo district through the registry's services.

The first three communities get residences and households (from the demo residents' shared
addresses), civil-affairs facts for the over-80s (allowance, living alone), two data conflicts
(one for 公安分局, one for the community), a one-table report that fills itself, a sharing
grant, a saved import mapping and an organisation.
"""

from django.utils import timezone

from admission.testing import admitted_form_item
from core.models import Department, Person, Place, PlaceLevel
from registry import services, values
from registry.models import ReportForm

COMMUNITIES = 3
MAX_PEOPLE = 3000


def build(*, district, builder, seed, out):
    fields = services.ensure_fields(district)
    departments = {d.short_code: d for d in Department.objects.filter(district=district)}
    mz, ga = departments.get("mz"), departments.get("ga")
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code")[
            :COMMUNITIES
        ]
    )
    if not communities or mz is None:
        return
    grids = Place.objects.filter(parent__in=communities)
    people = list(
        Person.objects.filter(place__in=grids, account__isnull=True)
        .select_related("place")
        .order_by("place__code", "address", "pk")[:MAX_PEOPLE]
    )
    placer = services.Placer(district)
    households: dict[tuple[int, str], str] = {}
    seen_heads: set[str] = set()
    for person in people:
        grid = person.place
        key = (grid.pk, person.address)
        number = households.setdefault(key, f"{district.code}{len(households) + 1:07d}")
        placer.place(
            person=person, community=grid.parent, grid=grid, household_no=number,
            registered_address=person.address, actual_address=person.address,
        )  # fmt: skip
        residence = placer.residences[person.pk]
        residence.relation = "户主" if number not in seen_heads else "家庭成员"
        seen_heads.add(number)
    placer.flush()
    from registry.models import Residence

    for residence in placer.residences.values():
        Residence.objects.filter(pk=residence.pk).update(relation=residence.relation)
    # Civil affairs: allowance and living alone for the over-80s.
    today = timezone.localdate()
    writer = services.FactWriter(author=builder)
    elderly = [p for p in people if p.birth_date and (today - p.birth_date).days >= 80 * 365]
    writer.load([p.pk for p in elderly], [fields["elderly_allowance"], fields["living_alone"]])
    for n, person in enumerate(elderly):
        age = (today - person.birth_date).days // 365
        yuan = 500 if age >= 100 else 200 if age >= 90 else 100
        community = person.place.parent
        writer.add(person=person, field=fields["elderly_allowance"],
                   clean=values.Clean(str(yuan * 100), f"{yuan:.2f}"), source=mz,
                   label="民政局·高龄津贴发放名册", community=community)  # fmt: skip
        if n % 4 == 0:
            writer.add(person=person, field=fields["living_alone"], clean=values.Clean("是", "是"),
                       source=mz, label="民政局·高龄津贴发放名册", community=community)  # fmt: skip
    writer.flush()
    # Two conflicts: ethnicity (公安分局 owns it) and living alone (the community collects it).
    if elderly and ga is not None:
        first = elderly[0]
        services.record_fact(author=builder, person=first, field=fields["ethnicity"],
                             clean=values.Clean("汉族", "汉族"), source=ga,
                             community=first.place.parent)  # fmt: skip
        services.record_fact(author=builder, person=first, field=fields["ethnicity"],
                             clean=values.Clean("回族", "回族"), source=mz,
                             community=first.place.parent)  # fmt: skip
        if departments.get("cg"):
            services.record_fact(author=builder, person=first, field=fields["living_alone"],
                                 clean=values.Clean("否", "否"), source=departments["cg"],
                                 community=first.place.parent)  # fmt: skip
    # Every form through admission: the 民政局's form item, admitted by the joint meeting.
    form_item = admitted_form_item(mz, title="高龄老人走访慰问表", form_fields=["走访日期"])
    report = services.report_register(
        actor=builder, department=mz, item=form_item, name="高龄老人走访慰问表",
        field_keys=["name", "gender", "id_number", "phone", "actual_address",
                    "elderly_allowance", "living_alone"],
        new_columns=["走访日期"], population={"tags": ["elderly"], "min_age": 80},
    )  # fmt: skip
    old = services.report_register(
        actor=builder, department=mz, item=form_item, name="独居老人花名册（旧）",
        field_keys=["name", "phone", "living_alone"], population={"tags": ["living_alone"]},
    )  # fmt: skip
    services.report_set_status(
        actor=builder, report=old, status=ReportForm.Status.MERGED, merged_into=report,
        note="内容已包含在高龄老人走访慰问表中",
    )  # fmt: skip
    services.grant_create(
        actor=builder, department=mz, field_keys=["name", "phone", "elderly_allowance"],
        purpose="高龄津贴发放核对",
    )  # fmt: skip
    source = services.import_source_create(actor=builder, department=mz, name="高龄津贴发放名册")
    services.import_source_set_mapping(
        actor=builder, source=source,
        mapping={"序号": "ignore", "所属街道": "street", "所属社区": "community", "姓名": "name",
                 "性别": "gender", "公民身份号码": "id_number", "出生年月": "birth_date",
                 "联系电话": "phone", "津贴标准(元/月)": "elderly_allowance", "备注": "remark"},
    )  # fmt: skip
    services.organisation_register(
        actor=builder, community=communities[0], name=f"{communities[0].name}居家养老服务站",
        uscc_code=_make_uscc(seed),
        kind="社会服务机构", address=f"南京市秦淮区{communities[0].name}",
    )  # fmt: skip
    out(
        f"共享数据：{len(people)} 位居民入户，{len(households)} 户，{len(elderly)} 位高龄老人，"
        f"报表“{report.name}”"
    )


def _make_uscc(seed: int) -> str:
    from stdnum.cn import uscc

    base = f"52320104MJ{seed % 10_000_000:07d}"
    return base + uscc.calc_check_digit(base)
