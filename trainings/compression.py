"""Compress text responses for clients that accept gzip: participants open these pages on
mobile data in remote regions. (Behind a proxy that compresses, set `app.compress = false`.)

A gzipped representation is not the same bytes as the plain one, so it gets its own entity
tag (RFC 9110, 8.8.3): the tween appends `-gzip` to the ETag of what it compresses. Views that
answer `If-None-Match` themselves (the calendar feeds) accept both tags (`matches_etag`); a
304 to a client that holds the gzipped copy carries the gzipped copy's tag."""
import re

from .settings import as_bool

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
MINIMUM_SIZE = 1024
GZIP_ETAG_SUFFIX = "-gzip"
_ENTITY_TAG = re.compile(r'^(W/)?"([^"]*)"$')


def gzip_etag(opaque_tag: str) -> str:
    """The opaque tag of the gzipped variant of the representation tagged `opaque_tag`."""
    return opaque_tag + GZIP_ETAG_SUFFIX


def matches_etag(request, opaque_tag: str) -> bool:
    """Whether the request's If-None-Match names this representation, plain or gzipped."""
    tags = request.if_none_match
    return opaque_tag in tags or gzip_etag(opaque_tag) in tags


def _gzipped_etag_header(header: str) -> str | None:
    match = _ENTITY_TAG.match(header.strip())
    if match is None:
        return None
    weak, opaque_tag = match.groups()
    return f'{weak or ""}"{gzip_etag(opaque_tag)}"'


def _vary_on_encoding(response) -> None:
    response.vary = tuple(sorted({*(response.vary or ()), "Accept-Encoding"}))


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
        accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        if (
            accepts_gzip
            and response.content_encoding is None
            and (response.content_type or "").startswith(COMPRESSIBLE)
            and request.method != "HEAD"
            and response.status_int == 200
            and (response.content_length is None or response.content_length >= MINIMUM_SIZE)
        ):
            _read_and_close(response)
            response.encode_content("gzip", lazy=False)
            _vary_on_encoding(response)
            tagged = _gzipped_etag_header(response.headers.get("ETag", ""))
            if tagged is not None:
                response.headers["ETag"] = tagged
        elif accepts_gzip and response.status_int == 304 and "ETag" in response.headers:
            # The client holds the gzipped copy when that is the tag it sent: confirm that one.
            match = _ENTITY_TAG.match(response.headers["ETag"].strip())
            if match is not None and gzip_etag(match.group(2)) in request.if_none_match:
                response.headers["ETag"] = _gzipped_etag_header(response.headers["ETag"])
                _vary_on_encoding(response)
        return response

    return compression_tween


def includeme(config):
    config.add_tween("trainings.compression.compression_tween_factory")
