"""Registering a person from a form: the registry, the registration rules and the email, in one
place for the public form and for organisers registering someone directly."""
from __future__ import annotations

from babel.dates import format_date

from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.models import Training
from trainings.resources import get_by_id
from trainings.services.catalogue import accepts_registrations

from . import institutions
from .confirmation import send_confirmation_mail
from .models import Institution, InstitutionKind, Person, Registration, RegistrationRole, RegistrationSource, Sex
from .notifications import private_link, send_registration_mail
from .registrations import AlreadyRegistered, institution_places_contested, institution_quota_refusal, register
from .registry import PersonDetails, upsert_person


def institution_from_values(dbsession, values: dict, *, reviewed_only: bool = False) -> Institution | None:
    """The institution chosen in the list, or the one typed (found or created, not reviewed);
    the public form may only choose reviewed ones, as only those are offered to it."""
    chosen = (values.get("institution") or "").strip()
    if chosen:
        institution = get_by_id(dbsession, Institution, chosen)
        if institution is None or (reviewed_only and not institution.reviewed):
            raise FieldErrors({"institution": _("Choose an institution from the list.")})
        return institution
    name = (values.get("new_institution") or "").strip()
    if not name:
        return None
    kind = values.get("new_institution_kind") or InstitutionKind.other.value
    institution, _created = institutions.find_or_create(dbsession, name, values.get("country") or None,
                                                        InstitutionKind(kind))
    return institution


def details_from_values(dbsession, values: dict, *, public: bool = False) -> PersonDetails:
    return PersonDetails(
        given_names=values["given_names"], family_names=values["family_names"],
        email=values.get("email") or None, sex=Sex(values["sex"]) if values.get("sex") else None,
        position=values.get("position", ""),
        institution=institution_from_values(dbsession, values, reviewed_only=public),
        country=values.get("country") or None, preferred_language=values.get("preferred_language") or None,
        id_document=values.get("id_document") or None,
        home_region=" ".join((values.get("home_region") or "").split()), year_of_birth=values.get("year_of_birth"),
    )


def _check_institution_quota(dbsession, training: Training, institution: Institution | None) -> None:
    """The public form refuses a registration beyond the training's quota per institution (the
    organisers, who set it, can still register more people directly)."""
    refusal = institution_quota_refusal(dbsession, training, institution)
    if refusal is not None:
        raise FieldErrors({"institution": refusal})


def _warn_if_contested(request, training: Training, institution: Institution | None, person: Person) -> None:
    """Told now rather than after confirming: colleagues who signed up first may take the places."""
    if institution_places_contested(request.dbsession, training, institution, person):
        request.session.flash(request.localizer.translate(_(
            "Colleagues from ${institution} signed up before you and have not confirmed their address yet. "
            "This training takes ${count} per institution: the places go to those who confirm first.",
            mapping={"institution": institution.name, "count": training.institution_quota})), "warning")


def register_from_form(request, training: Training, values: dict, *, source=RegistrationSource.web,
                       role=RegistrationRole.participant, notify: bool = True) -> tuple[Registration, str]:
    """Upsert the person the form describes and register them; queue their email."""
    dbsession = request.dbsession
    public = source == RegistrationSource.web
    if public:
        if training.registration_closed():
            raise FieldErrors({None: _("Registration for this training closed on ${date}.", mapping={
                "date": format_date(training.registration_deadline, "long", locale=request.locale_name)})})
        if not accepts_registrations(training):
            raise FieldErrors({None: _("This training does not accept registrations.")})
        if not values.get("institution") and not (values.get("new_institution") or "").strip():
            raise FieldErrors({"institution": _("Choose your institution, or type its name.")})
    details = details_from_values(dbsession, values, public=public)
    if public:  # before anything is written
        _check_institution_quota(dbsession, training, details.institution)
    person, _created = upsert_person(dbsession, details, trusted=source != RegistrationSource.web)
    organiser = source == RegistrationSource.organiser
    try:
        registration, token = register(request, training, person, role=role, source=source, consent=public,
                                       approved=organiser, notify=notify, verify_email=public)
    except AlreadyRegistered as error:
        if organiser:
            raise FieldErrors({None: _("This person is already registered for this training.")}) from error
        raise FieldErrors({None: _("You are already registered for this training. If you lost the email "
                                   "with your private link, ask for it again below.")}) from error
    if public:
        send_confirmation_mail(request, registration, private_link(request, token))
        _warn_if_contested(request, training, details.institution, person)
    elif notify:
        send_registration_mail(request, registration, token, reason="organiser" if organiser else "registered")
    return registration, token


def register_directly(request, training: Training, values: dict, person=None) -> tuple[Registration, str]:
    """An organiser registers someone in any role: `person` when chosen from the registry (their
    details updated with what the form says), else the person the details describe."""
    role = RegistrationRole(values.get("role") or RegistrationRole.participant.value)
    notify = bool(values.get("send_email"))
    if person is None:
        return register_from_form(request, training, values, source=RegistrationSource.organiser, role=role,
                                  notify=notify)
    details = details_from_values(request.dbsession, values)
    for name, value in vars(details).items():
        if value not in (None, "") and name not in {"email", "id_document"}:
            setattr(person, name, value.strip() if isinstance(value, str) else value)
    try:
        registration, token = register(request, training, person, role=role, source=RegistrationSource.organiser,
                                       approved=True, notify=notify)
    except AlreadyRegistered as error:
        raise FieldErrors({None: _("This person is already registered for this training.")}) from error
    if notify:
        send_registration_mail(request, registration, token, reason="organiser")
    return registration, token
