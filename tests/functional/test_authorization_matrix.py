"""Every route × every role (administrator, manager, organiser, viewer, anonymous) × an object of
the user's own organisation and of another one: who may open what.

The route list comes from the application itself, so a new route without a rule here fails
`test_every_route_has_a_rule`. A GET that is refused answers 403 (or the login page to the
anonymous); an object of another organisation may also be 404 (a person they never saw). A POST
is sent without its CSRF token: a permitted one fails the token check (400) and writes nothing,
a refused one never gets that far (403)."""
import json

import pytest
from pyramid.interfaces import IRoutesMapper

from certificates.layouts import default_definition_text
from certificates.models import CertificateLayout
from evaluations.models import Purpose, Question, QuestionBank, QuestionKind, Questionnaire, QuestionVersion
from participants.models import ParticipantImport, RegistrationStatus
from reports.models import Indicator
from tests import factories
from tests.conftest import log_in
from trainings.models import Job, SessionSpeaker, TrainingStatus

ROLES = ("admin", "manager", "organiser", "viewer", "anonymous")

# What each route requires: "public" (anyone), "read" (any member, viewers included), "manage"
# (organisers and managers), "members" (managers), "administer" (administrators), "none" (a
# route without a page). `True` beside it: the URL names an object of one organisation, so only
# that organisation's members (and administrators) pass.
RULES = {
    "set_language": ("public", False), "home": ("public", False), "login": ("public", False),
    "logout": ("public", False), "password_forgotten": ("public", False), "password_set": ("public", False),
    "trainings": ("public", False), "training": ("public", False), "training_slug": ("public", False),
    "api_trainings": ("public", False), "api_training": ("public", False),
    "calendar_session": ("public", False), "calendar_training": ("public", False),
    "calendar_region": ("public", False), "calendar_programme": ("public", False), "calendar_all": ("public", False),
    "my_qr": ("public", False), "my_badge": ("public", False),
    "calendar_person": ("public", False), "calendar_person_address": ("public", False),
    "register": ("public", False), "register_done": ("public", False), "my_registration": ("public", False),
    "my_registration_cancel": ("public", False), "lost_link": ("public", False), "verify": ("public", False),
    "verify_code": ("public", False), "my_certificate": ("public", False),
    "dashboard": ("read", False), "account": ("read", False), "account_two_factor": ("administer", False),
    "login_code": ("public", False), "organiser_calendar": ("read", False),
    "organiser_trainings": ("read", False), "regions": ("read", False), "programmes": ("read", False),
    "people": ("read", False), "people_export": ("read", False), "duplicates": ("read", False),
    "report": ("read", False), "report_evidence": ("read", False), "report_export": ("read", False),
    "indicators": ("read", False), "transcripts_export": ("read", False),
    "organiser_training": ("read", True), "organiser_training_calendar": ("read", True),
    "organiser_attendance": ("read", True), "organiser_attendance_export": ("read", True),
    "attendance_history": ("read", True), "signin_sheet": ("read", True),
    "organiser_registrations": ("read", True), "registrations_export": ("read", True),
    "person": ("read", True), "person_transcript": ("read", True), "person_transcript_pdf": ("read", True),
    "organiser_certificates": ("read", True), "certificates_preview": ("read", True),
    "certificates_zip": ("read", True), "certificate_pdf": ("read", True),
    "training_new": ("manage", False), "venue_new": ("manage", False), "programme_new": ("manage", False),
    "people_merge": ("manage", False), "indicator_new": ("manage", False), "indicator_edit": ("manage", True),
    "institutions": ("manage", False), "institution_edit": ("manage", False), "institution_merge": ("manage", False),
    "training_edit": ("manage", True), "training_publish": ("manage", True), "training_cancel": ("manage", True),
    "training_duplicate": ("manage", True), "session_new": ("manage", True), "session_edit": ("manage", True),
    "session_cancel": ("manage", True), "session_delete": ("manage", True), "session_move": ("manage", True),
    "venue_edit": ("manage", True), "programme_edit": ("manage", True), "checkin": ("manage", True),
    "checkin_scan": ("manage", True), "checkin_mark": ("manage", True), "walk_in": ("manage", True),
    "session_attendance": ("manage", True), "session_attendance_mark": ("manage", True),
    "session_attendance_all": ("manage", True), "session_attendance_undo": ("manage", True),
    "session_attendance_paper": ("manage", True), "session_speakers": ("manage", True),
    "session_speaker_new": ("manage", True), "session_speaker_remove": ("manage", True),
    "registration_new": ("manage", True), "registration_action": ("manage", True),
    "participant_import": ("manage", True), "participant_import_preview": ("manage", True),
    "participant_import_report": ("manage", True), "person_edit": ("manage", True),
    "certificates_issue": ("manage", True), "certificates_manual": ("manage", True),
    "certificates_layout": ("manage", True), "certificates_merged": ("manage", True),
    "certificate_revoke": ("manage", True), "certificates_job": ("manage", True),
    "certificates_job_download": ("manage", True),
    "accounts": ("members", False), "account_invite": ("members", False), "account_edit": ("members", True),
    "organisations": ("administer", False), "organisation_new": ("administer", False),
    "organisation_edit": ("administer", True), "outbox": ("administer", False),
    "outbox_retry": ("administer", False), "region_new": ("administer", False), "region_edit": ("administer", False),
    "layouts": ("manage", False), "layout": ("administer", False), "layout_preview": ("manage", False),
    "layout_assets": ("administer", False),
    "venues": ("none", False),
    "audit": ("administer", False), "training_delete": ("manage", True), "checkin_admit": ("manage", True),
    "checkin_code": ("manage", True), "registrations_bulk": ("manage", True), "person_data": ("manage", True),
    "person_anonymise": ("manage", True), "layout_design": ("manage", False),
    "layout_design_preview": ("manage", False),
    "calendar_registration": ("public", False), "calendar_registration_address": ("public", False),
    "my_registration_confirm": ("public", False), "my_registration_revoke": ("public", False),
    "my_details": ("public", False), "my_email_confirm": ("public", False), "my_questionnaire": ("public", False),
    "question_banks": ("manage", False), "question_bank": ("manage", False), "question_new": ("manage", False),
    "question_edit": ("manage", False),
    "organiser_evaluations": ("manage", True), "evaluation_attach": ("manage", True),
    "evaluation_results": ("manage", True), "evaluation_results_xlsx": ("manage", True),
    "questionnaire": ("manage", True), "questionnaire_copy": ("manage", True), "questionnaire_print": ("manage", True),
    "questionnaire_grid": ("manage", True),
}

