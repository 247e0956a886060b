"""Route factories: the training or session an attendance page is about; unknown ids are 404."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from trainings.models import Training, TrainingSession
from trainings.resources import OfTraining, parse_id


class TrainingAttendance(OfTraining):
    def __init__(self, training: Training):
        self.training = training


class SessionAttendance(OfTraining):
    def __init__(self, session: TrainingSession):
        self.session = session
        self.training = session.training


def _id(request) -> int:
    value = parse_id(request.matchdict.get("id"))
    if value is None:
        raise HTTPNotFound()
    return value


def training_factory(request) -> TrainingAttendance:
    training = request.dbsession.scalar(
        select(Training).where(Training.id == _id(request))
        .options(joinedload(Training.sessions), joinedload(Training.region), joinedload(Training.venue)))
    if training is None:
        raise HTTPNotFound()
    return TrainingAttendance(training)


def session_factory(request) -> SessionAttendance:
    session = request.dbsession.scalar(
        select(TrainingSession).where(TrainingSession.id == _id(request))
        .options(joinedload(TrainingSession.training).joinedload(Training.region),
                 joinedload(TrainingSession.training).joinedload(Training.venue)))
    if session is None:
        raise HTTPNotFound()
    return SessionAttendance(session)
