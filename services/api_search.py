"""``GET /api/services/search``: 查找诉求 for staff, on the services router.

The same filters and checks as the search page (services.search): a filter that makes no sense
answers 422 with the reasons in Chinese, never a 500; the result is paged by key (``after`` /
``before`` carry the cursor of the previous answer), inside what the user may see.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from core.api import errors
from services import search
from services.api import RequestOut, _out, router


class SearchFilter(Schema):
    # Text and ids come as strings on purpose: services.search checks them and says what is
    # wrong in words (a schema would answer a generic type error).
    number: str = Field("", max_length=40, description="诉求编号，如 SR00000123")
    phone: str = Field("", max_length=40, description="居民手机号或登记的联系电话（按摘要比对）")
    q: str = Field("", max_length=20000, description="关键词（最多100字、5个词，用空格分开）")
    item: str = Field("", max_length=40, description="服务事项 id")
    department: str = Field("", max_length=40, description="主办部门 id")
    place: str = Field("", max_length=40, description="街道、社区或网格的 id（含其下各级）")
    state: list[str] = Field(default_factory=list, max_length=20, description="办理状态（可多个）")
    channel: str = Field("", max_length=40, description="渠道：h5、staff、patrol、open311")
    date_from: str = Field("", alias="from", max_length=40, description="提交日期从（含）")
    date_to: str = Field("", alias="to", max_length=40, description="提交日期到（含）")
    after: str = Field("", max_length=2000, description="下一页：上次回答的 next_cursor")
    before: str = Field("", max_length=2000, description="上一页：上次回答的 previous_cursor")
    size: int = Field(search.PAGE_SIZE, ge=1, le=200)


class SearchOut(Schema):
    items: list[RequestOut]
    next_cursor: str = Field(description="下一页的游标；没有下一页时为空")
    previous_cursor: str = Field(description="上一页的游标；第一页时为空")


@router.get(
    "/search",
    response={200: SearchOut, **errors(403, 422)},
    summary="Find requests (staff): number, phone, words, item, department, place, state, "
    "channel, dates",
)
def request_search(request, filters: Query[SearchFilter]):
    """Requests the user may see that match every filter given, newest number first, by key."""
    user = request.auth
    if not search.may_search(user):
        raise PermissionDenied(_("查找诉求仅供工作人员使用。"))
    raw = filters.model_dump(by_alias=True)
    query = search.clean_query(user, raw)
    if query.errors:
        raise ValidationError(list(query.errors))
    if query.is_empty:
        raise ValidationError(_("请至少给出一个查找条件。"))
    found = search.page(user, query, size=filters.size)
    return {
        "items": [_out(r) for r in found.items],
        "next_cursor": found.next_cursor,
        "previous_cursor": found.previous_cursor,
    }