MAY = {
    "admin": {"public", "read", "manage", "members", "administer"},
    "manager": {"public", "read", "manage", "members"},
    "organiser": {"public", "read", "manage"},
    "viewer": {"public", "read"},
    "anonymous": {"public"},
}


def _routes(app):
    mapper = app.registry.getUtility(IRoutesMapper)
    return [route for route in mapper.get_routes() if not route.name.startswith("__")]


def _view_methods(app) -> dict[str, set[str]]:
    methods: dict[str, set[str]] = {}
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        requested = view["request_methods"]
        names = {requested} if isinstance(requested, str) else set(requested or ("GET", "POST"))
        methods.setdefault(view["route_name"], set()).update(names)
    return methods


def test_every_route_has_a_rule(app):
    assert sorted({route.name for route in _routes(app)} - set(RULES)) == []
    assert sorted(set(RULES) - {route.name for route in _routes(app)}) == []


def _organisation_world(dbsession, organisation, region, institution, layout):
    """One organisation's objects, each reachable by a URL."""
    programme = factories.ProgrammeFactory(organisation=organisation)
    venue = factories.VenueFactory(organisation=organisation, region=region)
    training = factories.TrainingFactory(organisation=organisation, programme=programme, region=region, venue=venue,
                                         status=TrainingStatus.published)
    session = factories.SessionFactory(training=training)
    person = factories.PersonFactory(institution=institution)
    registration = factories.RegistrationFactory(training=training, person=person,
                                                 status=RegistrationStatus.confirmed)
    certificate = factories.CertificateFactory(registration=registration)
    speaker = SessionSpeaker(session=session, person=person)
    upload = ParticipantImport(training_id=training.id, filename="lista.csv", content=IMPORT_CSV)
    job = Job(kind="certificates-pdf", parameters=json.dumps({"training_id": training.id}))
    questionnaire = Questionnaire(training=training, purpose=Purpose.pre, title="Prueba de entrada")
    indicator = Indicator(name=f"Personas capacitadas por {organisation.name}", organisation_id=organisation.id)
    dbsession.add_all([speaker, upload, job, questionnaire, indicator])
    dbsession.flush()
    return {"id": training.id, "training_id": training.id, "session": session.id, "registration": registration.id,
            "registration_id": registration.id, "import_id": upload.id, "speaker_id": speaker.id,
            "certificate_id": certificate.id, "job_id": job.id, "layout_id": layout.id, "person": person.id,
            "venue": venue.id, "programme": programme.id, "organisation": organisation.id,
            "questionnaire": questionnaire.id, "indicator": indicator.id}


