"""Saved searches (查找诉求 → 保存筛选): a staff member keeps a named set of filters, never a
result and never a phone number."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.validation import clean_name
from services.models import SavedSearch
from services.search import RequestQuery, may_search

MAX_SAVED = 20


@transaction.atomic
def saved_search_create(*, actor, name: str, query: RequestQuery) -> SavedSearch:
    """Keep ``query`` under ``name`` for ``actor``. Refused: no search for this user, a query
    with errors, an empty one, one with a phone number (personal data is not kept), a name
    empty, too long or already used, or more than MAX_SAVED searches."""
    if not may_search(actor):
        raise PermissionDenied(_("您没有查找诉求的权限。"))
    name = clean_name(name, _("筛选名称"), limit=30)
    if query.errors:
        raise ValidationError(_("筛选条件有误，不能保存：%(errors)s"), params={
            "errors": "；".join(query.errors)})  # fmt: skip
    if query.phone:
        raise ValidationError(
            _("含电话号码的筛选不能保存（电话号码是个人信息），请去掉电话号码后再保存。")
        )
    if query.is_empty:
        raise ValidationError(_("请至少选择一个筛选条件再保存。"))
    mine = SavedSearch.objects.select_for_update().filter(user=actor)
    if mine.filter(name=name).exists():
        raise ValidationError(_("已有名为“%(name)s”的筛选，请换一个名称。"), params={"name": name})
    if mine.count() >= MAX_SAVED:
        raise ValidationError(
            _("最多保存%(limit)d个筛选，请先删除不用的。"), params={"limit": MAX_SAVED}
        )
    saved = SavedSearch.objects.create(user=actor, name=name, query=query.stored())
    audit.record(
        actor=actor, action="services.saved_search_create", obj=saved,
        changes={"name": name, "query": saved.query},
    )  # fmt: skip
    return saved


@transaction.atomic
def saved_search_delete(*, actor, saved: SavedSearch) -> None:
    """Remove one of the actor's own saved searches."""
    saved = SavedSearch.objects.select_for_update().filter(pk=saved.pk).first()
    if saved is None:
        raise ValidationError(_("这个筛选已经删除了。"))
    if saved.user_id != actor.pk:
        raise PermissionDenied(_("只能删除自己保存的筛选。"))
    audit.record(
        actor=actor, action="services.saved_search_delete", obj=saved, changes={"name": saved.name}
    )
    saved.delete()
