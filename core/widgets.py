"""Form widgets shared by the apps.

``PlacePicker`` chooses communities on a phone as well as at a desk: checkboxes grouped by
street, each street with a "whole street" box. Without a script it is plain checkboxes, and the
whole-street box still works (the server adds the street's communities: ``value_from_datadict``);
static/js/place_picker.js adds a search box filtering by name, ticks and unticks a street's
communities with its box (half-ticked when some are chosen) and counts what is chosen.
"""

from django import forms

STREET_SUFFIX = "__street"


class PlacePicker(forms.CheckboxSelectMultiple):
    """For a ``ModelMultipleChoiceField`` of communities (places with a street as parent):
    its queryset should select_related("parent"), read once a render."""

    template_name = "core/widgets/place_picker.html"

    def __init__(self, attrs=None, *, legend=""):
        super().__init__(attrs)
        self.legend = legend

    def _communities(self):
        """(value, label, community) of every choice; the value is the community's key."""
        for value, label in self.choices:
            community = getattr(value, "instance", None)
            if community is not None:
                yield str(value), label, community

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = {str(v) for v in (value or [])}
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        streets: dict[int, dict] = {}
        for index, (key, label, community) in enumerate(self._communities()):
            street = community.parent
            group = streets.setdefault(
                street.pk if street else 0, {"street": street, "options": [], "chosen": 0}
            )
            group["options"].append(
                {
                    "value": key,
                    "label": label,
                    "id": f"{base_id}_{index}",
                    "selected": key in chosen,
                }
            )
            group["chosen"] += key in chosen
        groups = sorted(
            streets.values(), key=lambda g: (g["street"] is None, getattr(g["street"], "code", ""))
        )
        for group in groups:
            group["all"] = group["chosen"] == len(group["options"])
        context["widget"].update(
            id=base_id, legend=self.legend, streets=groups, street_name=name + STREET_SUFFIX,
            chosen_count=len(chosen),
        )  # fmt: skip
        return context

    def value_from_datadict(self, data, files, name):
        """The communities ticked, and every community of a street whose box is ticked."""
        values = list(super().value_from_datadict(data, files, name) or [])
        streets = set(data.getlist(name + STREET_SUFFIX)) if hasattr(data, "getlist") else set()
        if streets:
            have = set(values)
            for key, _label, community in self._communities():
                if str(community.parent_id) in streets and key not in have:
                    values.append(key)
                    have.add(key)
        return values

    def id_for_label(self, id_, index=None):
        # The field's <label> points at the search box the script shows (no element otherwise).
        return f"{id_}_search" if id_ and index is None else super().id_for_label(id_, index)
