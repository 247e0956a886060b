"""The per-registration facts kept as data: any change to attendance, sessions, registrations
or certificates — through the services or a bare SQL statement — shows in the very next report,
and the facts always equal those computed from scratch."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from certificates import services as certificate_services
from certificates.models import CertificateKind
from participants import registrations
from participants.attendance.services import record
from participants.models import Attendance, AttendanceMethod, AttendanceStatus, Registration, Sex
from reports.facts import facts_select, refresh_facts, refresh_task
from reports.figures import figures
from reports.filters import ReportFilters
from reports.models import RegistrationFact, StaleTraining
from tests import factories
from tests.reports.test_figures import COUNTED
from trainings.services import schedule


def report(dbsession, **filters):
    return figures(dbsession, ReportFilters(**filters)).totals


def test_the_facts_equal_those_computed_from_scratch(dbsession, past):
    report(dbsession)
    kept = set(dbsession.execute(select(*RegistrationFact.__table__.columns)
                                 .where(RegistrationFact.training_id == past.training.id)))
    fresh = set(dbsession.execute(facts_select(dbsession, Registration.training_id == past.training.id)))
    assert kept == fresh and len(kept) == 7  # the confirmed ones, organiser included (roles filter later)
    below = {row[0]: row for row in kept}[past.people["below"].id]
    assert (below.attended_seconds, below.excused_seconds, below.certificates, below.completed) == (
        3 * 2 * 3600, 0, 0, False)  # 3 of 5 sessions: 60 %, under the training's 80 %


def test_marking_attendance_shows_in_the_next_report(dbsession, past):
    before = report(dbsession).completed
    record(dbsession, past.people["below"], past.sessions[3], AttendanceStatus.present,  # 4 of 5: 80 %
           AttendanceMethod.manual, None)
    assert report(dbsession).completed == before + 1


def test_an_attendance_changed_by_a_bare_statement_shows_too(dbsession, past):
    before = report(dbsession).completed
    dbsession.execute(sa.update(Attendance).where(Attendance.registration_id == past.people["at_threshold"].id,
                                                  Attendance.session_id == past.sessions[0].id)
                      .values(status=AttendanceStatus.absent))
    assert report(dbsession).completed == before - 1  # 3 of 5 now


def test_cancelling_a_session_shows_in_the_next_report(dbsession, past, app_request):
    before = figures(dbsession, ReportFilters())
    # "excused": 3 attended, 1 excused, absent from the last one; without it 3 of 3.
    schedule.cancel_session(app_request, past.sessions[4])
    after = figures(dbsession, ReportFilters())
    assert after.totals.completed == before.totals.completed + 1
    assert after.sessions == before.sessions - 1


def test_changing_the_threshold_shows_in_the_next_report(dbsession, past):
    before = report(dbsession).completed
    past.training.attendance_threshold = 60  # "below" (60 %) and "excused" (75 %) complete now
    assert report(dbsession).completed == before + 2


def test_issuing_and_revoking_a_certificate_shows_in_the_next_report(dbsession, past, app_request):
    assert report(dbsession).certificates == 0
    certificate = certificate_services.issue_manually(app_request, past.people["below"],
                                                      CertificateKind.participation, "Asistió al taller completo",
                                                      notify=False)
    assert report(dbsession).certificates == 1
    certificate_services.revoke(app_request, certificate, "Error de datos", notify=False)
    assert report(dbsession).certificates == 0


def test_moving_a_registration_shows_in_the_next_report(dbsession, past, app_request):
    elsewhere = factories.TrainingFactory(starts_on=past.training.starts_on, ends_on=past.training.ends_on)
    factories.SessionFactory(training=elsewhere)
    assert report(dbsession, region_id=elsewhere.region_id).participations == 0
    before = report(dbsession)
    registrations.move(app_request, past.people["below"], elsewhere)
    assert report(dbsession, region_id=elsewhere.region_id).participations == 1
    assert report(dbsession) == before  # one participation moved, the same person; "below" did not complete


def test_a_registration_moved_by_a_bare_statement_takes_its_facts_along(dbsession, past):
    elsewhere = factories.TrainingFactory(starts_on=past.training.starts_on, ends_on=past.training.ends_on)
    factories.SessionFactory(training=elsewhere)
    before = report(dbsession)
    dbsession.execute(sa.update(Registration).where(Registration.id == past.people["at_threshold"].id)
                      .values(training_id=elsewhere.id))
    # Attended in the first training's sessions, none of the second's: no longer completed.
    assert report(dbsession).completed == before.completed - 1
    assert report(dbsession, region_id=elsewhere.region_id).participations == 1


def test_a_person_s_new_attributes_show_in_the_next_report(dbsession, past):
    report(dbsession)
    past.people["below"].person.sex = Sex.other
    by_sex = {row.key: row.counts.persons for row in figures(dbsession, ReportFilters()).breakdowns["sex"]}
    assert by_sex["other"] == 1


def test_the_worker_refreshes_the_stale_trainings(dbsession, past, app_request):
    assert dbsession.scalar(select(sa.func.count()).select_from(StaleTraining)) >= 1  # the fixture's writes
    app_request.dbsession.flush()
    refresh_task(app_request)
    assert dbsession.scalar(select(sa.func.count()).select_from(StaleTraining)) == 0
    assert refresh_facts(dbsession) == 0  # nothing left for the next report to rebuild


def kept_facts_equal_fresh_ones(dbsession, training) -> bool:
    kept = set(dbsession.execute(select(*RegistrationFact.__table__.columns)
                                 .where(RegistrationFact.training_id == training.id)))
    return kept == set(dbsession.execute(facts_select(dbsession, Registration.training_id == training.id)))


def test_a_training_s_region_first_day_and_threshold_changed_by_bare_statements_show_too(dbsession, past):
    from trainings.models import Training

    before = figures(dbsession, ReportFilters())
    past.people["below"].person.year_of_birth = past.training.starts_on.year - 25  # 25: "25_34"
    elsewhere = factories.RegionFactory(country="PY", timezone="America/Asuncion")
    figures(dbsession, ReportFilters())
    a_year_before = past.training.starts_on - dt.timedelta(days=366)
    dbsession.execute(sa.update(Training).where(Training.id == past.training.id).values(
        region_id=elsewhere.id, starts_on=a_year_before, ends_on=a_year_before, attendance_threshold=60))
    dbsession.expire_all()
    after = figures(dbsession, ReportFilters())
    assert after.totals.completed == before.totals.completed + 2  # "below" (60 %) and "excused" (75 %)
    assert [(row.key, row.counts.persons) for row in after.breakdowns["country"]] == [("PY", len(COUNTED))]
    assert {row.key: row.counts.persons for row in after.breakdowns["age_band"]}["under_25"] == 1  # 24 then
    assert kept_facts_equal_fresh_ones(dbsession, past.training)


def test_an_unrelated_change_to_a_training_leaves_its_facts_alone(dbsession, past):
    figures(dbsession, ReportFilters())
    past.training.title = "Taller de investigación financiera"
    dbsession.flush()
    assert refresh_facts(dbsession) == 0


def test_postgresql_writes_a_training_s_stale_row_once_per_transaction(dbsession, past):
    """A bulk import changes thousands of rows of one training in one transaction: the stale
    row is locked by each, rewritten by none but the first (no dead rows for reports to scan)."""
    if dbsession.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite's triggers insert or ignore")
    refresh_facts(dbsession)
    ctid = sa.text("SELECT ctid::text FROM report_stale_training WHERE training_id = :id")
    for label in ("below", "excused", "at_threshold"):
        dbsession.execute(sa.update(Attendance).where(Attendance.registration_id == past.people[label].id)
                          .values(status=AttendanceStatus.present))
        if label == "below":
            first = dbsession.scalar(ctid, {"id": past.training.id})
    assert first is not None and dbsession.scalar(ctid, {"id": past.training.id}) == first
