"""Reads of the community channel: what anyone may read (published posts, the communities
that have a channel) and what staff see (their communities' drafts and reviews), sign-ups
with names masked."""

from django.db.models import Count, QuerySet

from channel import rules
from channel.models import ChannelRule, Post, Signup
from core.models import Place, PlaceLevel
from core.rules import role_places
from core.selectors import subtrees

S = Post.State


def published(community=None) -> QuerySet[Post]:
    """What everyone reads, newest first (no sign-in needed)."""
    qs = Post.objects.filter(state=S.PUBLISHED).select_related("community")
    if community is not None:
        qs = qs.filter(community=community)
    return qs.order_by("-published_at", "-pk")


def communities() -> QuerySet[Place]:
    """Active communities, by street (``published_counts`` says how many posts each has)."""
    return (
        Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True)
        .select_related("parent")
        .order_by("parent__code", "code")
    )


def published_counts() -> dict[int, int]:
    rows = published().values("community_id").annotate(n=Count("pk"))
    return {r["community_id"]: r["n"] for r in rows}


def posts_managed_by(user) -> QuerySet[Post]:
    """Every post (any state) of the communities where the user writes or audits."""
    if not getattr(user, "is_authenticated", False):
        return Post.objects.none()
    qs = Post.objects.select_related("community", "author")
    if user.is_superuser:
        return qs
    return qs.filter(subtrees(role_places(user, rules.READERS), "community__path"))


def post_for(user, pk: int) -> Post | None:
    """The post when published, or when the user sees its community's staff side."""
    post = Post.objects.select_related("community", "community__parent").filter(pk=pk).first()
    if post is None:
        return None
    if post.state == S.PUBLISHED or user.has_perm("channel.view_unpublished", post):
        return post
    return None


def communities_written_by(user) -> QuerySet[Place]:
    qs = Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True).order_by("code")
    if user.is_superuser:
        return qs
    return qs.filter(subtrees(role_places(user, rules.WRITERS)))


def taken(post: Post) -> int:
    return post.signups.filter(cancelled_at__isnull=True).count()


def own_signup(user, post: Post) -> Signup | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return post.signups.filter(user=user, cancelled_at__isnull=True).first()


def mask(name: str) -> str:
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def signups_shown(post: Post) -> list[dict]:
    """Those signed up, names masked (a list on a staff page)."""
    rows = post.signups.filter(cancelled_at__isnull=True).select_related("user__person")
    out = []
    for row in rows:
        person = getattr(row.user, "person", None)
        out.append({"name": mask(person.name if person else row.user.username),
                    "at": row.created_at})  # fmt: skip
    return out


def my_signups(user) -> QuerySet[Signup]:
    if not getattr(user, "is_authenticated", False):
        return Signup.objects.none()
    return (
        Signup.objects.filter(user=user, cancelled_at__isnull=True)
        .select_related("post", "post__community")
        .order_by("post__starts_at")
    )


def rules_of(district) -> QuerySet[ChannelRule]:
    return ChannelRule.objects.filter(district=district).order_by("-effective_from", "-pk")
