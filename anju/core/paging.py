"""Pagers for lists that can hold a million rows."""

from functools import cached_property

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.formats import number_format


class CappedPaginator(Paginator):
    """Counts a list's rows up to ANJU_LIST_COUNT_CAP only, for django-tables2.

    An exact COUNT(*) reads every row the list could show (a million owners, a project's
    100,000 open orders) on every page and every poll; past the cap the count shows as
    "10,000+" and the pager ends at the cap. Filters narrow a list that long, and the
    export counts in full.
    """

    @property
    def cap(self) -> int:
        return int(settings.ANJU_LIST_COUNT_CAP)

    @cached_property
    def _counted(self) -> int:
        """The rows up to cap + 1: one more than the cap tells that there are more."""
        rows = self.object_list  # django-tables2's BoundRows over its TableQuerysetData
        queryset = getattr(getattr(rows, "data", None), "data", None)
        if not isinstance(queryset, QuerySet):
            return len(rows)
        # Only the keys: a sliced count is a subquery that would otherwise keep the list's
        # annotations (computed for every counted row) and its ORDER BY.
        return queryset.order_by().values("pk")[: self.cap + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    @property
    def cap_label(self) -> str:
        return number_format(self.cap, force_grouping=True)
