"""Work-order photos: stored under a random name, served only through the order's scope.

Nothing serves the media folder (or the bucket) to the browser directly: a photo is read
through its order, with the same permission and project scope as the order page (404
outside it), on the page (session) and in the API (bearer token). The original file name
is not kept: an owner's name or phone in it would otherwise be stored and shown.
"""

import json
import mimetypes
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.http import FileResponse, Http404
from django.utils import timezone
from rest_framework.renderers import BaseRenderer


def photo_upload_to(instance: Any, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"work_orders/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def photo_response(photo: Any) -> FileResponse:
    """The photo's bytes from the storage (local folder or object storage), inline."""
    name = photo.file.name
    try:
        handle = photo.file.storage.open(name, "rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404 from missing
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    download_name = f"{photo.work_order.number}-{photo.pk}{PurePosixPath(name).suffix}"
    response = FileResponse(handle, content_type=content_type, filename=download_name)
    response["Cache-Control"] = "private, max-age=3600"
    return response


class AnyMediaRenderer(BaseRenderer):
    """Lets a client that accepts only images (Accept: image/*) reach the photo action:
    the photo is a FileResponse, which no renderer touches; an error body is JSON."""

    media_type = "*/*"
    format = "any"
    charset = None

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return b"" if data is None else json.dumps(data, ensure_ascii=False).encode()
