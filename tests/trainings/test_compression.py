import gzip

from webob import Request


def get(app, path, **headers):
    # Straight to the WSGI app: WebTest would decode the gzip body and drop the header.
    response = Request.blank(path, headers=headers).get_response(app)
    app_iter = response.app_iter
    response.body = b"".join(app_iter)
    getattr(app_iter, "close", lambda: None)()  # as a WSGI server does
    return response


def test_pages_and_static_files_are_gzipped_for_clients_that_accept_it(app):
    page = get(app, "/", **{"Accept-Encoding": "gzip, deflate"})
    assert page.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in page.headers["Vary"]
    assert b"Capacita" in gzip.decompress(page.body)
    css = get(app, "/static/deform/css/bootstrap.min.css", **{"Accept-Encoding": "gzip"})
    assert css.headers["Content-Encoding"] == "gzip" and len(css.body) < 40_000


def test_static_files_are_cached_for_a_year(app):
    assert "max-age=31536000" in get(app, "/static/app/capacita.css").headers["Cache-Control"]


def test_clients_without_gzip_get_plain_responses(app):
    assert "Content-Encoding" not in get(app, "/").headers


def test_a_gzipped_representation_gets_its_own_entity_tag():
    from trainings.compression import _gzipped_etag_header, gzip_etag

    assert gzip_etag("abc") == "abc-gzip"
    assert _gzipped_etag_header('"abc"') == '"abc-gzip"'
    assert _gzipped_etag_header('W/"abc"') == 'W/"abc-gzip"'
    assert _gzipped_etag_header("not a tag") is None
