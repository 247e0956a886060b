"""Compress text responses for clients that accept gzip: participants open these pages on
mobile data in remote regions. (Behind a proxy that compresses, set `app.compress = false`.)"""
from .settings import as_bool

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MINIMUM_SIZE = 1024


def _read_and_close(response) -> None:
    """Load the body and close its iterator (a static file's handle) before re-encoding it."""
    app_iter = response.app_iter
    try:
        response.body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()


def compression_tween_factory(handler, registry):
    if not as_bool(registry.settings.get("app.compress", True)):
        return handler

    def compression_tween(request):
        response = handler(request)
        if (
            "gzip" in request.headers.get("Accept-Encoding", "")
            and response.content_encoding is None
            and (response.content_type or "").startswith(COMPRESSIBLE)
            and request.method != "HEAD"
            and response.status_int == 200
            and (response.content_length is None or response.content_length >= MINIMUM_SIZE)
        ):
            _read_and_close(response)
            response.encode_content("gzip", lazy=False)
            response.vary = tuple(sorted({*(response.vary or ()), "Accept-Encoding"}))
        return response

    return compression_tween


def includeme(config):
    config.add_tween("trainings.compression.compression_tween_factory")
