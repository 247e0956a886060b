"""Demonstration data for the schedule: the regions of Peru and Paraguay, a high-level
seminar in Asunción and a Peruvian programme of workshops across the regions. Dates are
relative to today so that the demo always has trainings past, current and to come."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from .models import (
    Language,
    Organisation,
    Programme,
    Region,
    Training,
    TrainingKind,
    TrainingSession,
    TrainingStatus,
    Venue,
    utcnow,
)
from .timezones import combine_local

DATA = Path(__file__).parent / "demo_data"

ASUNCION_SEMINAR = "Seminario de alto nivel: respuesta del Ministerio Público frente a la trata de personas"
ASUNCION_SESSIONS = [
    # (day offset, start, end, title, topic, room)
    (0, "09:00", "10:30", "Reintegración y asistencia a víctimas",
     "Protocolos de atención integral y coordinación entre instituciones públicas y privadas.", "Salón Guaraní"),
    (0, "11:00", "12:30", "Trata de personas en zonas de frontera",
     "Rutas en la Triple Frontera y cooperación entre fiscalías de la región.", "Salón Guaraní"),
    (1, "09:00", "10:30", "Investigación sobre trata con fines de explotación laboral",
     "Resultados de investigación en América Central y lecciones para Sudamérica.", "Salón Guaraní"),
    (1, "11:00", "12:30", "Evaluación de riesgos en la investigación",
     "Seguridad de víctimas y testigos durante la investigación y el proceso penal.", "Salón Guaraní"),
]

WORKSHOP_SESSIONS = [
    (0, "09:00", "10:45", "Marco normativo contra la trata de personas", "Ley 28950 y su reglamento; delitos conexos."),
    (0, "11:00", "13:00", "Identificación de víctimas", "Indicadores, entrevista y derivación."),
    (1, "09:00", "10:45", "Investigación y persecución del delito", "Técnicas especiales y trabajo con la policía."),
    (1, "11:00", "13:00", "Atención y protección de víctimas", "Rutas de atención y coordinación regional."),
]

REGIONAL_WORKSHOP = "Taller regional de capacitación contra la trata de personas"

# (region, city venue, address, months from now, kind, title)
PERU_TRAININGS = [
    ("Lima", "Escuela del Ministerio Público", "Av. Abancay cdra. 5, Cercado de Lima", -2, TrainingKind.course,
     "Curso de especialización para fiscales en trata de personas"),
    ("Cusco", "Auditorio de la Junta de Fiscales", "Av. de la Cultura 734", -1, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Loreto", "Centro de Convenciones de Iquitos", "Calle Putumayo 381", 0, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Piura", "Auditorio del Gobierno Regional", "Av. San Ramón s/n, Urb. San Eduardo", 0, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Madre de Dios", "Auditorio Municipal de Tambopata", "Jr. Piura 580", 1, TrainingKind.workshop,
     "Trata de personas y minería ilegal: taller para operadores de justicia"),
    ("Puno", "Auditorio de la Universidad Andina", "Jr. Ayacucho 128, Juliaca", 1, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Tacna", "Auditorio de la Corte Superior", "Av. Bolognesi 1020", 2, TrainingKind.workshop,
     "Trata de personas en zonas de frontera: taller binacional"),
    ("Cajamarca", "Auditorio de la Municipalidad de Jaén", "Jr. Bolívar 1300, Jaén", 2, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Ucayali", "Auditorio del Gobierno Regional", "Jr. Raymondi 220, Pucallpa", 3, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Ayacucho", "Centro Cultural de Huamanga", "Portal Unión 37", 3, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("La Libertad", "Auditorio del Colegio de Abogados", "Av. España 1125, Trujillo", 4, TrainingKind.workshop,
     "Explotación laboral y trata: taller para inspectores y fiscales"),
    ("Arequipa", "Auditorio de la Junta de Fiscales", "Calle Jerusalén 212", 4, TrainingKind.workshop,
     "Taller regional de capacitación contra la trata de personas"),
    ("Lima", "Escuela del Ministerio Público", "Av. Abancay cdra. 5, Cercado de Lima", 5, TrainingKind.conference,
     "Encuentro nacional de fiscales especializados en trata de personas"),
]

# Where the map link of a venue's public page points (only venues whose position is known).
VENUE_COORDINATES = {
    ("Lima", "Escuela del Ministerio Público"): (-12.0553, -77.0318),
    ("Cusco", "Auditorio de la Junta de Fiscales"): (-13.5226, -71.9673),
    ("Arequipa", "Auditorio de la Junta de Fiscales"): (-16.3989, -71.5350),
}

PERU_DESCRIPTION = (
    "Dos jornadas para fiscales, policías y personal de los ministerios y de la sociedad civil de la región: "
    "marco legal, identificación de víctimas, investigación y protección. Organizado por el Ministerio Público "
    "con apoyo de la OIM."
)


PERU_OFFICE, PARAGUAY_OFFICE = "OIM Perú", "OIM Paraguay"


def load_organisations(dbsession) -> dict[str, Organisation]:
    """The two country offices of the demo; Peru's comes first, so it is the default one (of the
    trainings the other packages' demos add)."""
    found = {organisation.name: organisation for organisation in dbsession.scalars(select(Organisation))}
    for name in (PERU_OFFICE, PARAGUAY_OFFICE):
        if name not in found:
            found[name] = Organisation(name=name)
            dbsession.add(found[name])
            dbsession.flush()
    return found


