"""An organiser plans trainings through the web forms: create a workshop in Lima with four
sessions, publish it, duplicate it to Cusco next month; bad input is refused next to the field,
in the organiser's language, and nothing is written."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token_of
from trainings.models import Training, TrainingSession, TrainingStatus
from trainings.timezones import utc_to_local

START = dt.date.today() + dt.timedelta(days=14)


@pytest.fixture
def lima(dbsession):
    region = factories.RegionFactory(name="Lima", city="Lima", timezone="America/Lima")
    factories.VenueFactory(region=region, name="Escuela del Ministerio Público")
    return region


@pytest.fixture
def cusco(dbsession):
    return factories.RegionFactory(name="Cusco", city="Cusco", timezone="America/Lima")


def count(dbsession, model) -> int:
    return dbsession.scalar(select(func.count()).select_from(model))


def fill_training(form, region, **values):
    form["title"] = values.get("title", "Taller regional contra la trata de personas")
    form["kind"] = "workshop"
    form["region_id"] = str(region.id)
    form["starts_on"] = values.get("starts_on", START.isoformat())
    form["ends_on"] = values.get("ends_on", (START + dt.timedelta(days=1)).isoformat())
    form["capacity"] = values.get("capacity", "40")
    if "registration_deadline" in values:
        form["registration_deadline"] = values["registration_deadline"]
    return form


def add_session(app, training, title, day, start, end, room="Aula 1", status=302, then=None):
    form = app.get(f"/organiser/trainings/{training.id}/sessions/new").forms["form"]
    form["title"], form["day"], form["start"], form["end"], form["room"] = title, day.isoformat(), start, end, room
    if then:  # the "add and add another" button, which the page's script adds next to the submit button
        return app.post(form.action or f"/organiser/trainings/{training.id}/sessions/new",
                        dict(form.submit_fields(), then=then), status=status)
    return form.submit("submit", status=status)


def test_create_a_workshop_with_four_sessions_publish_and_duplicate(organiser_app, dbsession, lima, cusco):
    dashboard = organiser_app.get("/organiser")
    new = dashboard.click(href="/organiser/trainings/new", index=0)
    response = fill_training(new.forms["form"], lima).submit("submit")
    training = dbsession.scalars(select(Training).order_by(Training.id.desc())).first()
    assert training.status == TrainingStatus.draft and training.region == lima
    assert response.location.endswith(f"/organiser/trainings/{training.id}/sessions/new")
    # The session form suggests the first slot; then the next free one after each session.
    suggested = response.follow().forms["form"]
    assert suggested["day"].value == START.isoformat() and suggested["start"].value.startswith("09:00")
    second_day = START + dt.timedelta(days=1)
    again = add_session(organiser_app, training, "Bienvenida", START, "08:30", "09:00", then="another")
    assert again.location.endswith(f"/organiser/trainings/{training.id}/sessions/new")
    assert again.follow().forms["form"]["start"].value.startswith("09:00")  # the next free slot
    training.sessions[0].cancelled = True  # the welcome is dropped again; four sessions remain
    for title, day, start, end in [("Marco normativo", START, "09:00", "10:45"),
                                   ("Identificación de víctimas", START, "11:00", "13:00"),
                                   ("Investigación y persecución", second_day, "09:00", "10:45"),
                                   ("Atención y protección", second_day, "11:00", "13:00")]:
        add_session(organiser_app, training, title, day, start, end)
    overview = organiser_app.get(f"/organiser/trainings/{training.id}")
    assert "Resumen" in overview.text  # the overview tab
    live = [s for s in training.sessions if not s.cancelled]
    assert [utc_to_local(s.starts_at, "America/Lima").strftime("%d %H:%M") for s in live] == [
        f"{START:%d} 09:00", f"{START:%d} 11:00", f"{second_day:%d} 09:00", f"{second_day:%d} 11:00"]
    overview.forms[[k for k, f in overview.forms.items() if "publish" in f.action][0]].submit().follow()
    assert training.status == TrainingStatus.published
    assert "Marco normativo" in organiser_app.get(f"/trainings/{training.id}").text
    # Duplicate to Cusco, the same weekday next month.
    target = START + dt.timedelta(days=28)
    duplicate = organiser_app.get(f"/organiser/trainings/{training.id}/duplicate").forms["form"]
    duplicate["region_id"], duplicate["starts_on"] = str(cusco.id), target.isoformat()
    copy_page = duplicate.submit("submit").follow()
    copy = dbsession.scalars(select(Training).order_by(Training.id.desc())).first()
    assert copy.region == cusco and copy.status == TrainingStatus.draft and copy.ends_on == target + dt.timedelta(1)
    assert [utc_to_local(s.starts_at, "America/Lima").strftime("%H:%M") for s in copy.sessions] == \
        ["09:00", "11:00", "09:00", "11:00"]
    assert "Duplicada como borrador" in copy_page.text


def test_bad_training_input_is_refused_in_spanish(organiser_app, dbsession, lima):
    before = count(dbsession, Training)
    form = fill_training(organiser_app.get("/organiser/trainings/new").forms["form"], lima, capacity="0",
                         ends_on=(START - dt.timedelta(days=1)).isoformat())
    page = form.submit("submit", status=400)
    assert "La capacidad debe ser de al menos 1." in page.text
    assert count(dbsession, Training) == before


def test_bad_training_input_is_refused_in_english(organiser_app, dbsession, lima):
    organiser_app.set_cookie("_LOCALE_", "en")
    form = fill_training(organiser_app.get("/organiser/trainings/new").forms["form"], lima,
                         ends_on=(START - dt.timedelta(days=1)).isoformat())
    page = form.submit("submit", status=400)
    assert "The training must end on or after the day it starts." in page.text
    other = factories.VenueFactory()
    form = fill_training(organiser_app.get("/organiser/trainings/new").forms["form"], lima)
    form["venue_id"] = str(other.id)
    assert "This venue is not in the chosen region." in form.submit("submit", status=400).text


def test_bad_session_input_is_refused_next_to_the_field(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, venue=lima.venues[0], starts_on=START,
                                         ends_on=START + dt.timedelta(days=1), status=TrainingStatus.draft)
    page = add_session(organiser_app, training, "Sesión", START, "11:00", "10:00", status=400)
    assert "La sesión debe terminar después de empezar." in page.text
    page = add_session(organiser_app, training, "Sesión", START + dt.timedelta(days=5), "09:00", "10:00", status=400)
    assert "Elija un día entre" in page.text
    add_session(organiser_app, training, "Primera", START, "09:00", "10:00")
    other = factories.TrainingFactory(region=lima, venue=lima.venues[0], starts_on=START, ends_on=START)
    page = add_session(organiser_app, other, "Choque", START, "09:30", "10:30", room="aula 1", status=400)
    assert "Esta sala ya está reservada para «Primera»" in page.text
    organiser_app.set_cookie("_LOCALE_", "en")
    page = add_session(organiser_app, training, "Sesión", START, "11:00", "10:00", status=400)
    assert "The session must end after it starts." in page.text
    assert count(dbsession, TrainingSession) == 1


def test_a_nonexistent_local_time_gets_a_field_error(organiser_app, dbsession):
    madrid = factories.RegionFactory(country="ES", timezone="Europe/Madrid")
    day = dt.date(2026, 3, 29)
    training = factories.TrainingFactory(region=madrid, starts_on=day, ends_on=day, venue=None)
    page = add_session(organiser_app, training, "Madrugada", day, "02:30", "04:00", status=400)
    assert "Esta hora no existe en Europe/Madrid" in page.text


def test_edit_cancel_and_delete_sessions(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, venue=None, starts_on=START, ends_on=START,
                                         status=TrainingStatus.published)
    session = factories.SessionFactory(training=training, title="Marco normativo")
    form = organiser_app.get(f"/organiser/sessions/{session.id}/edit").forms["form"]
    assert form["start"].value.startswith("09:00")
    form["start"] = "09:30"
    form.submit("submit").follow()
    assert session.sequence == 1
    assert utc_to_local(session.starts_at, "America/Lima").strftime("%H:%M") == "09:30"
    overview = organiser_app.get(f"/organiser/trainings/{training.id}")
    assert "/delete" not in overview.text  # published: cancel, never delete
    assert "data-confirm=" in overview.text  # one click would email everyone: it asks first
    organiser_app.post(f"/organiser/sessions/{session.id}/cancel", {"csrf_token": csrf_token_of(overview)})
    assert session.cancelled and session.sequence == 2
    assert "Cancelada" in organiser_app.get(f"/trainings/{training.id}").text
    draft = factories.TrainingFactory(region=lima, starts_on=START, ends_on=START, status=TrainingStatus.draft)
    doomed = factories.SessionFactory(training=draft)
    page = organiser_app.get(f"/organiser/trainings/{draft.id}")
    organiser_app.post(f"/organiser/sessions/{doomed.id}/delete", {"csrf_token": csrf_token_of(page)})
    assert dbsession.get(TrainingSession, doomed.id) is None


def test_cancel_a_training_keeps_its_registrations(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, starts_on=START)
    factories.SessionFactory(training=training)
    registration = factories.RegistrationFactory(training=training)
    form = organiser_app.get(f"/organiser/trainings/{training.id}/cancel").forms["form"]
    form["reason"] = "Paro regional de transportes"
    form.submit("submit").follow()
    assert training.status == TrainingStatus.cancelled and training.cancel_reason == "Paro regional de transportes"
    assert registration.training is training and dbsession.get(type(registration), registration.id) is not None


def test_publishing_without_sessions_is_refused(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, status=TrainingStatus.draft)
    page = organiser_app.get(f"/organiser/trainings/{training.id}")
    response = organiser_app.post(f"/organiser/trainings/{training.id}/publish",
                                  {"csrf_token": csrf_token_of(page)}).follow()
    assert "Agregue al menos una sesión antes de publicar." in response.text
    assert training.status == TrainingStatus.draft


def test_edit_a_training_and_capacity_below_confirmed(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, venue=None, capacity=30, confirmed_count=25)
    form = organiser_app.get(f"/organiser/trainings/{training.id}/edit").forms["form"]
    assert form["title"].value == training.title
    form["capacity"] = "20"
    assert "participantes ya confirmados (25)" in form.submit("submit", status=400).text
    form["capacity"] = "50"
    form["title"] = "Título nuevo"
    form.submit("submit").follow()
    assert (training.capacity, training.title) == (50, "Título nuevo")


def test_organiser_pages_need_a_login_and_unknown_ids_are_404(testapp, organiser_app, dbsession):
    organiser_app.get("/organiser/trainings/999999", status=404)
    organiser_app.get("/organiser/sessions/999999/edit", status=404)
    organiser_app.post("/logout", {"csrf_token": csrf_token_of(organiser_app.get("/organiser"))})
    assert testapp.get("/organiser/trainings/new").status_int == 302


def test_only_administrators_touch_regions_and_their_time_zones(organiser_app, dbsession, lima):
    organiser_app.get("/organiser/regions/new", status=403)
    organiser_app.get(f"/organiser/regions/{lima.id}/edit", status=403)
    assert "/organiser/regions/new" not in organiser_app.get("/organiser/regions").text
    assert "/organiser/venues/new" in organiser_app.get("/organiser/regions").text


def test_regions_venues_and_programmes(admin_app, dbsession):
    organiser_app = admin_app
    form = admin_app.get("/organiser/regions/new").forms["form"]
    form["country"], form["name"], form["city"], form["timezone"] = "PY", "Itapúa", "Encarnación", "America/Asuncio"
    assert "No es una zona horaria IANA conocida" in form.submit("submit", status=400).text
    form["timezone"] = "America/Asuncion"
    listing = form.submit("submit").follow()
    assert "Itapúa" in listing.text and "America/Asuncion" in listing.text
    venue_form = organiser_app.get("/organiser/venues/new").forms["form"]
    venue_form["region_id"] = venue_form["region_id"].options[-1][0]
    venue_form["name"], venue_form["address"] = "Centro Cultural", "Calle Mariscal Estigarribia 1"
    assert "Centro Cultural" in venue_form.submit("submit").follow().text
    programme_form = organiser_app.get("/organiser/programmes/new").forms["form"]
    programme_form["name"], programme_form["donor"] = "Programa 2027", "OIM"
    programme_form["starts_on"], programme_form["ends_on"] = "2027-06-01", "2027-01-01"
    assert "El programa debe terminar" in programme_form.submit("submit", status=400).text
    programme_form["ends_on"] = "2027-12-31"
    assert "Programa 2027" in programme_form.submit("submit").follow().text


def test_dashboard_and_month_view(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(title="Taller de Piura", region=lima, starts_on=START,
                                         ends_on=START + dt.timedelta(days=1), capacity=40, confirmed_count=3)
    factories.SessionFactory(training=training, title="Sesión inaugural")
    for _ in range(3):
        factories.RegistrationFactory(training=training)
    factories.RegistrationFactory(training=training, status="waitlisted")
    page = organiser_app.get("/organiser")
    assert "Taller de Piura" in page.text and "Sesión inaugural" in page.text
    assert ">37<" in page.text  # places left
    month = organiser_app.get(f"/organiser/calendar?month={START:%Y-%m}")
    assert month.text.count("Taller de Piura") >= 1
    assert organiser_app.get("/organiser/calendar?month=nonsense").status_int == 200


def test_reorder_swaps_two_sessions_and_refuses_a_speaker_clash(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, venue=None, starts_on=START, ends_on=START)
    first = factories.SessionFactory(training=training, title="Primera", start=dt.time(9), end=dt.time(10))
    second = factories.SessionFactory(training=training, title="Segunda", start=dt.time(10), end=dt.time(11))
    page = organiser_app.get(f"/organiser/trainings/{training.id}")
    organiser_app.post(f"/organiser/sessions/{second.id}/move", {"csrf_token": csrf_token_of(page),
                                                               "direction": "up"}).follow()
    assert [s.title for s in sorted(training.sessions, key=lambda s: s.starts_at)] == ["Segunda", "Primera"]
    # A speaker of "Primera" busy elsewhere at 09:00 blocks moving it back there.
    from trainings.models import SessionSpeaker
    busy = factories.PersonFactory(given_names="Rosa", family_names="Benítez")
    first.speakers.append(SessionSpeaker(person=busy))
    elsewhere = factories.SessionFactory(training__starts_on=START, start=dt.time(8, 30), end=dt.time(9, 30))
    elsewhere.speakers.append(SessionSpeaker(person=busy))
    dbsession.flush()
    response = organiser_app.post(f"/organiser/sessions/{first.id}/move",
                                  {"csrf_token": csrf_token_of(page), "direction": "up"}).follow()
    assert "Rosa Benítez ya interviene" in response.text
    assert utc_to_local(first.starts_at, "America/Lima").hour == 10


@pytest.mark.parametrize("typed", ["100001", "99999999999"])
def test_capacity_has_a_sane_maximum(organiser_app, dbsession, lima, typed):
    before = count(dbsession, Training)
    form = organiser_app.get("/organiser/trainings/new").forms["form"]
    response = fill_training(form, lima, capacity=typed).submit("submit", status=400)
    assert "La capacidad puede ser de 100 000 plazas como máximo." in response.text.replace("\u00a0", " ")
    assert count(dbsession, Training) == before
    form = organiser_app.get("/organiser/trainings/new").forms["form"]
    assert fill_training(form, lima, capacity="100000").submit("submit").status_int == 302


@pytest.mark.parametrize(("language", "typed", "places"), [("es", "1.000", 1000), ("en", "1,000", 1000),
                                                         ("fr", "1 000", 1000), ("es", "1500", 1500)])
def test_places_are_typed_as_people_write_numbers_in_their_language(organiser_app, dbsession, lima,
                                                                    language, typed, places):
    organiser_app.set_cookie("_LOCALE_", language)
    form = organiser_app.get("/organiser/trainings/new").forms["form"]
    assert form["capacity"].attrs.get("inputmode") == "numeric"  # the digits keyboard on a phone
    fill_training(form, lima, title=f"Taller de {typed}", capacity=typed).submit("submit", status=302)
    assert dbsession.query(Training).filter_by(title=f"Taller de {typed}").one().capacity == places


def test_a_misplaced_group_is_not_taken_for_a_bigger_number(organiser_app, dbsession, lima):
    before = count(dbsession, Training)
    form = organiser_app.get("/organiser/trainings/new").forms["form"]
    refused = fill_training(form, lima, capacity="1.5").submit("submit", status=400)
    assert "no es un número" in refused.text and count(dbsession, Training) == before
    form = organiser_app.get("/organiser/trainings/new").forms["form"]
    half = fill_training(form, lima, capacity="2,5").submit("submit", status=400)  # a decimal comma
    assert "Escriba un número entero." in half.text and count(dbsession, Training) == before


def test_a_draft_is_deleted_after_confirmation(organiser_app, dbsession, lima):
    draft = factories.TrainingFactory(region=lima, status=TrainingStatus.draft, title="Borrador duplicado por error")
    factories.SessionFactory(training=draft)
    page = organiser_app.get(f"/organiser/trainings/{draft.id}")
    confirmation = page.click(href=f"/organiser/trainings/{draft.id}/delete")
    assert count(dbsession, Training) == 1  # asking deletes nothing
    listing = confirmation.forms["form"].submit("submit").follow()
    assert "Se eliminó el borrador." in listing
    assert count(dbsession, Training) == 0 and count(dbsession, TrainingSession) == 0


def test_a_published_training_or_a_draft_with_registrations_is_not_deleted(organiser_app, dbsession, lima):
    published = factories.TrainingFactory(region=lima, status=TrainingStatus.published)
    page = organiser_app.get(f"/organiser/trainings/{published.id}")
    assert f"/organiser/trainings/{published.id}/delete" not in page.text
    form = organiser_app.get(f"/organiser/trainings/{published.id}/delete").forms["form"]
    assert "cancele una capacitación publicada" in form.submit("submit", status=400)
    draft = factories.TrainingFactory(region=lima, status=TrainingStatus.draft)
    factories.RegistrationFactory(training=draft)
    form = organiser_app.get(f"/organiser/trainings/{draft.id}/delete").forms["form"]
    assert "tiene inscripciones (1)" in form.submit("submit", status=400)
    assert count(dbsession, Training) == 2


def test_every_training_error_shows_in_one_round_listed_at_the_top_and_linked_to_its_field(
        organiser_app, dbsession, lima):
    organiser_app.set_cookie("_LOCALE_", "en")
    other = factories.VenueFactory()
    form = fill_training(organiser_app.get("/organiser/trainings/new").forms["form"], lima, title="",
                         ends_on=(START - dt.timedelta(days=1)).isoformat())
    form["venue_id"] = str(other.id)
    page = form.submit("submit", status=400)
    # The form's own check (the title) and the schedule's rules (dates, venue) at once.
    assert "Required" in page.text
    assert "The training must end on or after the day it starts." in page.text
    assert "This venue is not in the chosen region." in page.text
    summary = page.html.find(id="error-summary")
    links = {link["href"]: link.get_text() for link in summary.find_all("a")}
    assert len(links) == 3 and "Correct these 3 fields:" in summary.get_text()
    for href in links:
        field = page.html.find(id=href[1:])
        assert field["aria-invalid"] == "true" and page.html.find(id=field["aria-describedby"]) is not None
    # With a field the form itself refuses, the rules between the days still show at once.
    form = fill_training(organiser_app.get("/organiser/trainings/new").forms["form"], lima, capacity="many",
                         registration_deadline=(START + dt.timedelta(days=30)).isoformat())
    page = form.submit("submit", status=400)
    assert "Registration must close on or before the training's last day." in page.text


def test_every_session_error_shows_in_one_round(organiser_app, dbsession, lima):
    training = factories.TrainingFactory(region=lima, venue=lima.venues[0], starts_on=START,
                                         ends_on=START + dt.timedelta(days=1), status=TrainingStatus.draft)
    page = add_session(organiser_app, training, "", START + dt.timedelta(days=5), "09:00", "10:00", status=400)
    summary = page.html.find(id="error-summary")
    assert "Corrija estos 2 campos:" in summary.get_text()
    assert "Título: Requerido" in summary.get_text() and "Día: Elija un día entre" in summary.get_text()
    assert len(summary.find_all("a")) == 2


def test_the_month_fits_a_phone_and_lists_its_trainings_whole(organiser_app, dbsession, lima):
    factories.TrainingFactory(title="Taller de Piura", region=lima, starts_on=START,
                              ends_on=START + dt.timedelta(days=1))
    month = organiser_app.get(f"/organiser/calendar?month={START:%Y-%m}")
    table = month.html.find("table", class_="calendar-month")
    assert "min-width" not in (table.get("style") or "")  # seven columns within a phone's width
    assert len(table.find("thead").find_all("th")) == 7
    phone_list = month.html.find("ul", class_="d-sm-none")
    assert [item.get_text(" ", strip=True).count("Taller de Piura") for item in phone_list.find_all("li")] == [1]


def test_organiser_tables_become_cards_on_a_phone(organiser_app, dbsession):
    training = factories.TrainingFactory()
    factories.RegistrationFactory(training=training, status="pending")
    page = organiser_app.get(f"/organiser/trainings/{training.id}/registrations")
    table = page.html.find("table", class_="registrations-table")
    assert "table-cards" in table["class"]
    assert [cell["data-label"] for cell in table.find("tbody").find_all("td", attrs={"data-label": True})] == [
        "Institución", "Rol", "Origen", "Inscrito el"]
    from pathlib import Path

    import trainings

    css = (Path(trainings.__file__).parent / "static" / "capacita.css").read_text()
    assert ".table-cards td[data-label]::before" in css and "max-width: 575.98px" in css
