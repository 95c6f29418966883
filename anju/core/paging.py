"""Pagers for lists that can hold a million rows."""

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.formats import number_format
from django_tables2 import RequestConfig, Table


class CappedPaginator(Paginator):
    """Counts a list's rows up to ANJU_LIST_COUNT_CAP only (django-tables2 and the API).

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
        rows = self.object_list  # a QuerySet (the API), or django-tables2's BoundRows
        queryset = (
            rows
            if isinstance(rows, QuerySet)
            else getattr(getattr(rows, "data", None), "data", None)
        )
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


def order_and_page(
    request: HttpRequest,
    table: Table,
    *,
    per_page: int | None = None,
    paginator_class: type[Paginator] = CappedPaginator,
) -> Table:
    """Sort a table as ?sort= asks and show the ?page= asked for (the first or the last
    page when that is not one), at our page size whatever the URL says: django-tables2's
    RequestConfig takes ?per_page= from the URL, where a negative one was a server error
    and a huge one rendered ten thousand rows on every poll."""
    RequestConfig(request, paginate=False).configure(table)
    size = per_page or int(settings.ANJU_PAGE_SIZE)
    page = request.GET.get(table.prefixed_page_field, 1)
    try:
        table.paginate(paginator_class=paginator_class, per_page=size, page=page)
    except PageNotAnInteger:
        table.page = table.paginator.page(1)
    except EmptyPage:
        table.page = table.paginator.page(table.paginator.num_pages)
    return table


class FixedPageSizeMixin:
    """For django-tables2's SingleTableMixin: the table is paged by order_and_page, at
    the view's page size (table_pagination or paginate_by)."""

    request: HttpRequest

    def get_table(self, **kwargs: Any) -> Table:
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)  # type: ignore[attr-defined]
        options = self.get_table_pagination(table)  # type: ignore[attr-defined]
        if options is False:
            return RequestConfig(self.request, paginate=False).configure(table)
        return order_and_page(
            self.request,
            table,
            per_page=options.get("per_page"),
            paginator_class=options.get("paginator_class", Paginator),
        )
