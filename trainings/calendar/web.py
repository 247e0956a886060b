"""What the feed views share: absolute links, translated labels, the conditional answer (304)
and the `ics` renderer. Used by this package's views and by the personal feeds of the
participants package."""
from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from icalendar import Calendar
from pyramid.httpexceptions import HTTPNotFound, HTTPNotModified

from ..compression import matches_etag
from ..i18n import _
from ..i18n import format_datetime as format_datetime_local
from ..mail import localizer_for
from . import ics
from .cache import BodyCache
from .feeds import Feed, FeedDocument, FeedNotFound, FeedVersion, Rendering, feed_document, feed_version, rendering_key

CONTENT_TYPE = "text/calendar"
PUBLIC_CACHE_CONTROL = "public, max-age=900"
# Personal feeds: never stored by shared caches, always revalidated (cheaply, with the ETag).
PRIVATE_CACHE_CONTROL = "private, no-cache"


def public_url(request) -> str:
    """The site's address as the world sees it (feeds and emails outlive the request's Host)."""
    return (request.registry.settings.get("app.public_url") or request.application_url).rstrip("/")


def absolute_url(request, route_name: str, **kw) -> str:
    return request.route_url(route_name, _app_url=public_url(request), **kw)


def webcal_url(url: str) -> str:
    """The same address with the webcal scheme, which opens the calendar program to subscribe."""
    parts = urlsplit(url)
    return urlunsplit(("webcal", *parts[1:]))


def download_url(url: str) -> str:
    return f"{url}?{urlencode({'download': '1'})}"


def google_subscribe_url(url: str) -> str:
    return "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal_url(url)})


def outlook_subscribe_url(url: str, name: str, office365: bool = False) -> str:
    host = "outlook.office.com" if office365 else "outlook.live.com"
    return f"https://{host}/calendar/0/addfromweb?" + urlencode({"url": url, "name": name}, quote_via=quote)


def training_page_url(request, training) -> str | None:
    """The public page of a training (the scheduling package's `training` route)."""
    if not request.has_route("training"):
        return None
    return absolute_url(request, "training", id=training.id)


def calendar_options(request, language: str, name: str, **kw) -> ics.CalendarOptions:
    localizer = localizer_for(request, language)
    labels = ics.Labels(speakers=localizer.translate(_("Speakers")),
                        more=localizer.translate(_("More information")))
    return ics.CalendarOptions(name=name, labels=labels,
                               training_url=lambda training: training_page_url(request, training), **kw)


def rendering(request, language: str, name, extra_key: tuple = (), **kw) -> Rendering:
    """How a feed is written for this request. `name` (a string, or a callable giving one, so
    that nothing is loaded for a feed served from cache) is translated in `language`."""

    def options() -> ics.CalendarOptions:
        title = name() if callable(name) else name
        return calendar_options(request, language, localizer_for(request, language).translate(title), **kw)

    return Rendering(options=options, language=language, public_url=public_url(request), extra_key=extra_key)


def body_cache(request) -> BodyCache:
    return request.registry["calendar.cache"]


def is_not_modified(request, version: FeedVersion) -> bool:
    """RFC 9110: If-None-Match decides when present; If-Modified-Since only without it."""
    if request.headers.get("If-None-Match"):
        return matches_etag(request, version.etag)  # the plain or the gzipped copy
    since = request.if_modified_since
    return bool(since and version.last_modified and version.last_modified <= since)


def caching_headers(version: FeedVersion, private: bool) -> dict:
    headers = {"ETag": f'"{version.etag}"',
               "Cache-Control": PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL,
               "Vary": "Accept-Language, Cookie"}
    if version.last_modified is not None:
        headers["Last-Modified"] = format_datetime(version.last_modified, usegmt=True)
    return headers


def serve_feed(request, feed: Feed, how: Rendering, filename: str, private: bool = False):
    """A 304 when the client has this version already, else the (cached) document."""
    try:
        version = feed_version(request.dbsession, feed, rendering_key(how))
    except FeedNotFound:
        raise HTTPNotFound() from None
    if is_not_modified(request, version):
        return HTTPNotModified(headers=caching_headers(version, private))
    return feed_document(request.dbsession, feed, how, body_cache(request), filename=filename,
                         private=private, version=version)


class ICSRenderer:
    """`renderer="ics"`: writes a FeedDocument (with its caching headers) or a Calendar."""

    def __init__(self, info):
        self.info = info

    def __call__(self, value, system) -> bytes:
        request = system["request"]
        response = request.response
        response.content_type = CONTENT_TYPE
        response.charset = "utf-8"
        if isinstance(value, FeedDocument):
            body, filename = value.body, value.filename
            response.headers.update(caching_headers(value.version, value.private))
            if value.private:
                response.headers["X-Robots-Tag"] = "noindex, nofollow"
                response.headers["Referrer-Policy"] = "no-referrer"
        elif isinstance(value, Calendar):
            body, filename = value.to_ical(), "calendar.ics"
        else:
            raise TypeError(f"the ics renderer cannot write {type(value).__name__}")
        disposition = "attachment" if request.params.get("download") else "inline"
        response.content_disposition = f'{disposition}; filename="{filename}"'
        return body


class FeedLinks:
    """Every way to get one feed: subscribe (webcal, Google, Outlook), or download once."""

    def __init__(self, url: str, name: str):
        self.url, self.name = url, name
        self.webcal = webcal_url(url)
        self.download = download_url(url)
        self.google = google_subscribe_url(url)
        self.outlook = outlook_subscribe_url(url, name)
        self.office365 = outlook_subscribe_url(url, name, office365=True)


def feed_links(request, route_name: str, name: str, **kw) -> FeedLinks:
    return FeedLinks(absolute_url(request, route_name, **kw), name)


def _utc_stamp(instant) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


class SessionLinks:
    """One-off "add this session" links, for people who would rather not subscribe: the event
    is copied into their calendar and does not follow later changes."""

    def __init__(self, request, session):
        training = session.training
        title, place = ics.summary(session), ics.location(session)
        page = training_page_url(request, training) or ""
        self.title = session.title
        self.when = format_datetime_local(request, session.starts_at, training.region.timezone, "short")
        self.download = download_url(absolute_url(request, "calendar_session", id=session.id))
        self.google = "https://calendar.google.com/calendar/render?" + urlencode({
            "action": "TEMPLATE", "text": title,
            "dates": f"{_utc_stamp(session.starts_at)}/{_utc_stamp(session.ends_at)}",
            "details": page, "location": place, "ctz": training.region.timezone,
        })
        outlook = {"path": "/calendar/action/compose", "rru": "addevent", "subject": title,
                   "startdt": session.starts_at.astimezone(dt.UTC).isoformat(),
                   "enddt": session.ends_at.astimezone(dt.UTC).isoformat(), "body": page, "location": place}
        self.outlook = "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(outlook, quote_via=quote)
        self.office365 = "https://outlook.office.com/calendar/0/deeplink/compose?" + urlencode(outlook,
                                                                                              quote_via=quote)


def session_links(request, session) -> SessionLinks:
    return SessionLinks(request, session)
