"""Acting on many registrations at once: ticks on the registrations tab, a confirmation page
that says how many and who, all or nothing; messages to registrants by status."""
from sqlalchemy import select

from participants.models import RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_of
from trainings.models import Language, OutboxMessage


def tab(app, training):
    return app.get(f"/organiser/trainings/{training.id}/registrations")


def bulk(app, training, page, **values):
    return app.post(f"/organiser/trainings/{training.id}/registrations/bulk",
                    {"csrf_token": csrf_token_of(page), **values}, expect_errors=True)


def test_the_tab_offers_ticks_and_select_all_on_the_page(organiser_app, dbsession):
    training = factories.TrainingFactory()
    registration = factories.RegistrationFactory(training=training, status=RegistrationStatus.pending)
    page = tab(organiser_app, training)
    assert f'name="registration" value="{registration.id}" form="bulk"' in page.text
    assert "data-tick-all" in page.text and 'id="bulk"' in page.text


def test_bulk_approval_confirms_how_many_and_who_then_approves_them_all(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=10, requires_approval=True)
    pending = [factories.RegistrationFactory(training=training, status=RegistrationStatus.pending,
                                             person=factories.PersonFactory(family_names=f"Quispe {n}"))
               for n in range(3)]
    page = tab(organiser_app, training)
    confirm = bulk(organiser_app, training, page, action="approve",
                   registration=[str(r.id) for r in pending])
    assert confirm.status_int == 200
    assert "Se aprobarán 3 inscripciones" in confirm.text
    assert all(r.person.full_name in confirm.text for r in pending)
    assert all(r.status == RegistrationStatus.pending for r in pending)  # nothing done yet
    done = confirm.forms["bulk-confirm"].submit("confirm").follow()
    assert "3 inscripciones aprobadas." in done.text
    assert {r.status for r in pending} == {RegistrationStatus.confirmed}
    assert len(dbsession.scalars(select(OutboxMessage)).all()) >= 3


def test_bulk_action_is_all_or_nothing(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=10, requires_approval=True)
    pending = factories.RegistrationFactory(training=training, status=RegistrationStatus.pending)
    already = factories.PersonFactory(given_names="Ya", family_names="Confirmada")
    confirmed = factories.RegistrationFactory(training=training, status=RegistrationStatus.confirmed, person=already)
    page = tab(organiser_app, training)
    refused = bulk(organiser_app, training, page, action="approve", confirm="1",
                   registration=[str(pending.id), str(confirmed.id)])
    assert refused.status_int == 400 and "No se hizo nada" in refused.text and "Ya Confirmada" in refused.text
    assert pending.status == RegistrationStatus.pending
    other_training = factories.TrainingFactory()
    foreign = factories.RegistrationFactory(training=other_training, status=RegistrationStatus.pending)
    nothing = bulk(organiser_app, training, page, action="approve", registration=[str(foreign.id)])
    assert "Marque al menos una inscripción." in nothing.text  # another training's registration is ignored
    assert foreign.status == RegistrationStatus.pending


def test_bulk_cancel_and_move(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=10)
    target = factories.TrainingFactory(capacity=10, title="Taller de Puno")
    first, second = factories.RegistrationFactory.create_batch(2, training=training)
    training.confirmed_count = 2
    page = tab(organiser_app, training)
    confirm = bulk(organiser_app, training, page, action="move", registration=[str(first.id), str(second.id)])
    form = confirm.forms["bulk-confirm"]
    form["target"] = str(target.id)
    form.submit("confirm").follow()
    assert {first.status, second.status} == {RegistrationStatus.cancelled}
    assert target.confirmed_count == 2
    third = factories.RegistrationFactory(training=training)
    page = tab(organiser_app, training)
    bulk(organiser_app, training, page, action="cancel", confirm="1", registration=[str(third.id)])
    assert third.status == RegistrationStatus.cancelled


def test_a_message_to_everyone_waiting_in_their_language_escaped_with_a_preview(organiser_app, dbsession):
    training = factories.TrainingFactory(title="Taller de Tacna")
    spanish = factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted,
                                            person=factories.PersonFactory(family_names="Apaza"))
    english = factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted,
                                            person=factories.PersonFactory(family_names="Brown",
                                                                           preferred_language=Language.en))
    factories.RegistrationFactory(training=training)  # confirmed: not written to
    page = tab(organiser_app, training)
    form = page.forms["write-by-status"]
    form["status"] = "waitlisted"
    confirm = form.submit()
    assert "2 personas recibirán este mensaje" in confirm.text
    write = confirm.forms["bulk-confirm"]
    write["subject"], write["body"] = "Aviso <importante>", "Traigan su DNI <b>original</b>."
    previewed = write.submit("preview")
    assert "Traigan su DNI &lt;b&gt;original&lt;/b&gt;." in previewed.text and "<b>original</b>" not in previewed.text
    assert dbsession.scalars(select(OutboxMessage)).all() == []
    previewed.forms["bulk-confirm"].submit("confirm").follow()
    mails = {mail.recipients: mail for mail in dbsession.scalars(select(OutboxMessage))}
    assert set(mails) == {spanish.person.email, english.person.email}
    assert mails[spanish.person.email].subject == "Aviso <importante> — Taller de Tacna"
    assert "&lt;b&gt;original&lt;/b&gt;" in mails[spanish.person.email].body_html
    assert "<b>original" not in mails[spanish.person.email].body_html
    assert mails[english.person.email].body_text.startswith("Hello ")
    assert mails[spanish.person.email].body_text.startswith("Hola, ")


def test_an_empty_message_is_refused_and_nothing_queued(organiser_app, dbsession):
    training = factories.TrainingFactory()
    registration = factories.RegistrationFactory(training=training)
    page = tab(organiser_app, training)
    refused = bulk(organiser_app, training, page, action="email", confirm="1", registration=[str(registration.id)],
                   subject=" ", body="")
    assert refused.status_int == 400 and dbsession.scalars(select(OutboxMessage)).all() == []


def test_the_reminder_is_stopped_and_resumed_for_the_registrations_ticked(organiser_app, dbsession):
    training = factories.TrainingFactory()
    quiet, other = (factories.RegistrationFactory(training=training, status=RegistrationStatus.confirmed)
                    for _ in range(2))
    page = tab(organiser_app, training)
    assert "Sin recordatorio</span>" not in page.text
    confirm = bulk(organiser_app, training, page, action="reminder_off", registration=[str(quiet.id)])
    assert "1 persona no recibirá el correo de recordatorio antes de la capacitación." in confirm.text
    assert quiet.emails_off is False  # nothing done before the confirmation
    done = confirm.forms["bulk-confirm"].submit("confirm").follow()
    assert "1 inscripción no recibirá el recordatorio." in done.text
    assert (quiet.emails_off, other.emails_off) == (True, False)
    assert done.text.count("Sin recordatorio</span>") == 1  # the row says so
    again = bulk(organiser_app, training, done, action="reminder_on", registration=[str(quiet.id)], confirm="1")
    assert again.status_int == 302 and quiet.emails_off is False
