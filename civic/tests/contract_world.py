"""A purchase-of-service contract in a small district, made through the services: an admitted
item of the first department over communities 0 and 2, an organisation in each of them with a
member, a contract signed for each, and one delivery recorded under each."""

import datetime

from admission import services as admission
from admission.models import AdmissionRequest
from admission.tests.conftest import application, decide
from civic import services
from civic.tests import world as helpers


def admitted_item(d, submit="contract-item"):
    officer = d.users["department_officer:own"]
    request = admission.request_submit(
        **application(d, officer, communities=[d.communities[0], d.communities[2]],
                      submit_token=submit)
    )  # fmt: skip
    decide(d, request)
    return AdmissionRequest.objects.get(pk=request.pk).admitted_item


def contract(d, item, community, member, *, name, deliver=True):
    org = helpers.org(d, community, name=name)
    services.org_member_add(actor=d.root, organisation=org, user=member)
    today = admission.local_today()
    signed = services.contract_sign(
        actor=d.users["department_officer:own"], organisation=org, item=item,
        content="高龄津贴申报材料收集与上门服务由组织承接。", amount_fen=300_000,
        starts_on=today, ends_on=today + datetime.timedelta(days=180),
    )  # fmt: skip
    if deliver:
        services.contract_deliver(
            actor=member, contract=signed, day=today, content="上门收集申报材料", served=12,
            result="12户材料齐全，已报送。", submit_token=f"first-{signed.pk}",
        )  # fmt: skip
    return signed


def build(d, *, deliver=True):
    """{"item", "own" (community 0), "other" (community 2)}: the contracts and their item."""
    admission.lists_seed(actor=d.root, district=d.district)
    item = admitted_item(d)
    return {
        "item": item,
        "own": contract(d, item, d.communities[0], d.users["social_org_member:own"],
                        name="夕阳红志愿服务队", deliver=deliver),
        "other": contract(d, item, d.communities[2], d.users["social_org_member:other"],
                          name="邻里互助社", deliver=deliver),
    }  # fmt: skip
