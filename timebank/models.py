"""The time bank: accounts, the double-entry hour ledger, editable rules, and the exchange.

Hours are integer minutes. Every ledger transaction has postings that sum to zero; postings are
never changed or deleted (corrections are reversals, at most one per transaction); each account
caches its balance, which always equals the sum of its postings; a resident's balance is never
negative. Each transaction carries the client's idempotency key (unique) and a hash of its
content and legs; each posting is a link in its account's hash chain (it covers the previous
posting of the same account and its transaction's hash), so a changed or removed row is detected
by the reconciliation job. Chains are per account, not per district, so transfers between
unrelated accounts never wait for each other: a posting extends its chain under the account row
lock the ledger engine already holds.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from core.clock import MomentField
from core.models import Person, Place

MINUTES_PER_HOUR = 60
GENESIS = "0" * 64  # the "previous hash" of an account's first posting


class AccountKind(models.TextChoices):
    MEMBER = "member", _("个人账户")
    TEAM = "team", _("志愿团队账户")
    FUND = "fund", _("社区公益基金账户")
    ISSUANCE = "issuance", _("服务记账（系统）")


class Account(models.Model):
    """A place where minutes live. The district's issuance account is the counterpart of every
    deposit (it goes negative by the hours minted) and of every withdrawal."""

    kind = models.CharField(_("类型"), max_length=16, choices=AccountKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    person = models.ForeignKey(
        Person, verbose_name=_("持有人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="timebank_accounts",
    )  # fmt: skip
    # The community that opened the account (for the issuance account: the district itself).
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    balance = models.BigIntegerField(_("余额（分钟）"), default=0)
    # Lifetime service minutes deposited, for star levels; never lowered except by a reversal.
    earned = models.BigIntegerField(_("累计存入（分钟）"), default=0)
    is_closed = models.BooleanField(_("已销户"), default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = MomentField(auto_now_add=True)
    # The tip of the account's hash chain: the seq and hash of its latest posting.
    chain_seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("时间账户")
        verbose_name_plural = _("时间账户")
        ordering = ["pk"]
        indexes = [models.Index(fields=["district", "kind"]), models.Index(fields=["place"])]
        constraints = [
            # Only the issuance account may go below zero (it is where minted hours come from).
            models.CheckConstraint(
                condition=Q(kind="issuance") | Q(balance__gte=0), name="timebank_balance_nonneg"
            ),
            models.CheckConstraint(
                condition=(Q(kind="member") & Q(person__isnull=False))
                | (~Q(kind="member") & Q(person__isnull=True)),
                name="timebank_person_iff_member",
            ),
            models.UniqueConstraint(
                fields=["person", "district"],
                condition=Q(kind="member"),
                name="timebank_one_member_account",
            ),
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(kind="issuance"),
                name="timebank_one_issuance_per_district",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def hours(self) -> str:
        return format_minutes(self.balance)

    @property
    def earned_hours(self) -> str:
        return format_minutes(self.earned)

    @property
    def stars(self) -> int:
        return star_level(self.earned)

    @property
    def star_range(self) -> range:
        return range(self.stars)


def format_minutes(minutes: int) -> str:
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), MINUTES_PER_HOUR)
    if not hours and rest:
        return f"{sign}{rest}分钟"
    return f"{sign}{hours}小时{rest:02d}分" if rest else f"{sign}{hours}小时"


# Star levels from POLICY-FACTS (Nanjing): 100 h → 1 star … 1,500 h → 5 stars.
STAR_HOURS = (100, 300, 600, 1000, 1500)


def star_level(earned_minutes: int) -> int:
    hours = earned_minutes // MINUTES_PER_HOUR
    return sum(1 for threshold in STAR_HOURS if hours >= threshold)


class TxKind(models.TextChoices):
    DEPOSIT = "deposit", _("存入")
    WITHDRAWAL = "withdrawal", _("支取")
    TRANSFER = "transfer", _("转赠亲属")
    DONATION = "donation", _("捐赠")
    REVERSAL = "reversal", _("冲正")


class Transaction(models.Model):
    """One ledger transaction: its postings sum to zero."""

    # Indexed by (district, created_at) below; a second index on district alone would only
    # cost every write an insert.
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+", db_index=False)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=TxKind.choices)
    idempotency_key = models.CharField(max_length=255, unique=True)
    fingerprint = models.CharField(max_length=64)
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # sha256 over the transaction's fields and legs; every posting's chain link covers it.
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["pk"]
        indexes = [models.Index(fields=["district", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class PostingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("ledger postings are immutable")

    def delete(self):
        raise TypeError("ledger postings are immutable; reverse the transaction instead")


class Posting(models.Model):
    """One leg of a transaction: a signed, non-zero number of minutes on one account."""

    # Both are the leading column of a unique constraint below (transaction, account) and
    # (account, seq), whose indexes serve every lookup by them; no second index of their own.
    transaction = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("分钟"))
    balance_after = models.BigIntegerField(_("记账后余额"))
    created_at = models.DateTimeField()
    # The account's hash chain: 1, 2, 3 … per account; prev_hash is the previous posting's hash.
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = PostingQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["account", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="timebank_posting_nonzero"),
            models.UniqueConstraint(
                fields=["transaction", "account"], name="timebank_posting_one_per_account"
            ),
            models.UniqueConstraint(fields=["account", "seq"], name="timebank_posting_chain_seq"),
        ]

    def __str__(self):
        return f"{self.account_id} {self.amount:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise TypeError("ledger postings are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("ledger postings are immutable; reverse the transaction instead")


class Rule(models.Model):
    """An editable time-bank rule with its policy source. Rows without a district are the
    defaults; a district's own row overrides the default for that district."""

    district = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    code = models.CharField(_("代码"), max_length=40)
    name = models.CharField(_("规则"), max_length=100)
    value = models.IntegerField(_("取值"))
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    source = models.CharField(_("政策依据"), max_length=300)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("时间银行规则")
        verbose_name_plural = _("时间银行规则")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(district__isnull=True), name="timebank_rule_default"
            ),
            models.UniqueConstraint(
                fields=["district", "code"],
                condition=Q(district__isnull=False),
                name="timebank_rule_district",
            ),
        ]

    def __str__(self):
        return self.name