def load(request) -> None:
    dbsession = request.dbsession
    organisations = load_organisations(dbsession)
    regions = load_regions(dbsession)
    today = dt.date.today()
    _belong_to(organisations[PARAGUAY_OFFICE], [add_asuncion_seminar(dbsession, regions, today)])
    trainings = add_peru_programme(dbsession, regions, today)
    trainings.append(add_cancelled_workshop(dbsession, regions, trainings[0].programme, today))
    _belong_to(organisations[PERU_OFFICE], trainings)
    dbsession.flush()


def _belong_to(organisation: Organisation, trainings: list[Training]) -> None:
    for training in trainings:
        training.organisation = organisation
        for owned in (training.programme, training.venue):
            if owned is not None:
                owned.organisation = organisation


def load_regions(dbsession) -> dict[str, Region]:
    existing = {(region.country, region.name): region for region in dbsession.scalars(select(Region))}
    with open(DATA / "regions.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["country"], row["region"])
            if key not in existing:
                existing[key] = Region(country=row["country"], name=row["region"], city=row["city"],
                                       timezone=row["timezone"])
                dbsession.add(existing[key])
    return {name: region for (country, name), region in existing.items()}


def _first_weekday(day: dt.date, weekday: int = 1) -> dt.date:
    """The first `weekday` (Tuesday by default) on or after `day`."""
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _sessions(training: Training, plan, zone) -> list[TrainingSession]:
    sessions = []
    for position, (offset, start, end, title, topic, *room) in enumerate(plan):
        day = training.starts_on + dt.timedelta(days=offset)
        sessions.append(TrainingSession(
            title=title, topic=topic, position=position, room=room[0] if room else "Sala principal",
            starts_at=combine_local(day, dt.time.fromisoformat(start), zone),
            ends_at=combine_local(day, dt.time.fromisoformat(end), zone),
        ))
    return sessions


def add_asuncion_seminar(dbsession, regions, today) -> Training:
    programme = Programme(
        name="Paraguay: fortalecimiento del Ministerio Público contra la trata",
        donor="OIM — Fondo para el Desarrollo", starts_on=today.replace(month=1, day=1),
        description="Cooperación entre el Ministerio Público del Paraguay y la OIM para la persecución del "
                    "delito de trata de personas y la atención a víctimas.",
    )
    region = regions["Asunción"]
    venue = Venue(region=region, name="Centro de Convenciones del Ministerio Público",
                  address="Nuestra Señora de la Asunción 737, Asunción", latitude=-25.2816, longitude=-57.6356)
    starts_on = _first_weekday(today + dt.timedelta(days=21), weekday=3)
    seminar = Training(
        title=ASUNCION_SEMINAR, kind=TrainingKind.seminar, programme=programme, region=region, venue=venue,
        language=Language.es, offered_languages="es en", capacity=120, requires_approval=True,
        status=TrainingStatus.published, published_at=utcnow(), starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=1),
        description="Encuentro de fiscales generales, fiscales especializados y expertos de la OIM de la región "
                    "para analizar la respuesta del Ministerio Público frente a la trata de personas: "
                    "reintegración de víctimas, fronteras, investigación y evaluación de riesgos.",
    )
    seminar.sessions = _sessions(seminar, ASUNCION_SESSIONS, region.zone)
    dbsession.add(seminar)
    return seminar


