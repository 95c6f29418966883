"""Photos are read through their order's scope, on the page and in the API, and are
stored under a name of their own (the original might name the owner)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anju.servicedesk.models import WorkOrder

JPEG = b"\xff\xd8\xff\xe0 a small jpeg"


@pytest.fixture
def photographed(accept, settings, tmp_path) -> WorkOrder:
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("张三13800138000.JPG", JPEG, content_type="image/jpeg")
    return accept(photos=[photo])


def photo_page(order: WorkOrder) -> str:
    photo = order.attachments.get()
    return reverse("servicedesk:photo", args=[order.pk, photo.pk])


def test_the_photo_is_stored_under_a_name_of_its_own(photographed):
    name = photographed.attachments.get().file.name
    assert name.startswith("work_orders/") and name.endswith(".jpg")
    assert "13800138000" not in name and "张三" not in name


def test_the_order_page_shows_the_photo_through_its_order(client, desk, photographed):
    client.force_login(desk)
    page = client.get(reverse("servicedesk:detail", args=[photographed.pk]))
    assert photo_page(photographed) in page.content.decode()
    response = client.get(photo_page(photographed))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert "private" in response["Cache-Control"]
    assert "13800138000" not in response["Content-Disposition"]


def test_a_photo_outside_the_users_projects_is_404(
    client, make_user, other_project, project, photographed
):
    stranger = make_user("front_desk", projects=[other_project])
    client.force_login(stranger)
    assert client.get(photo_page(photographed)).status_code == 404
    client.force_login(make_user(None, projects=[project]))  # no permission to view orders
    assert client.get(photo_page(photographed)).status_code == 403
    client.logout()
    assert client.get(photo_page(photographed)).status_code == 302  # to the login


def test_a_photo_of_another_order_is_404(client, desk, accept, photographed):
    other = accept()
    photo = photographed.attachments.get()
    client.force_login(desk)
    assert client.get(reverse("servicedesk:photo", args=[other.pk, photo.pk])).status_code == 404


def test_the_api_gives_the_photo_by_its_api_address(
    api_client_for, desk, make_user, other_project, photographed
):
    api = api_client_for(desk)
    detail = api.get(f"/api/v1/work-orders/{photographed.pk}/").json()
    [photo] = detail["photos"]
    assert photo["file"].endswith(f"/api/v1/work-orders/{photographed.pk}/photos/{photo['id']}/")
    response = api.get(photo["file"], HTTP_ACCEPT="image/*")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    stranger = api_client_for(make_user("front_desk", projects=[other_project]))
    missing = stranger.get(photo["file"], HTTP_ACCEPT="image/*")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_nothing_serves_the_media_folder(client, desk, photographed, settings):
    client.force_login(desk)
    name = photographed.attachments.get().file.name
    assert settings.MEDIA_URL == "/media/"
    assert client.get(f"{settings.MEDIA_URL}{name}").status_code == 404


def test_an_order_id_that_is_not_a_number_is_404(api_client_for, desk):
    api = api_client_for(desk)
    response = api.get("/api/v1/work-orders/abc/photos/1/", HTTP_ACCEPT="image/*")
    assert response.status_code == 404
