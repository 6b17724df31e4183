"""The shape every state machine of Linli shares: a table of steps.

An app writes its state machine as rows of ``Step`` (in its ``steps.py``): what a step is
called, which service takes it, who may take it, from which states, and what input it takes.
Everything else loops over the rows:

- ``Table(STEPS)``: the rows by name, and ``available(user, obj)``, the steps this user may take
  on this object now (state, permission, guard: the same predicates the services check; the
  services check everything again when a step is taken, the state may have moved meanwhile);
- ``Step.run``: takes a step with cleaned input (``clean_input`` for what an API client sent);
- ``add_step_operations``: one JSON API operation per row,
  ``POST <collection>/{<id>}/steps/<name>``, its body schema from the row's inputs;
- ``core.tests.steps_contract``: the tests every table passes (the API has every step, the
  page offers exactly the available ones, ``available`` agrees with the services).

An app subclasses ``Step`` (and ``Input`` where it needs more), sets ``OBJECT`` (the service's
keyword for the object, e.g. ``"request"``), ``STATE`` (the object's state field) and its own
fields and overrides, and writes its rows; see services, timebank and admission.
"""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass, field
from typing import ClassVar

from django.utils.functional import Promise

TEXT = "text"  # a string; a required one is still checked by the service (its message)


@dataclass(frozen=True)
class Input:
    """One input of a step: its POST/JSON name, kind, label and whether it is required."""

    name: str
    kind: str
    label: Promise | str
    required: bool = False
    max_length: int = 2000
    rows: int = 2
    help: Promise | str = ""


@dataclass(frozen=True)
class Step:
    """One step: ``service`` is called as ``service(actor=…, <subject>=…, **arguments, **fixed)``.

    ``perm`` is a django-rules permission checked on ``target(obj)`` (the object by default), or
    a predicate ``(user, obj) -> bool``. ``args`` maps the service's keywords to the inputs'
    names (none: each input under its own name); ``fixed`` adds constant keywords."""

    OBJECT: ClassVar[str] = "request"  # the keyword under which callers pass the object to run()
    STATE: ClassVar[str] = "state"  # the object's field that holds its state

    name: str
    label: Promise | str  # the button
    service: Callable
    perm: str | Callable
    from_states: frozenset
    _: KW_ONLY
    inputs: tuple = ()
    args: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    subject: str = "request"  # the service's keyword for what the step is taken on
    summary: Promise | str = ""  # the API operation's summary (default: the label)
    title: Promise | str = ""  # the form's heading on the page (none: a bare button)
    style: str = ""  # "primary", "danger" or ""
    collapsed: bool = False  # shown folded (<details>) on the page
    help: Promise | str | Callable = ""
    guard: Callable | None = None  # (user, obj) -> bool: beyond permission and state
    done: Promise | str = ""  # the page's message once taken
    initial: Callable | None = None  # (obj) -> the page form's initial values

    def target(self, obj):
        """What a permission name is checked on."""
        return obj

    def permitted(self, user, obj) -> bool:
        if callable(self.perm):
            return bool(self.perm(user, obj))
        target = self.target(obj)
        return target is not None and user.has_perm(self.perm, target)

    def allowed(self, user, obj) -> bool:
        return (
            getattr(obj, self.STATE) in self.from_states
            and self.permitted(user, obj)
            and (self.guard is None or bool(self.guard(user, obj)))
        )

    def subject_of(self, obj, data: dict):
        """What the service takes the step on (the object, or something of it)."""
        return obj

    def arguments(self, data: dict) -> dict:
        if self.args:
            return {keyword: data[name] for keyword, name in self.args.items()}
        return {spec.name: data.get(spec.name) for spec in self.inputs}

    def run(self, *, actor, data: dict, **on):
        """Take the step with cleaned input; the object comes under ``OBJECT`` (``request=…``)."""
        obj = on.pop(self.OBJECT)
        if on:
            raise TypeError(f"{self.name}.run() got unexpected keywords {sorted(on)}")
        subject = self.subject_of(obj, data)
        return self.service(
            actor=actor, **{self.subject: subject}, **self.arguments(data), **self.fixed
        )


class Table:
    """An app's rows: by name, and the ones a user may take on an object now."""

    def __init__(self, steps: Iterable[Step]):
        self.steps = tuple(steps)
        self.by_name = {step.name: step for step in self.steps}
        if len(self.by_name) != len(self.steps):
            raise ValueError("two steps of one table have the same name")

    def available(self, user, obj) -> list:
        """The steps ``user`` may take on ``obj`` now, in the table's order."""
        return [step for step in self.steps if step.allowed(user, obj)]


def as_text(value, spec: Input) -> str:
    return "" if value is None else str(value)


def clean_input(step: Step, raw: dict, cleaners: dict[str, Callable]) -> dict:
    """What a client sent (values by input name), as the service takes it: each input through
    its kind's cleaner ``(value, spec) -> value`` (text: a string, "" when missing). A cleaner
    refuses a bad reference with the reason (ValidationError) or 404; text is passed as it
    came, the service checks it and says what is wrong."""
    cleaners = {TEXT: as_text, **cleaners}
    return {spec.name: cleaners[spec.kind](raw.get(spec.name), spec) for spec in step.inputs}


# ---------------------------------------------------------------- the API: one operation per row


def add_step_operations(
    router,
    steps: Iterable[Step],
    *,
    collection: str,
    id_name: str,
    out,
    body_field: Callable,
    take: Callable,
    prefix: str,
    model_prefix: str,
    model_base=None,
) -> None:
    """Add ``POST {collection}/{<id_name>}/steps/<name>`` to ``router`` for every step.

    ``body_field(spec)`` is the JSON type of an input (``(type, Field(...))``); the body schema
    is named ``<model_prefix><Name>In``. ``take(user, pk, step, data)`` takes the step with the
    body as a dict and answers ``out``. The operation id is ``<prefix>_step_<name>``."""
    from ninja import Schema
    from pydantic import create_model

    from core.api import errors
    from core.api_schemas import PathId

    pk = inspect.Parameter(id_name, inspect.Parameter.KEYWORD_ONLY, annotation=PathId)
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for step in steps:
        parameters = [request, pk]
        if step.inputs:
            body = create_model(
                model_prefix + "".join(part.title() for part in step.name.split("_")) + "In",
                __base__=model_base or Schema,
                **{spec.name: body_field(spec) for spec in step.inputs},
            )
            parameters.append(
                inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY, annotation=body)
            )
        operation = _operation(step, id_name, take)
        operation.__signature__ = inspect.Signature(parameters)
        description = f"from: {', '.join(sorted(step.from_states))}"
        if isinstance(step.perm, str):
            description += f"; permission: {step.perm}"
        router.post(
            f"{collection}/{{{id_name}}}/steps/{step.name}",
            response={200: out, **errors(403, 404, 422)},
            summary=str(step.summary or step.label),
            operation_id=f"{prefix}_step_{step.name}",
            description=description,
        )(operation)


def _operation(step: Step, id_name: str, take: Callable) -> Callable:
    def operation(request, **values):
        data = values.get("data")
        return take(request.auth, values[id_name], step, {} if data is None else data.dict())

    operation.__name__ = f"step_{step.name}"
    return operation
