"""The community picker (core.widgets.PlacePicker) without a script: checkboxes grouped by
street, each street with a "whole street" box that the server understands, so the forms that
choose among a district's communities work on a phone (issue #21 item 5: "按住 Ctrl 点选" over
104 communities was unusable)."""

import re

import pytest
from django import forms
from django.http import QueryDict

from admission.forms import RequestForm
from core.forms import CommunitiesMixin, communities_field
from core.models import Place
from core.testing import build_small_district
from workload.forms import DispatchForm

pytestmark = pytest.mark.django_db


class PickForm(CommunitiesMixin, forms.Form):
    communities = communities_field("涉及社区", "可整街勾选。")


@pytest.fixture
def d():
    return build_small_district()


def _communities(d):
    return Place.objects.filter(level="community", district=d.district).order_by("code")


def _posted(**lists) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in lists.items():
        data.setlist(name, [str(v) for v in values])
    return data


def test_communities_are_checkboxes_grouped_by_street_with_a_whole_street_box(d):
    html = str(PickForm(communities=_communities(d))["communities"])
    assert "<select" not in html and "Ctrl" not in html
    streets = re.findall(r'<fieldset class="pp-street".*?</fieldset>', html, re.S)
    assert len(streets) == 2
    for street, places in zip(streets, (d.communities[:2], d.communities[2:]), strict=True):
        whole = re.search(
            r'<input type="checkbox" name="communities__street" value="(\d+)"', street
        )
        assert whole and int(whole[1]) == places[0].parent_id
        assert "整个街道（2个社区）" in street
        for community in places:  # each community's box has its own label
            box = re.search(rf'<label class="pp-option" for="([^"]+)"[^>]*><input type="checkbox" '
                            rf'name="communities" value="{community.pk}" id="([^"]+)"', street)  # fmt: skip
            assert box and box[1] == box[2] and community.name in street
    # The group is named for screen readers, and the search box the script shows is labelled.
    assert '<legend class="visually-hidden">涉及社区</legend>' in html
    assert (
        PickForm(communities=_communities(d))["communities"].id_for_label == "id_communities_search"
    )


def test_a_ticked_street_chooses_all_its_communities_without_a_script(d):
    street_a, street_b = d.streets
    form = PickForm(
        _posted(communities__street=[street_a.pk], communities=[d.communities[3].pk]),
        communities=_communities(d),
    )
    assert form.is_valid(), form.errors
    chosen = {c.pk for c in form.cleaned_data["communities"]}
    assert chosen == {d.communities[0].pk, d.communities[1].pk, d.communities[3].pk}
    # Shown again, the street is ticked whole and the other street is not.
    html = str(form["communities"])
    assert re.search(rf'value="{street_a.pk}" data-pp-all checked', html)
    assert not re.search(rf'value="{street_b.pk}" data-pp-all checked', html)


def test_a_street_reaches_only_the_communities_the_form_offers(d):
    offered = _communities(d).filter(pk=d.communities[0].pk)  # e.g. the admitted scope
    form = PickForm(_posted(communities__street=[d.streets[0].pk]), communities=offered)
    assert form.is_valid()
    assert [c.pk for c in form.cleaned_data["communities"]] == [d.communities[0].pk]
    form = PickForm(_posted(communities=[d.communities[2].pk]), communities=offered)
    assert not form.is_valid() and "communities" in form.errors
    form = PickForm(_posted(communities__street=["not-a-street"]), communities=offered)
    assert form.is_valid() and list(form.cleaned_data["communities"]) == []


@pytest.mark.parametrize("form_class", [RequestForm, DispatchForm])
def test_the_admission_and_dispatch_forms_use_the_picker(d, form_class):
    kwargs = {"entries": None} if form_class is RequestForm else {}
    form = form_class(communities=_communities(d), **kwargs)
    html = str(form["communities"])
    assert "data-place-picker" in html and "Ctrl" not in str(form["communities"].help_text)
