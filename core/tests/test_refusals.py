"""core.refusals: what a page shows when a service refuses, and that the refusal wrote nothing."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import translation

from core.refusals import attempt, refusal_text, refusals_shown_on

pytestmark = pytest.mark.django_db


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request.user = None
    request._messages = FallbackStorage(request)
    return request


def _shown(request) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(request)]


class Blank(forms.Form):
    pass


def test_a_refusal_is_shown_as_a_page_message_and_the_attempt_failed():
    request = _request()

    def refuse(*, actor):
        raise ValidationError(["不在办理时限内。", "请先签到。"], code="bad_state")

    outcome = attempt(request, refuse, actor=None, done_message="已完成。")
    assert not outcome and outcome.value is None
    assert _shown(request) == [("error", "不在办理时限内。；请先签到。")]


def test_a_refusal_is_shown_on_the_form_each_message_apart():
    request, form = _request(), Blank({})
    assert form.is_valid()

    def refuse():
        raise ValidationError(["不在办理时限内。", "请先签到。"])

    assert not attempt(request, refuse, on_form=form)
    assert form.non_field_errors() == ["不在办理时限内。", "请先签到。"]
    assert _shown(request) == []


def test_success_gives_the_result_and_the_message():
    request = _request()
    outcome = attempt(request, lambda *, n: n * 2, n=21, done_message="已保存。")
    assert outcome and outcome.value == 42
    assert _shown(request) == [("success", "已保存。")]


def test_a_permission_refusal_without_words_reads_in_the_users_language():
    with translation.override("en"):
        assert refusal_text(PermissionDenied()) == "You do not have permission to do this."
    assert refusal_text(PermissionDenied()) == "您没有执行此操作的权限。"
    assert refusal_text(PermissionDenied("不是您的社区。")) == "不是您的社区。"


def test_a_block_carries_on_after_a_refusal_and_other_errors_still_raise():
    request = _request()
    with refusals_shown_on(request):
        raise PermissionDenied("不是您的社区。")
    assert _shown(request) == [("error", "不是您的社区。")]
    with pytest.raises(ZeroDivisionError), refusals_shown_on(request):
        1 / 0  # noqa: B018


def test_a_refused_write_leaves_nothing_behind(django_user_model):
    """The service's own transaction rolls back: the page shows the refusal, the row is gone."""
    from django.db import transaction

    request = _request()

    @transaction.atomic
    def create_then_refuse(*, username):
        django_user_model.objects.create(username=username)
        raise ValidationError("用户名已停用。")

    assert not attempt(request, create_then_refuse, username="ghost")
    assert not django_user_model.objects.filter(username="ghost").exists()
    assert _shown(request) == [("error", "用户名已停用。")]
