"""Speakers and moderators of a session: organisers pick a person of the registry or create one
in place. Lives here because persons belong to this package; the timetable rule (nobody speaks
in two overlapping sessions anywhere in the programme) is the schedule's own."""
from __future__ import annotations

import colander
import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config
from sqlalchemy.orm import Session

from trainings.events import TrainingPublished
from trainings.forms import CSRFSchema, FieldErrors, make_form
from trainings.i18n import _
from trainings.labels import SPEAKER_ROLE, choices
from trainings.models import SessionSpeaker, SpeakerRole, TrainingSession
from trainings.resources import SessionContext, get_by_id
from trainings.security import Permission
from trainings.services.schedule import speaker_conflict, speaker_conflict_message
from trainings.views import flash_refusal, form_page

from .institutions import institution_named
from .models import Person, RegistrationRole, RegistrationSource
from .people import search_people
from .registrations import AlreadyRegistered, register
from .registry import PersonDetails, normalise_email, upsert_person
from .scoping import people_scope

SEARCH_LIMIT = 20


# --- rules -------------------------------------------------------------------------------------

def assign_speaker(dbsession: Session, session: TrainingSession, person: Person, role: str) -> SessionSpeaker:
    if any(speaker.person_id == person.id for speaker in session.speakers):
        raise FieldErrors({None: _("${name} is already in this session.", mapping={"name": person.full_name})})
    if not session.cancelled:
        conflict = speaker_conflict(dbsession, [person.id], session.starts_at, session.ends_at, [session.id])
        if conflict is not None:
            raise FieldErrors({None: speaker_conflict_message(conflict)})
    speaker = SessionSpeaker(person=person, role=SpeakerRole(role))
    session.speakers.append(speaker)
    dbsession.flush()
    return speaker


def register_as_speaker(request, session: TrainingSession, speaker: SessionSpeaker) -> None:
    """A speaker or moderator is registered for the training in that role (taking no place):
    they then appear in its registrations, attendance and certificates, and earn their
    certificate. Someone already registered keeps their registration and role."""
    try:
        register(request, session.training, speaker.person, role=RegistrationRole(speaker.role.value),
                 source=RegistrationSource.organiser, approved=True)
    except AlreadyRegistered:
        pass


def register_the_speakers(event: TrainingPublished) -> None:
    """Speakers copied with a duplicated training (or assigned any other way) are registered
    when it is published."""
    for session in event.training.sessions:
        if not session.cancelled:
            for speaker in session.speakers:
                register_as_speaker(event.request, session, speaker)


def remove_speaker(dbsession: Session, session: TrainingSession, speaker_id: int) -> None:
    for speaker in session.speakers:
        if speaker.id == speaker_id:
            session.speakers.remove(speaker)
            dbsession.flush()
            return
    raise HTTPNotFound()


def create_and_assign(dbsession: Session, session: TrainingSession, values: dict) -> SessionSpeaker:
    country = session.training.region.country
    details = PersonDetails(
        given_names=values["given_names"], family_names=values["family_names"],
        email=normalise_email(values["email"]), position=values["position"],
        institution=institution_named(dbsession, values["institution"], country), country=country,
    )
    person, _created = upsert_person(dbsession, details)
    try:
        return assign_speaker(dbsession, session, person, values["role"])
    except FieldErrors as refusal:
        raise FieldErrors({"role" if None in refusal.errors else key: message
                           for key, message in refusal.errors.items()}) from None


# --- forms -------------------------------------------------------------------------------------

@colander.deferred
def _role_widget(node, kw):
    return deform.widget.RadioChoiceWidget(values=choices(SPEAKER_ROLE), inline=True)


class NewSpeakerSchema(CSRFSchema):
    given_names = colander.SchemaNode(colander.String(), title=_("Given names"), validator=colander.Length(max=150))
    family_names = colander.SchemaNode(colander.String(), title=_("Family names"), validator=colander.Length(max=150))
    email = colander.SchemaNode(colander.String(), title=_("Email"), missing="",
                                validator=colander.Email(_("Not a valid email address.")),
                                description=_("If the registry already knows this email, that person is used."))
    institution = colander.SchemaNode(colander.String(), title=_("Institution"), missing="",
                                      validator=colander.Length(max=250))
    position = colander.SchemaNode(colander.String(), title=_("Position"), missing="",
                                   validator=colander.Length(max=200))
    role = colander.SchemaNode(colander.String(), title=_("Role"), default="speaker", widget=_role_widget,
                               validator=colander.OneOf([role.value for role in SpeakerRole]))


# --- views -------------------------------------------------------------------------------------

def _edit_page(request, session) -> str:
    return request.route_path("session_edit", id=session.id)


@view_config(route_name="session_speakers", context=SessionContext, renderer="participants/speakers/search.jinja2",
             permission=Permission.manage)
def speakers_search(context, request):
    session = context.session
    if request.method == "POST":
        person = get_by_id(request.dbsession, Person, request.POST.get("person_id"))
        role = request.POST.get("role", "speaker")
        if person is None or role not in SpeakerRole.__members__:
            raise HTTPNotFound()
        try:
            register_as_speaker(request, session, assign_speaker(request.dbsession, session, person, role))
        except FieldErrors as refusal:
            flash_refusal(request, refusal)
        else:
            request.session.flash(request.localizer.translate(
                _("${name} added.", mapping={"name": person.full_name})), "success")
        return HTTPFound(location=_edit_page(request, session))
    text = request.params.get("q", "").strip()
    return {"session": session, "training": session.training, "q": text,
            "people": search_people(request.dbsession, text, limit=SEARCH_LIMIT,
                                                scope=people_scope(request)) if text else []}


@view_config(route_name="session_speaker_new", context=SessionContext,
             renderer="participants/speakers/new.jinja2", permission=Permission.manage)
def speaker_new(context, request):
    session = context.session
    form = make_form(request, NewSpeakerSchema(), submit_label=_("Add to the session"))

    def create(values):
        register_as_speaker(request, session, create_and_assign(request.dbsession, session, values))
        return _edit_page(request, session)

    return form_page(request, form, create, appstruct={"role": "speaker"}, success_message=_("Speaker added."),
                     page={"session": session, "training": session.training})


@view_config(route_name="session_speaker_remove", context=SessionContext, request_method="POST",
             permission=Permission.manage)
def speaker_remove(context, request):
    raw = request.matchdict.get("speaker_id", "")
    remove_speaker(request.dbsession, context.session, int(raw))
    request.session.flash(request.localizer.translate(_("Removed from the session.")), "success")
    return HTTPFound(location=_edit_page(request, context.session))


def includeme(config):
    config.add_subscriber(register_the_speakers, TrainingPublished)
    config.add_route("session_speakers", r"/organiser/sessions/{id:\d+}/speakers", factory=SessionContext)
    config.add_route("session_speaker_new", r"/organiser/sessions/{id:\d+}/speakers/new", factory=SessionContext)
    config.add_route("session_speaker_remove", r"/organiser/sessions/{id:\d+}/speakers/{speaker_id:\d+}/remove",
                     factory=SessionContext)