def add_peru_programme(dbsession, regions, today) -> list[Training]:
    programme = Programme(
        name="Perú: capacitación regional contra la trata de personas",
        donor="OIM y Departamento de Estado", starts_on=today.replace(month=1, day=1),
        description="Cincuenta talleres en doce regiones del Perú para fiscales, policías y funcionarios "
                    "que enfrentan la trata de personas.",
    )
    venues: dict[tuple[str, str], Venue] = {}
    trainings = []
    for number, (region_name, venue_name, address, months, kind, title) in enumerate(PERU_TRAININGS):
        region = regions[region_name]
        venue = venues.get((region_name, venue_name))
        if venue is None:
            latitude, longitude = VENUE_COORDINATES.get((region_name, venue_name), (None, None))
            venue = venues[(region_name, venue_name)] = Venue(region=region, name=venue_name, address=address,
                                                              latitude=latitude, longitude=longitude)
        starts_on = _first_weekday(_add_months(today, months) + dt.timedelta(days=3 * number % 9))
        status = TrainingStatus.draft if months >= 5 else TrainingStatus.published
        if title == REGIONAL_WORKSHOP:
            title = f"{title} — {region.name}"
        training = Training(
            title=title,
            kind=kind, programme=programme, region=region, venue=venue, language=Language.es,
            offered_languages="es", capacity=40 if kind == TrainingKind.workshop else 80,
            status=status, published_at=utcnow() if status == TrainingStatus.published else None,
            starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=1), description=PERU_DESCRIPTION,
        )
        training.sessions = _sessions(training, WORKSHOP_SESSIONS, region.zone)
        dbsession.add(training)
        trainings.append(training)
    return trainings


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    return dt.date(day.year + month_index // 12, month_index % 12 + 1, 1)


def add_cancelled_workshop(dbsession, regions, programme, today) -> Training:
    """A cancelled workshop, as the public and organisers see one: still listed, marked, with
    its reason, its timetable kept."""
    region = regions["Ica"]
    venue = Venue(region=region, name="Auditorio de la Cámara de Comercio de Ica", address="Av. San Martín 1097")
    starts_on = _first_weekday(_add_months(today, 1) + dt.timedelta(days=12))
    training = Training(
        title=f"{REGIONAL_WORKSHOP} — Ica", kind=TrainingKind.workshop, programme=programme, region=region,
        venue=venue, language=Language.es, offered_languages="es", capacity=40, status=TrainingStatus.cancelled,
        published_at=utcnow(), cancelled_at=utcnow(), starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=1),
        description=PERU_DESCRIPTION,
        cancel_reason="Postergado por el paro regional de transportes. Anunciaremos una nueva fecha en cuanto "
                      "las vías estén habilitadas.",
    )
    training.sessions = _sessions(training, WORKSHOP_SESSIONS, region.zone)
    dbsession.add(training)
    return training