# ---------------------------------------------------------------- the exchange


class Category(models.TextChoices):
    COMPANY = "company", _("陪伴聊天")
    ERRAND = "errand", _("代购跑腿")
    ESCORT = "escort", _("陪同就医")
    CLEANING = "cleaning", _("居家清洁")
    REPAIR = "repair", _("小修小补")
    TECH = "tech", _("智能手机教学")
    OTHER = "other", _("其他")


class ListingKind(models.TextChoices):
    NEED = "need", _("需求")
    OFFER = "offer", _("服务")


class Payer(models.TextChoices):
    SELF = "self", _("服务对象本人时间支付")
    FUND = "fund", _("社区公益基金支付")
    NONE = "none", _("公益服务（不扣时间）")


class Listing(models.Model):
    """A need (someone wants help) or an offer (someone can help)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待接单")
        TAKEN = "taken", _("已接单")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("类型"), max_length=8, choices=ListingKind.choices)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    title = models.CharField(_("标题"), max_length=100)
    detail = models.TextField(_("说明"), blank=True)
    minutes = models.PositiveIntegerField(_("预计时长（分钟）"))
    wanted_at = models.DateTimeField(_("服务时间"), null=True, blank=True)
    poster = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # For a need: the person served (the poster or their family member).
    recipient = models.ForeignKey(
        Person, verbose_name=_("服务对象"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # A family member (a resident login) who may confirm the service for the person served.
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("家属联系人"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    place = models.ForeignKey(
        Place, verbose_name=_("社区"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    payer = models.CharField(
        _("时间由谁支付"), max_length=8, choices=Payer.choices, default=Payer.NONE
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = MomentField(auto_now_add=True)
    # For an offer: what the volunteer can do, and when (weekly: ISO weekdays "12345" and a
    # daily window). No window means any time.
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    weekdays = models.CharField(_("可服务的星期"), max_length=7, blank=True)
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    end_time = models.TimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["district", "status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__lt=models.F("end_time")),
                name="timebank_offer_window",
            )
        ]

    def __str__(self):
        return self.title

    # The day as it follows 周 in a list ("周一、三、五"); English translates each to "Mon"…
    WEEKDAY_NAMES = (
        pgettext_lazy("weekday after 周", "一"), pgettext_lazy("weekday after 周", "二"),
        pgettext_lazy("weekday after 周", "三"), pgettext_lazy("weekday after 周", "四"),
        pgettext_lazy("weekday after 周", "五"), pgettext_lazy("weekday after 周", "六"),
        pgettext_lazy("weekday after 周", "日"),
    )  # fmt: skip

    @property
    def window_text(self) -> str:
        """E.g. "周一、三、五 09:00–11:30" (English "Mon, Wed, Fri 09:00–11:30"); empty when
        any time. Every part, separators included, goes through gettext."""
        days = ""
        if self.weekdays and len(self.weekdays) < 7:
            separator = pgettext("between weekdays", "、")
            days = _("周%(days)s") % {
                "days": separator.join(str(self.WEEKDAY_NAMES[int(d) - 1]) for d in self.weekdays)
            }
        elif self.weekdays:
            days = str(_("每天"))
        times = {}
        if self.start_time and self.end_time:
            times = {"start": f"{self.start_time:%H:%M}", "end": f"{self.end_time:%H:%M}"}
        if days and times:
            return _("%(days)s %(start)s–%(end)s") % {"days": days, **times}
        if times:
            return _("%(start)s–%(end)s") % times
        return days

    def covers(self, moment) -> bool | None:
        """Whether the offer's window includes `moment` (local time); None when either side
        says nothing about time."""
        if moment is None or not (self.weekdays or self.start_time):
            return None
        from django.utils import timezone

        local = timezone.localtime(moment)
        if self.weekdays and str(local.isoweekday()) not in self.weekdays:
            return False
        if self.start_time and not (self.start_time <= local.time() < self.end_time):
            return False
        return True


class Order(models.Model):
    """A volunteer taking a need (接单), through sign-in, sign-out, confirmation and approval."""

    class Status(models.TextChoices):
        TAKEN = "taken", _("已接单")
        SIGNED_IN = "signed_in", _("服务中")
        SIGNED_OUT = "signed_out", _("待确认")
        CONFIRMED = "confirmed", _("待审核")
        APPROVED = "approved", _("已入账")
        REJECTED = "rejected", _("未通过")
        CANCELLED = "cancelled", _("已取消")
        REVERSED = "reversed", _("已冲正")

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="orders")
    volunteer = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="orders")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TAKEN)
    taken_at = MomentField(auto_now_add=True)
    signed_in_at = models.DateTimeField(null=True, blank=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField(_("服务时长（分钟）"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The served side's rating of the service (given when confirming, or later once) and the
    # volunteer's rating of the visit; each side rates once.
    rating = models.PositiveSmallIntegerField(_("评价"), null=True, blank=True)
    rating_comment = models.CharField(_("评价说明"), max_length=200, blank=True)
    volunteer_rating = models.PositiveSmallIntegerField(_("志愿者评价"), null=True, blank=True)
    volunteer_comment = models.CharField(_("志愿者评价说明"), max_length=200, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    deposit = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="order"
    )
    payment = models.OneToOneField(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="paid_order"
    )

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["district", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["listing"],
                condition=~Q(status__in=["cancelled", "rejected"]),
                name="timebank_one_live_order_per_listing",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="timebank_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(volunteer_rating__isnull=True)
                | Q(volunteer_rating__gte=1, volunteer_rating__lte=5),
                name="timebank_volunteer_rating_1_5",
            ),
        ]

    def __str__(self):
        return f"{self.listing} · {self.volunteer}"

    @property
    def measured_minutes(self) -> int | None:
        """Minutes between sign-in and sign-out (at least 1), whatever was confirmed later."""
        if self.signed_in_at and self.signed_out_at:
            return max(1, round((self.signed_out_at - self.signed_in_at).total_seconds() / 60))
        return None


class Dispute(models.Model):
    """Either side of a service disagrees with it. Before approval an open dispute blocks the
    approval; a worker resolves it by upholding the record or adjusting the minutes (after
    approval: by reversing the postings, and re-posting the adjusted minutes)."""

    class Status(models.TextChoices):
        OPEN = "open", _("处理中")
        UPHELD = "upheld", _("维持原记录")
        ADJUSTED = "adjusted", _("已调整时长")
        REVERSED = "reversed", _("已冲正")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="disputes")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(
        _("提出方"), max_length=10,
        choices=[("served", _("服务对象方")), ("volunteer", _("志愿者"))],
    )  # fmt: skip
    reason = models.CharField(_("异议理由"), max_length=500)
    raised_at = MomentField(auto_now_add=True)
    after_approval = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    minutes_before = models.PositiveIntegerField(null=True, blank=True)
    minutes_after = models.PositiveIntegerField(null=True, blank=True)
    resolution = models.CharField(_("处理意见"), max_length=500, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("服务异议")
        verbose_name_plural = _("服务异议")
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["district", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="open"), name="timebank_one_open_dispute"
            )
        ]

    def __str__(self):
        return f"{self.order} · {self.get_status_display()}"
