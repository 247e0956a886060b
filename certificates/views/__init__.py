"""Thin views of the certificates package."""
from pyramid.response import Response


def pdf_response(body: bytes, filename: str, *, inline: bool = True) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(body=body, content_type="application/pdf",
                    content_disposition=f'{disposition}; filename="{filename}"',
                    cache_control="private, no-store")
