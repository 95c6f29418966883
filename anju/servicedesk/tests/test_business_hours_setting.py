"""A bad ANJU_BUSINESS_HOURS stops the process at start, saying what is wrong."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from anju.servicedesk.apps import _check_business_hours


@pytest.mark.parametrize(
    ("periods", "says"),
    [
        (["09:00-12:00", "11:00-13:00"], "overlap"),
        (["18:00-08:30"], "end after it starts"),
        (["9点到12点"], "not a period"),
        ([], "at least one period"),
    ],
)
def test_bad_business_hours_are_refused_at_start(settings, periods, says):
    settings.ANJU_BUSINESS_HOURS = periods
    with pytest.raises(ImproperlyConfigured, match=says):
        _check_business_hours()


def test_the_default_business_hours_start(settings):
    settings.ANJU_BUSINESS_HOURS = ["08:30-12:00", "13:30-18:00"]
    _check_business_hours()