IMPORT_CSV = "Nombres;Apellidos;Correo electrónico\nAna;Quispe;ana@example.org\n".encode()
SESSION_ROUTES_PREFIX = "/organiser/sessions/"


def _url(route, objects, users) -> str:
    """The route's address for the objects of one organisation."""
    pattern = route.pattern
    values = {"token": "x" * 20, "code": "PE-2026-000001", "format": "csv", "slug": "taller", "action": "move",
              "signed": "x" * 20, "questionnaire_id": objects["questionnaire"]}
    object_id = objects["id"]
    if pattern.startswith(SESSION_ROUTES_PREFIX):
        object_id = objects["session"]
    elif route.name in ("venue_edit",):
        object_id = objects["venue"]
    elif route.name in ("programme_edit", "calendar_programme"):
        object_id = objects["programme"]
    elif route.name in ("person", "person_edit", "person_transcript", "person_transcript_pdf", "person_data",
                        "person_anonymise"):
        object_id = objects["person"]
    elif route.name == "account_edit":
        object_id = users["member"]
    elif route.name == "organisation_edit":
        object_id = objects["organisation"]
    elif route.name in ("indicator_edit",):
        object_id = objects["indicator"]
    elif route.name in ("institution_edit", "institution_merge"):
        object_id = objects["institution"]
    elif route.name in ("question_bank", "question_new"):
        object_id = objects["bank"]
    elif route.name == "question_edit":
        object_id = objects["question"]
    elif route.name.startswith("questionnaire"):
        object_id = objects["questionnaire"]
    elif route.name in ("region_edit", "calendar_region"):
        object_id = objects["region"]
    elif route.name == "calendar_session":
        object_id = objects["session"]
    path = pattern
    for name, value in [("id", object_id), *objects.items(), *values.items()]:
        for placeholder in (f"{{{name}}}", f"{{{name}:\\d+}}"):
            path = path.replace(placeholder, str(value))
    for placeholder, value in (("{format:csv|xlsx}", "csv"), ("{format:xlsx|csv|json}", "csv"),
                               ("{format:xlsx|csv}", "csv"), ("{format:json|xlsx}", "json"),
                               ("{action:approve|cancel|move}", "move"),
                               ("{code}", "PE-2026-000001"), ("{token}", "x" * 20)):
        path = path.replace(placeholder, value)
    assert "{" not in path, path
    return path


@pytest.fixture
def world(dbsession):
    own, other = factories.OrganisationFactory(name="OIM Perú"), factories.OrganisationFactory(name="OIM Paraguay")
    region = factories.RegionFactory()
    institution = factories.InstitutionFactory()
    layout = CertificateLayout(name="Diseño", definition=default_definition_text())
    bank = QuestionBank(name="Trata de personas")
    question = Question(bank=bank, versions=[QuestionVersion(kind=QuestionKind.rating, texts={"es": "¿Útil?"})])
    dbsession.add_all([layout, bank, question])
    dbsession.flush()
    shared = {"institution": institution.id, "region": region.id, "bank": bank.id,
              "question": question.id}
    objects = {"own": {**_organisation_world(dbsession, own, region, institution, layout), **shared},
               "other": {**_organisation_world(dbsession, other, region, institution, layout), **shared}}
    users = {
        "admin": factories.UserFactory(role="admin"),
        **{role: factories.UserFactory(member_of=[(own, role)]) for role in ("manager", "organiser", "viewer")},
    }
    members = {"own": factories.UserFactory(member_of=[(own, "organiser")]).id,
               "other": factories.UserFactory(member_of=[(other, "organiser")]).id}
    return objects, users, members


