"""Calendars: iCalendar feeds of the schedule (sessions, trainings, regions, programmes, all),
served cheaply to pollers, and the builder that invites by email reuse. See docs/calendar.md."""
from ..i18n import _
from ..security import Permission
from .cache import BodyCache
from .web import ICSRenderer, feed_links, session_links


def includeme(config):
    config.registry["calendar.cache"] = BodyCache()
    config.add_renderer("ics", ICSRenderer)
    config.add_route("calendar_session", r"/calendar/sessions/{id:\d+}.ics")
    config.add_route("calendar_training", r"/calendar/trainings/{id:\d+}.ics")
    config.add_route("calendar_region", r"/calendar/regions/{id:\d+}.ics")
    config.add_route("calendar_programme", r"/calendar/programmes/{id:\d+}.ics")
    config.add_route("calendar_all", "/calendar/all.ics")
    config.add_route("organiser_training_calendar", r"/organiser/trainings/{id:\d+}/calendar",
                     factory=".views.TrainingCalendarResource")
    config.add_training_tab("organiser_training_calendar", _("Calendar"), Permission.read, order=50)
    environment = config.get_jinja2_environment(".jinja2")
    environment.globals.update(calendar_feed_links=feed_links, calendar_session_links=session_links)
