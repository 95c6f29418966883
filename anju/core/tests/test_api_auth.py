"""Bearer-token authentication: one look-up per request, however many tokens the user has,
expired tokens refused and purged."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from anju.celery import app as celery_app
from anju.core.api import BearerTokenAuthentication
from anju.core.tasks import purge_expired_tokens
from anju.core.testing.fixtures import PASSWORD

pytestmark = pytest.mark.django_db


def _request(token: str):
    return APIRequestFactory().get("/api/v1/owners/", HTTP_AUTHORIZATION=f"Bearer {token}")


def _authenticate(token: str):
    return BearerTokenAuthentication().authenticate(_request(token))


@pytest.fixture
def desk(make_user):
    return make_user("front_desk")


@pytest.mark.parametrize("other_tokens", [0, 25])
def test_a_request_reads_its_token_and_user_in_one_statement(
    desk, other_tokens, django_assert_num_queries
):
    # given a user who logged in from many clients
    for _ in range(other_tokens):
        AuthToken.objects.create(desk)
    _row, token = AuthToken.objects.create(desk)
    # when a request presents one token, then one statement finds it with its user
    with django_assert_num_queries(1):
        user, _auth = _authenticate(token)
    assert user == desk


def test_an_expired_token_is_refused_and_deleted_and_the_others_are_left(desk):
    # given an expired token, another expired one, and a live one of the same user
    expired, expired_token = AuthToken.objects.create(desk, expiry=timedelta(seconds=-1))
    other_expired, _other = AuthToken.objects.create(desk, expiry=timedelta(seconds=-1))
    _live, live_token = AuthToken.objects.create(desk, expiry=timedelta(hours=1))
    # when the expired one is presented, then it is refused and deleted
    with pytest.raises(AuthenticationFailed):
        _authenticate(expired_token)
    assert not AuthToken.objects.filter(pk=expired.pk).exists()
    # and the other expired token waits for the purge; the live one still works
    assert AuthToken.objects.filter(pk=other_expired.pk).exists()
    assert _authenticate(live_token)[0] == desk


def test_the_purge_deletes_only_expired_tokens(desk):
    # given an expired, a live and a never-expiring token
    AuthToken.objects.create(desk, expiry=timedelta(seconds=-1))
    live, _a = AuthToken.objects.create(desk, expiry=timedelta(hours=1))
    forever, _b = AuthToken.objects.create(desk, expiry=None)
    # when the periodic job runs
    deleted = purge_expired_tokens()
    # then only the expired one is gone
    assert deleted == 1
    assert set(AuthToken.objects.values_list("pk", flat=True)) == {live.pk, forever.pk}
    assert all(t.expiry is None or t.expiry > timezone.now() for t in AuthToken.objects.all())


def test_the_purge_runs_daily_on_beat():
    assert celery_app.conf.beat_schedule["api-token-purge"]["task"] == "core.purge_expired_tokens"
    assert celery_app.conf.beat_schedule["api-token-purge"]["schedule"] == 24 * 3600
    assert "core.purge_expired_tokens" in celery_app.tasks


def test_tokens_last_until_revoked_unless_a_lifetime_is_set(client, desk, settings):
    # given the default: a token lasts until it is revoked
    def obtain() -> dict:
        answer = client.post(
            "/api/v1/auth/token",
            {"username": desk.username, "password": PASSWORD},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
        return answer.json()

    assert obtain()["expiry"] is None
    # when the deployment sets a lifetime (ANJU_API_TOKEN_TTL_HOURS=8)
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=8)}
    body = obtain()
    # then a new token expires after it
    expiry = datetime.fromisoformat(body["expiry"])
    assert abs(expiry - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)
    token = AuthToken.objects.get(digest__isnull=False, expiry__isnull=False)
    assert token.expiry == expiry