def _refused(response, own_status: int | None) -> bool:
    if response.status_int == 403:
        return True
    if response.status_int in (302, 303) and "/login" in response.headers.get("Location", ""):
        return True
    # A person of another organisation is unknown to the user (404), like any object they never
    # saw; a 404 on the user's own object as well is the page's own answer (an export not ready).
    return response.status_int == 404 and own_status is not None and own_status != 404


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_what(app, testapp, world, role):
    objects, users, members = world
    if role != "anonymous":
        log_in(testapp, users[role]).follow()
    methods = _view_methods(app)
    wrong = []
    for route in _routes(app):
        required, scoped = RULES[route.name]
        if required == "none":
            continue
        own_status = None
        for where in ("own", "other") if scoped else ("own",):
            url = _url(route, objects[where], {"member": members[where]})
            if "GET" in methods.get(route.name, ()):
                response = testapp.get(url, expect_errors=True)
            else:
                response = testapp.post(url, {}, expect_errors=True)
            expected = required in MAY[role] and (role == "admin" or not scoped or where == "own"
                                                  or required == "public")
            # A public page may send anyone to the login page on its own (the code page without a
            # password step before it): only a 403 refuses there.
            refused = response.status_int == 403 if required == "public" else _refused(response, own_status)
            if refused == expected:
                wrong.append(f"{route.name} ({where}): {response.status_int}, expected "
                             f"{'allowed' if expected else 'refused'}")
            own_status = response.status_int
    assert "\n".join(wrong) == ""


def test_a_viewer_is_shown_no_link_or_button_that_refuses_them(app, testapp, world):
    """Viewers read: every page they may open offers only what they may do (no button answering 403)."""
    objects, users, members = world
    log_in(testapp, users["viewer"]).follow()
    methods = _view_methods(app)
    pages = [_url(route, objects["own"], {"member": members["own"]}) for route in _routes(app)
             if RULES[route.name][0] == "read" and "GET" in methods.get(route.name, ())]
    checked, refused = set(), []
    for page_url in pages:
        page = testapp.get(page_url, expect_errors=True)
        if page.status_int != 200 or "html" not in page.content_type:
            continue
        targets = [("GET", link["href"]) for link in page.html.select("a[href^='/']")]
        targets += [((form.get("method") or "get").upper(), form.get("action") or page_url)
                    for form in page.html.select("form")]
        for method, target in targets:
            if (method, target) in checked or target.startswith(("/static", "/language")):
                continue
            checked.add((method, target))
            response = (testapp.get(target, expect_errors=True) if method == "GET"
                        else testapp.post(target, {}, expect_errors=True))
            if response.status_int == 403:
                refused.append(f"{page_url}: {method} {target}")
    assert "\n".join(refused) == ""


@pytest.mark.parametrize(("role", "offered"), [("organiser", True), ("viewer", False)])
def test_the_buttons_that_change_things_are_offered_to_organisers(testapp, world, role, offered):
    objects, users, _members = world
    log_in(testapp, users[role]).follow()
    training = objects["own"]["training_id"]
    pages = {f"/organiser/trainings/{training}": "/edit", f"/organiser/trainings/{training}/registrations": "/import",
             f"/organiser/trainings/{training}/certificates": "/certificates/manual",
             f"/organiser/trainings/{training}/attendance": "/checkin", "/organiser/trainings": "/trainings/new"}
    for page_url, control in pages.items():
        links = [link["href"] for link in testapp.get(page_url).html.select("a[href]")]
        assert any(href.endswith(control) for href in links) == offered, page_url
