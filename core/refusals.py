"""How a page calls a service and shows its refusal: one helper for every view.

Services refuse with ``ValidationError`` (bad input, wrong state) or ``PermissionDenied`` (not
yours), with messages in the user's language. A view calls the service through ``attempt``: on
success it gets the result and the page shows the success message; on refusal nothing was written
(the service's transaction rolled back), the refusal is shown on the form or as a page message, and
the view renders or redirects as usual. Where one refusal may come from several calls, the
view wraps them in ``with refusals_shown_on(form_or_request):`` instead.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

REFUSALS = (ValidationError, PermissionDenied)


def refusal_messages(error: ValidationError | PermissionDenied) -> list[str]:
    """A refusal's messages, in the user's language."""
    if isinstance(error, PermissionDenied):
        return [str(error) or _("您没有执行此操作的权限。")]
    return list(error.messages)


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """A refusal as one line (for a page message or one place on a page)."""
    return "；".join(refusal_messages(error))


def show_refusal(target, error: ValidationError | PermissionDenied) -> None:
    """Show a refusal on a form (each message a form error) or, given the request, as a page
    message."""
    if hasattr(target, "add_error"):
        for message in refusal_messages(error):
            target.add_error(None, message)
    else:
        messages.error(target, refusal_text(error))


@dataclass(frozen=True)
class Attempt:
    """What came of calling a service: ``ok`` and, if so, what it returned."""

    ok: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.ok


def attempt(request, service, /, *args, on_form=None, done_message: str = "", **kwargs) -> Attempt:
    """Call ``service(*args, **kwargs)``. On a refusal, show it (on ``on_form`` if given, else as a
    page message) and return a failed ``Attempt``; otherwise add ``done_message`` (if any) as a
    success message and return the result."""
    try:
        value = service(*args, **kwargs)
    except REFUSALS as error:
        show_refusal(on_form if on_form is not None else request, error)
        return Attempt(False)
    if done_message:
        messages.success(request, done_message)
    return Attempt(True, value)


@contextmanager
def refusals_shown_on(target):
    """Run the block; a refusal raised in it is shown on ``target`` (a form, or the request for a
    page message) and the view carries on after the block."""
    try:
        yield
    except REFUSALS as error:
        show_refusal(target, error)
