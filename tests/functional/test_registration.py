import datetime as dt
import re

from sqlalchemy import select

from participants.models import Person, Registration, RegistrationStatus
from participants.tokens import hash_token
from tests import factories
from trainings.models import OutboxMessage, TrainingStatus, utcnow

LINK = re.compile(r"http://capacita\.test/me/([A-Za-z0-9_\-]+)")


def fill(form, **values):
    defaults = {"given_names": "Pilar", "family_names": "Rojas Castillo",
                "email": "pilar.rojas49@ministeriopublico.gov.py",
                "position": "Fiscal Adjunta", "sex": "female", "country": "PY", "preferred_language": "es",
                "id_document": "", "consent": True}
    defaults.update(values)
    for name, value in defaults.items():
        form[name] = value
    return form


def outbox(dbsession):
    return list(dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def confirm_address(testapp, dbsession, email=None):
    """Open the latest confirmation email (to `email`) and press its button, as the person would."""
    mails = [mail for mail in outbox(dbsession) if email is None or mail.recipients == email]
    token = LINK.search(mails[-1].body_text).group(1)
    page = testapp.get(f"/me/{token}")
    return page.forms[0].submit().follow()


def test_register_confirmation_page_and_email_with_private_link(testapp, dbsession):
    training = factories.TrainingFactory(capacity=10)
    institution = factories.InstitutionFactory(name="Ministerio Público", country="PY")
    page = testapp.get(f"/register/{training.id}")
    form = fill(page.forms["form"], institution=str(institution.id))
    done = form.submit("submit").follow()
    assert "Inscripción recibida" in done.text and "confirme" in done.text
    registration = dbsession.scalar(select(Registration).where(Registration.training_id == training.id))
    assert registration.status == RegistrationStatus.unverified and training.confirmed_count == 0
    [confirmation] = outbox(dbsession)
    assert "Pilar" in confirmation.body_text and training.title in confirmation.subject
    confirmed = confirm_address(testapp, dbsession)
    assert "Su plaza está confirmada" in confirmed.text
    assert registration.status == RegistrationStatus.confirmed and registration.consent_at is not None
    assert registration.person.institution is institution
    mail = outbox(dbsession)[-1]
    assert mail.recipients == "pilar.rojas49@ministeriopublico.gov.py" and mail.body_html
    token = LINK.search(mail.body_text).group(1)
    assert registration.token_hash == hash_token(token) and token not in registration.token_hash
    assert f"/me/{token}" in mail.body_html and training.title in mail.subject
    private = testapp.get(f"/me/{token}")
    assert "Pilar Rojas Castillo" in private.text and training.title in private.text


def test_new_institution_is_created_and_unknown_kind_refused(testapp, dbsession):
    training = factories.TrainingFactory()
    page = testapp.get(f"/register/{training.id}")
    form = fill(page.forms["form"], new_institution="Fiscalía Especializada de Itapúa",
                new_institution_kind="prosecution")
    form.submit("submit").follow()
    person = dbsession.scalar(select(Person).where(Person.email == "pilar.rojas49@ministeriopublico.gov.py"))
    assert person.institution.name == "Fiscalía Especializada de Itapúa" and person.institution.country == "PY"
    page = testapp.get(f"/register/{training.id}")
    form = fill(page.forms["form"], email="otra@x.org", new_institution="Nueva", new_institution_kind="prosecution")
    form.fields["new_institution_kind"][0].force_value("spaceship")
    refused = form.submit("submit", status=400)
    assert dbsession.scalar(select(Person).where(Person.email == "otra@x.org")) is None
    assert "spaceship" not in refused.text or "error" in refused.text


def test_bad_input_is_refused_and_nothing_written(testapp, dbsession):
    training = factories.TrainingFactory()
    cases = [{"email": "alberto.martinez89 at mpfn.gob.pe"}, {"family_names": ""}, {"given_names": "N" * 151},
             {"consent": False}, {"new_institution": ""}]
    for case in cases:
        page = testapp.get(f"/register/{training.id}")
        form = fill(page.forms["form"], new_institution="Ministerio del Interior")
        for name, value in case.items():
            form[name] = value
        form.submit("submit", status=400)
    assert dbsession.scalar(select(Registration).where(Registration.training_id == training.id)) is None
    assert outbox(dbsession) == []


def test_markup_in_names_is_stored_as_typed_and_shown_escaped(testapp, dbsession):
    training = factories.TrainingFactory()
    page = testapp.get(f"/register/{training.id}")
    fill(page.forms["form"], family_names="<script>alert(1)</script>", new_institution="X").submit("submit").follow()
    person = dbsession.scalar(select(Person).where(Person.email == "pilar.rojas49@ministeriopublico.gov.py"))
    assert person.family_names == "<script>alert(1)</script>"
    [mail] = outbox(dbsession)  # the confirmation, the only email before the address is confirmed
    assert "<script>" not in mail.body_html and "&lt;script&gt;" in mail.body_html
    token = LINK.search(mail.body_text).group(1)
    private = testapp.get(f"/me/{token}")
    assert "<script>alert" not in private.text and "&lt;script&gt;" in private.text


def test_same_email_is_the_same_person_and_registering_twice_is_explained(testapp, dbsession):
    first, second = factories.TrainingFactory(), factories.TrainingFactory()
    for training in (first, second):
        page = testapp.get(f"/register/{training.id}")
        form = fill(page.forms["form"], email="  PILAR.Rojas49@ministeriopublico.gov.py ", new_institution="X")
        form.submit("submit")
    people = dbsession.scalars(select(Person).where(Person.given_names == "Pilar")).all()
    assert len(people) == 1 and len(people[0].registrations) == 2
    confirm_address(testapp, dbsession)  # the second one's email came last
    page = testapp.get(f"/register/{second.id}")
    again = fill(page.forms["form"], new_institution="X").submit("submit", status=400)
    assert "/lost-link" in again.text


def test_draft_is_not_found_and_cancelled_training_says_so(testapp, dbsession):
    draft = factories.TrainingFactory(status=TrainingStatus.draft)
    cancelled = factories.TrainingFactory(status=TrainingStatus.cancelled)
    testapp.get(f"/register/{draft.id}", status=404)
    testapp.get("/register/999999", status=404)
    page = testapp.get(f"/register/{cancelled.id}", status=410)
    assert 'name="given_names"' not in page.text


def test_full_training_waitlists_and_pending_when_approval_required(testapp, dbsession):
    full = factories.TrainingFactory(capacity=1)
    factories.RegistrationFactory(training=full)
    full.confirmed_count = 1
    page = testapp.get(f"/register/{full.id}")
    fill(page.forms["form"], new_institution="X").submit("submit").follow()
    done = confirm_address(testapp, dbsession)
    assert "1" in done.text
    registration = dbsession.scalar(select(Registration).where(Registration.training_id == full.id,
                                                               Registration.status == RegistrationStatus.waitlisted))
    assert registration is not None
    approval = factories.TrainingFactory(requires_approval=True)
    page = testapp.get(f"/register/{approval.id}")
    fill(page.forms["form"], email="b@x.org", new_institution="X").submit("submit").follow()
    confirm_address(testapp, dbsession, "b@x.org")
    pending = dbsession.scalar(select(Registration).where(Registration.training_id == approval.id))
    assert pending.status == RegistrationStatus.pending
    assert "pendiente" in outbox(dbsession)[-1].body_text.lower()


def test_the_public_form_cannot_rename_a_known_person(testapp, dbsession):
    # Anyone can type anyone's email: the form registers the known person but only fills in what
    # the registry lacks, so nobody can change the name printed on someone else's certificates.
    person = factories.PersonFactory(given_names="María de los Ángeles", family_names="Fernández",
                                     email="angeles@example.org", preferred_language="fr", position="")
    training = factories.TrainingFactory()
    page = testapp.get(f"/register/{training.id}")
    fill(page.forms["form"], given_names="Impostora", family_names="Suplantada", email="angeles@example.org",
         preferred_language="es", position="Fiscal", new_institution="X").submit("submit").follow()
    assert (person.given_names, person.family_names, person.preferred_language) == (
        "María de los Ángeles", "Fernández", "fr")
    assert person.position == "Fiscal"  # unknown until now
    assert [registration.training for registration in person.registrations] == [training]


def test_the_public_form_does_not_find_a_person_by_identity_document(testapp, dbsession):
    # A document number is no secret: typing someone's document with one's own email must not
    # attach that email to their record (a lost-link request would then open their page).
    juana = factories.PersonFactory(given_names="Juana", family_names="Mora", email=None,
                                    id_document="98652679", country="CR")
    training = factories.TrainingFactory()
    page = testapp.get(f"/register/{training.id}")
    fill(page.forms["form"], email="eve@evil.example", id_document="98652679", country="CR",
         new_institution="X").submit("submit").follow()
    assert juana.email is None and juana.registrations == []
    newcomer = dbsession.scalar(select(Person).where(Person.email == "eve@evil.example"))
    assert newcomer is not juana and newcomer.id_document is None  # the document stays Juana's


def test_control_characters_are_refused_with_a_message_and_nothing_written(testapp, dbsession):
    # A NUL once broke the organiser's spreadsheet export; a line break has no place in a name.
    training = factories.TrainingFactory()
    for name in ("A\x00B", "Ana\r\nMaría", "Ana\tMaría"):
        page = testapp.get(f"/register/{training.id}")
        refused = fill(page.forms["form"], given_names=name, new_institution="X").submit("submit", status=400)
        assert "Quite los caracteres de control invisibles de este campo." in refused.text
    assert dbsession.scalar(select(Registration).where(Registration.training_id == training.id)) is None


def test_a_registration_deadline_is_shown_and_registering_after_it_is_refused(testapp, dbsession):
    import datetime as dt

    today = dt.date.today()
    training = factories.TrainingFactory(capacity=10, starts_on=today + dt.timedelta(days=10),
                                         ends_on=today + dt.timedelta(days=11),
                                         registration_deadline=today + dt.timedelta(days=2))
    institution = factories.InstitutionFactory(name="Ministerio Público", country="PY")
    public = testapp.get(f"/trainings/{training.id}")
    assert "Las inscripciones cierran al final del" in public.text
    assert testapp.get(f"/api/trainings/{training.id}").json["registration_deadline"] == (
        training.registration_deadline.isoformat())
    page = testapp.get(f"/register/{training.id}")
    assert "Las inscripciones cierran al final del" in page.text
    form = fill(page.forms["form"], institution=str(institution.id))
    training.registration_deadline = today - dt.timedelta(days=2)  # the form stayed open past the deadline
    dbsession.flush()
    refused = form.submit("submit")
    assert "Las inscripciones cerraron el" in refused.text and 'id="form"' not in refused.text
    assert dbsession.scalar(select(Registration).where(Registration.training_id == training.id)) is None
    closed = testapp.get(f"/register/{training.id}")
    assert "Las inscripciones cerraron el" in closed.text and 'id="form"' not in closed.text
    assert "Las inscripciones cerraron el" in testapp.get(f"/trainings/{training.id}").text


def test_the_quota_per_institution_is_checked_again_when_the_address_is_confirmed(testapp, dbsession):
    """Unconfirmed sign-ups hold no place: two colleagues may both sign up under a quota of one
    (the second is warned), and only the first to confirm gets in; the other is told why and
    keeps their link."""
    training = factories.TrainingFactory(capacity=10, institution_quota=1)
    institution = factories.InstitutionFactory(name="Ministerio Público", country="PY")
    for email in ("ana@mp.gov.py", "luis@mp.gov.py"):
        page = testapp.get(f"/register/{training.id}")
        fill(page.forms["form"], institution=str(institution.id), email=email, given_names=email[:4]).submit(
            "submit").follow()
    confirm_address(testapp, dbsession, "ana@mp.gov.py")

    refused = confirm_address(testapp, dbsession, "luis@mp.gov.py")

    assert "Ministerio Público ya alcanzó el límite de 1 por institución" in refused.text
    statuses = dict(dbsession.execute(select(Person.email, Registration.status).join(Registration.person)
                                      .where(Registration.training_id == training.id)).all())
    assert statuses == {"ana@mp.gov.py": RegistrationStatus.confirmed, "luis@mp.gov.py": RegistrationStatus.unverified}


def test_the_public_form_refuses_registrations_beyond_the_quota_per_institution(testapp, dbsession):
    training = factories.TrainingFactory(capacity=10, institution_quota=1)
    institution = factories.InstitutionFactory(name="Ministerio Público", country="PY")
    page = testapp.get(f"/register/{training.id}")
    fill(page.forms["form"], institution=str(institution.id)).submit("submit").follow()
    confirm_address(testapp, dbsession)  # an unconfirmed sign-up holds nothing, the quota neither
    page = testapp.get(f"/register/{training.id}")
    refused = fill(page.forms["form"], institution=str(institution.id), email="otra@mp.gov.py",
                   given_names="Otra", family_names="Persona").submit("submit", status=400)
    assert "Ministerio Público ya alcanzó el límite de 1 por institución" in refused.text
    assert dbsession.scalar(select(Person).where(Person.email == "otra@mp.gov.py")) is None
    other = factories.InstitutionFactory(name="Defensoría", country="PY")
    page = testapp.get(f"/register/{training.id}")
    fill(page.forms["form"], institution=str(other.id), email="otra@mp.gov.py").submit("submit").follow()


def test_the_institution_list_starts_with_the_trainings_country_and_names_twins_by_country(testapp, dbsession):
    training = factories.TrainingFactory(status=TrainingStatus.published,
                                         region=factories.RegionFactory(country="PY", timezone="America/Asuncion"))
    for name, country in (("Ministerio del Interior", "PE"), ("Ministerio del Interior", "PY"),
                          ("Ministério Público Federal", "BR"), ("Fiscalía General del Estado", "PY")):
        factories.InstitutionFactory(name=name, country=country)
    page = testapp.get(f"/register/{training.id}")
    options = [option.text for option in page.html.find("select", attrs={"name": "institution"}).find_all("option")]
    assert options[1:3] == ["Fiscalía General del Estado", "Ministerio del Interior (Paraguay)"]  # the training's
    assert "Ministerio del Interior (Perú)" in options and "Ministério Público Federal" in options
    assert "Ministerio del Interior" not in options  # never without its country while it has a twin


def test_a_colleague_is_warned_at_once_that_unconfirmed_sign_ups_contest_the_places(testapp, dbsession):
    """Rosa signed up and has not confirmed yet: Carmen, of the same institution, is told on the
    spot that the place goes to whoever confirms first — not refused, since made-up sign-ups must
    not shut an institution out — and the first to confirm takes it."""
    training = factories.TrainingFactory(capacity=10, institution_quota=1)
    institution = factories.InstitutionFactory(name="Ministerio Público", country="PY")
    page = testapp.get(f"/register/{training.id}")
    done = fill(page.forms["form"], institution=str(institution.id), email="rosa@mp.gov.py",
                given_names="Rosa").submit("submit").follow()
    assert "confirman primero" not in done.text  # the first one is not warned
    page = testapp.get(f"/register/{training.id}")
    done = fill(page.forms["form"], institution=str(institution.id), email="carmen@mp.gov.py",
                given_names="Carmen").submit("submit").follow()
    assert "Hay colegas de Ministerio Público" in done.text and "confirman primero" in done.text
    assert sorted(mail.recipients for mail in outbox(dbsession)) == ["carmen@mp.gov.py", "rosa@mp.gov.py"]
    # Rosa, who lost the email, signs up again: her own sign-up is no rival of hers.
    page = testapp.get(f"/register/{training.id}")
    again = fill(page.forms["form"], institution=str(institution.id), email="rosa@mp.gov.py",
                 given_names="Rosa").submit("submit").follow()
    assert "confirman primero" in again.text  # Carmen's sign-up does contest it


def test_an_expired_sign_up_contests_no_place(testapp, dbsession):
    training = factories.TrainingFactory(capacity=10, institution_quota=1)
    institution = factories.InstitutionFactory(name="Ministerio Público", country="PY")
    page = testapp.get(f"/register/{training.id}")
    fill(page.forms["form"], institution=str(institution.id), email="rosa@mp.gov.py",
         given_names="Rosa").submit("submit").follow()
    rosa = dbsession.scalar(select(Registration).join(Registration.person).where(Person.email == "rosa@mp.gov.py"))
    rosa.confirm_by = utcnow() - dt.timedelta(minutes=1)  # 24 hours went by without a confirmation
    dbsession.flush()
    page = testapp.get(f"/register/{training.id}")
    done = fill(page.forms["form"], institution=str(institution.id), email="carmen@mp.gov.py",
                given_names="Carmen").submit("submit").follow()
    assert "confirman primero" not in done.text
    assert dbsession.scalar(select(Person).where(Person.email == "carmen@mp.gov.py")).registrations
