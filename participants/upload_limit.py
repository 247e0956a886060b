"""Refuse an import upload whose declared size is over `import.max_bytes` before anything reads
its body (Pyramid's CSRF check would otherwise parse the whole form first)."""
from __future__ import annotations

import re

from pyramid.httpexceptions import HTTPRequestEntityTooLarge
from pyramid.tweens import EXCVIEW

from trainings.i18n import _

IMPORT_PATH = re.compile(r"^/organiser/trainings/\d+/import$")
MULTIPART_OVERHEAD = 64 * 1024  # the form's other fields and the part headers


def close_body(request):
    """WebOb spools a large body to a temporary file: close it as soon as the request ends."""
    body = request.environ.get("wsgi.input")
    if body is not None and hasattr(body, "close"):
        body.close()


def upload_limit_tween_factory(handler, registry):
    from .imports import max_bytes

    limit = max_bytes(registry.settings)

    def upload_limit_tween(request):
        if (request.method == "POST" and request.content_length
                and request.content_length > limit + MULTIPART_OVERHEAD and IMPORT_PATH.match(request.path)):
            request.add_finished_callback(close_body)
            raise HTTPRequestEntityTooLarge(detail=request.localizer.translate(
                _("The file is larger than ${size} MB.", mapping={"size": limit // (1024 * 1024)})))
        return handler(request)

    return upload_limit_tween


def includeme(config):
    config.add_tween("participants.upload_limit.upload_limit_tween_factory", under=EXCVIEW)
