"""What every table of steps (core.steps) is tested for. Each app's ``tests/test_steps.py`` walks
its objects into every state and calls these with its table:

- ``check_rows``: each row calls its service with keywords the service takes, from real states;
- ``check_texts_translated``: every text of the rows is in the English catalogue;
- ``check_api_has_every_step``: the OpenAPI document has an operation per row, its body the
  row's inputs;
- ``check_available_steps_agree`` (with ``service_allows``): ``available`` lists a step iff its
  service, called with valid input, is refused neither for permission nor for the state;
- ``check_every_step_open``: the walks reach every row (so the agreement is not empty);
- ``check_page_offers_available``: a page offers exactly the available steps.

``objects`` is a mapping from a state's name to a function that fetches the object in that state
afresh; ``prepare(step, obj)`` (optional) sets up what a step needs besides the state.
"""

import inspect
import re
from collections.abc import Callable
from dataclasses import fields

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

HAN = re.compile(r"[\u3400-\u9fff]")


def check_rows(table, states) -> None:
    assert len(table.by_name) == len(table.steps)
    for step in table.steps:
        service = getattr(step.service, "__wrapped__", step.service)
        params = inspect.signature(service).parameters
        arguments = step.args or [spec.name for spec in step.inputs]
        for keyword in ["actor", step.subject, *arguments, *step.fixed]:
            assert keyword in params, (step.name, keyword)
        assert set(step.args.values()) <= {spec.name for spec in step.inputs}, step.name
        assert step.from_states <= set(states), step.name


def _texts(row) -> list:
    texts = []
    for f in fields(row):
        value = getattr(row, f.name)
        for text in value.values() if isinstance(value, dict) else [value]:
            if isinstance(text, str | Promise):
                texts.append(text)
    return texts


def check_texts_translated(table, extra=()) -> None:
    """The catalogue is made by makemessages, which finds only the usual gettext names: a label
    under another alias stays Chinese in English (it did, under ``_l``)."""
    with translation.override("en"):
        for step in table.steps:
            texts = [*_texts(step), *(t for spec in step.inputs for t in _texts(spec)), *extra]
            for text in texts:
                assert not HAN.search(str(text)), (step.name, str(text))


def check_api_has_every_step(client, user, table, path: str) -> None:
    """``path`` is the operation's path with ``{name}`` for the step's."""
    client.force_login(user)
    document = client.get("/api/openapi.json").json()
    for step in table.steps:
        here = path.replace("{name}", step.name)
        assert here in document["paths"], f"the API lacks the step {step.name}"
        operation = document["paths"][here]["post"]
        if not step.inputs:
            assert "requestBody" not in operation, step.name
            continue
        ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        schema = document["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(schema["properties"]) == {spec.name for spec in step.inputs}, step.name
        required = {spec.name for spec in step.inputs if spec.required}
        assert set(schema.get("required", [])) == required, step.name


class Rollback(Exception):
    pass


def service_allows(step, actor, obj, data: dict, *, not_now, refusals=(PermissionDenied,)) -> bool:
    """Taking the step with ``data`` is refused neither by ``refusals`` (who may) nor with a
    ValidationError whose code is in ``not_now`` (the state); nothing it writes is kept."""
    try:
        with transaction.atomic():
            step.run(actor=actor, data=data, **{step.OBJECT: obj})
            raise Rollback
    except Rollback:
        return True
    except refusals:
        return False
    except ValidationError as error:
        return not {e.code for e in getattr(error, "error_list", [error])} & set(not_now)


def check_available_steps_agree(table, actor, objects: dict, allows: Callable, prepare=None):
    """No (state, step, listed, allowed) where ``table.available`` and ``allows(actor, step,
    obj)`` disagree, each tried on a fresh object and rolled back."""
    found = []
    for state, fetch in objects.items():
        for step in table.steps:
            with transaction.atomic():
                obj = fetch()
                if prepare is not None:
                    prepare(step, obj)
                listed = step in table.available(actor, obj)
                allowed = allows(actor, step, obj)
                transaction.set_rollback(True)
            if listed != allowed:
                found.append((state, step.name, listed, allowed))
    assert not found, found


def check_every_step_open(table, actors, objects: dict, prepare=None) -> None:
    """Each step is open to one of the actors on one of the objects."""
    seen = set()
    for fetch in objects.values():
        for step in table.steps:
            with transaction.atomic():
                obj = fetch()
                if prepare is not None:
                    prepare(step, obj)
                if any(step.allowed(actor, obj) for actor in actors):
                    seen.add(step.name)
                transaction.set_rollback(True)
    assert seen == set(table.by_name), set(table.by_name) - seen


def check_page_offers_available(client, actor, table, objects: dict, *, url, offered, prepare=None):
    """The page ``url(obj)`` offers exactly the available steps in each state (``offered(page)``:
    the names of the steps it offers). A page the user may not see (404) offers nothing, and
    nothing may be available there."""
    client.force_login(actor)
    found = []
    for state, fetch in objects.items():
        with transaction.atomic():
            obj = fetch()
            if prepare is not None:
                prepare(obj)
            expected = {step.name for step in table.available(actor, obj)}
            response = client.get(url(obj))
            transaction.set_rollback(True)
        shown = offered(response.content.decode()) if response.status_code != 404 else set()
        if shown != expected:
            found.append((state, shown, expected))
    assert not found, (actor, found)
