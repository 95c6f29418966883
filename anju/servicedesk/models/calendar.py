"""The working calendar administrators can view and amend.

Official years are loaded from the pinned `chinesecalendar` package (one CalendarYear per
year, its holidays and make-up working days as CalendarDay rows); administrators add
company-wide days off or working days, or enter a new year's State Council notice by hand.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        MAKEUP_WORKDAY = "makeup_workday", _("Make-up working day")
        EXTRA_DAY_OFF = "extra_day_off", _("Company day off")
        EXTRA_WORKDAY = "extra_workday", _("Company working day")

    OFFICIAL = (Kind.HOLIDAY, Kind.MAKEUP_WORKDAY)

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date", "kind"], name="calendar_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class DeadlineRecompute(models.Model):
    """A calendar change whose running deadlines are still to be recomputed.

    Written in the transaction of the change, so the request survives a broker that was
    down when the task was queued, or a worker killed mid-run: the task queued on commit
    and the periodic one both work off the pending rows (recompute.recompute_requested).
    """

    first_day = models.DateField()
    last_day = models.DateField()
    requested_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["id"], name="deadline_recompute_pending", condition=Q(done_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_day}–{self.last_day}"
