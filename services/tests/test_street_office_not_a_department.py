"""A street office (a Department row standing for a street, admission.offices) pushes work through
the admission gate like a department, but it is not a functional department: requests are not
dispatched to it, catalogue items are not led by it, and the pickers that mean 职能部门 leave it
out."""

import pytest
from django.core.exceptions import ValidationError

from admission.offices import street_office
from services import selectors
from services import services as request_services
from services.models import RequestEvent, State
from services.tests.test_lifecycle import submit

pytestmark = pytest.mark.django_db


def test_a_street_office_is_not_offered_nor_accepted_as_the_lead_or_a_co_department(world):
    office = street_office(world.d.streets[0])
    request = request_services.request_accept(actor=world.dispatcher, request=submit(world))
    offered = set(selectors.departments_for(request))
    assert office not in offered and world.d.departments[0] in offered
    events = RequestEvent.objects.filter(request=request).count()

    with pytest.raises(ValidationError, match="街道办事处不是职能部门"):
        request_services.request_dispatch(
            actor=world.dispatcher, request=request, department=office
        )
    with pytest.raises(ValidationError, match="协办部门应为本区的职能部门"):
        request_services.request_dispatch(
            actor=world.dispatcher, request=request, department=world.d.departments[0],
            co_departments=[office],
        )  # fmt: skip

    request.refresh_from_db()
    assert request.state == State.ACCEPTED and request.lead_department is None
    assert RequestEvent.objects.filter(request=request).count() == events


def test_the_catalogue_refuses_a_street_office_as_the_lead(world):
    office = street_office(world.d.streets[0])
    item = world.items["CG-002"]
    with pytest.raises(ValidationError, match="街道办事处不是职能部门"):
        request_services.item_update(actor=world.d.root, item=item, lead_department=office)
    item.refresh_from_db()
    assert item.lead_department != office
