"""Factories for test data. `bind(session)` points them all at the test's db session."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import factory
from factory.alchemy import SQLAlchemyModelFactory

from certificates import models as certificates
from participants import models as participants
from trainings import accounts
from trainings import models as schedule
from trainings.timezones import combine_local

ALL_FACTORIES: list[type[SQLAlchemyModelFactory]] = []


def bind(session) -> None:
    for factory_class in ALL_FACTORIES:
        factory_class._meta.sqlalchemy_session = session


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        ALL_FACTORIES.append(cls)


class UserFactory(BaseFactory):
    class Meta:
        model = schedule.User

    email = factory.Sequence(lambda n: f"organiser{n}@capacita.test")
    display_name = factory.Faker("name")
    role = schedule.UserRole.organiser

    class Params:
        password = "correct horse battery"

    password_hash = factory.LazyAttribute(lambda user: accounts.password_hasher.hash(user.password))

    @factory.post_generation
    def member_of(user, create, organisations, **kwargs):
        """An organiser is a member of the given organisations (`member_of=[(org, "viewer")]`),
        by default an organiser of the default organisation."""
        if user.role != schedule.UserRole.organiser:
            return
        session = UserFactory._meta.sqlalchemy_session
        if organisations is None:
            organisations = [(schedule.organisations.default_organisation(session), "organiser")]
        for organisation, role in organisations:
            user.memberships.append(schedule.Membership(organisation=organisation, role=role))
        session.flush()


class OrganisationFactory(BaseFactory):
    class Meta:
        model = schedule.Organisation

    name = factory.Sequence(lambda n: f"OIM Oficina {n}")


class RegionFactory(BaseFactory):
    class Meta:
        model = schedule.Region

    country = "PE"
    name = factory.Sequence(lambda n: f"Región {n}")
    city = factory.Sequence(lambda n: f"Ciudad {n}")
    timezone = "America/Lima"


class VenueFactory(BaseFactory):
    class Meta:
        model = schedule.Venue

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Auditorio {n}")
    address = "Av. Principal 123"


class ProgrammeFactory(BaseFactory):
    class Meta:
        model = schedule.Programme

    name = factory.Sequence(lambda n: f"Programa {n}")
    donor = "OIM"


class TrainingFactory(BaseFactory):
    class Meta:
        model = schedule.Training

    title = factory.Sequence(lambda n: f"Taller contra la trata {n}")
    kind = schedule.TrainingKind.workshop
    region = factory.SubFactory(RegionFactory)
    venue = factory.SubFactory(VenueFactory, region=factory.SelfAttribute("..region"))
    programme = factory.SubFactory(ProgrammeFactory)
    language = schedule.Language.es
    offered_languages = "es"
    capacity = 30
    status = schedule.TrainingStatus.published
    starts_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda training: training.starts_on + dt.timedelta(days=1))


class SessionFactory(BaseFactory):
    """A session on the training's first day, 09:00–11:00 local time unless told otherwise."""

    class Meta:
        model = schedule.TrainingSession

    training = factory.SubFactory(TrainingFactory)
    title = factory.Sequence(lambda n: f"Sesión {n}")

    class Params:
        day = None
        start = dt.time(9, 0)
        end = dt.time(11, 0)

    starts_at = factory.LazyAttribute(
        lambda s: combine_local(s.day or s.training.starts_on, s.start, s.training.region.timezone))
    ends_at = factory.LazyAttribute(
        lambda s: combine_local(s.day or s.training.starts_on, s.end, s.training.region.timezone))


class InstitutionFactory(BaseFactory):
    class Meta:
        model = participants.Institution

    name = factory.Sequence(lambda n: f"Fiscalía Provincial {n}")
    kind = participants.InstitutionKind.prosecution
    country = "PE"
    reviewed = True  # an institution of the programme's list; those typed by the public are not


class PersonFactory(BaseFactory):
    class Meta:
        model = participants.Person

    given_names = factory.Faker("first_name", locale="es_ES")
    family_names = factory.Faker("last_name", locale="es_ES")
    email = factory.Sequence(lambda n: f"persona{n}@mpfn.gob.pe")
    institution = factory.SubFactory(InstitutionFactory)
    country = "PE"
    sex = participants.Sex.female
    preferred_language = schedule.Language.es


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class RegistrationFactory(BaseFactory):
    class Meta:
        model = participants.Registration

    training = factory.SubFactory(TrainingFactory)
    person = factory.SubFactory(PersonFactory)
    role = participants.RegistrationRole.participant
    status = participants.RegistrationStatus.confirmed
    source = participants.RegistrationSource.web
    token_hash = factory.LazyFunction(lambda: token_hash(secrets.token_urlsafe(32)))


class CertificateFactory(BaseFactory):
    class Meta:
        model = certificates.Certificate

    registration = factory.SubFactory(RegistrationFactory)
    kind = certificates.CertificateKind.attendance
    serial = factory.Sequence(lambda n: f"PE-2026-{n:06d}")
    verification_code = factory.Sequence(lambda n: f"TEST-{n:08d}")
    language = schedule.Language.es
    # What it states, as the issuing service would fix it from the registration.
    given_names = factory.LazyAttribute(lambda o: o.registration.person.given_names)
    family_names = factory.LazyAttribute(lambda o: o.registration.person.family_names)
    training_title = factory.LazyAttribute(lambda o: o.registration.training.title)
    city = factory.LazyAttribute(lambda o: o.registration.training.region.city)
    country = factory.LazyAttribute(lambda o: o.registration.training.region.country)
    starts_on = factory.LazyAttribute(lambda o: o.registration.training.starts_on)
    ends_on = factory.LazyAttribute(lambda o: o.registration.training.ends_on)
    minutes = 480
