"""Evaluation figures at the size of a large training (not a test: prints numbers).

    .venv/bin/python bench/evaluation_results.py [--people 3000] [--questions 20]

A throw-away SQLite database (or DATABASE_URL) holds one training with N confirmed participants,
a pre- and a post-test of Q single-choice questions, and every person's answers to both. It times
the results computation (the results page and the XLSX read it), the XLSX itself, the paper grid's
rows, and two runs of the scheduled invitations (the second must queue nothing).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyramid.scripting import prepare  # noqa: E402
from sqlalchemy import event  # noqa: E402

from evaluations import exports, paper, questionnaires, questions  # noqa: E402
from evaluations.answers import Value, fields_for, respondents, save_answers  # noqa: E402
from evaluations.results import training_results  # noqa: E402
from evaluations.scheduling import queue_due_messages  # noqa: E402
from evaluations.windows import window  # noqa: E402
from tests import factories  # noqa: E402
from trainings import make_app  # noqa: E402
from trainings.db import make_engine, make_session_factory, migrate  # noqa: E402
from trainings.models import utcnow  # noqa: E402


class Statements:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def timed(label: str, statements: Statements, function):
    before, started = statements.count, time.perf_counter()
    result = function()
    print(f"{label:<42} {time.perf_counter() - started:7.2f} s {statements.count - before:6d} statements")
    return result


def build(session, people: int, question_count: int):
    rng = random.Random(17)
    bank = questions.create_bank(session, "Bench", "es")
    ids = [questions.add_question(session, bank, {
        "kind": "single", "text_es": f"Pregunta {number}", "points": 1,
        "options": [{"text_es": "Correcta", "correct": True}, {"text_es": "Incorrecta"}, {"text_es": "Otra"}]}).id
        for number in range(question_count)]
    starts = utcnow() + dt.timedelta(days=3)
    training = factories.TrainingFactory(starts_on=starts.date(), ends_on=starts.date(), capacity=people)
    factories.SessionFactory(training=training, starts_at=starts, ends_at=starts + dt.timedelta(hours=4))
    for _ in range(people):
        factories.RegistrationFactory(training=training)
    session.flush()
    session.refresh(training)
    settings = {"mastery_percent": 70, "days_open": 7, "follow_up_months": 3, "questions": ids}
    pre = questionnaires.attach(session, training, {"purpose": "pre", "title": "Entrada", **settings})
    post = questionnaires.attach(session, training, {"purpose": "post", "title": "Salida", **settings})
    questionnaires.attach(session, training, {"purpose": "follow_up", "title": "Seguimiento", **settings})
    registrations = respondents(session, training.id)
    for questionnaire, skill in ((pre, 0.45), (post, 0.8)):
        fields = fields_for(session, questionnaire, "es")
        for registration in registrations:
            values = {field.key: Value(choices=[1 if rng.random() < skill else 2]) for field in fields}
            save_answers(session, questionnaire, registration, fields, values, now=utcnow())
    session.commit()
    return training, pre


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--questions", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite"
        settings = {"sqlalchemy.url": url, "session.secret": "bench", "app.public_url": "https://capacita.example",
                    "app.var_dir": directory, "mail.file_path": f"{directory}/mail"}
        engine = make_engine(settings)
        migrate(engine)
        app = make_app(dict(settings, **{"capacita.engine": engine}))
        session = make_session_factory(engine)()
        factories.bind(session)
        started = time.perf_counter()
        training, pre = build(session, args.people, args.questions)
        print(f"{args.people} people × {args.questions} questions × 2 tests written in "
              f"{time.perf_counter() - started:.1f} s")
        statements = Statements(engine)
        env = prepare(registry=app.registry)
        request = env["request"]
        request.environ["app.dbsession"] = session
        results = timed("results (means, gains, items, groups)", statements,
                        lambda: training_results(session, training, "es"))
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            session.expire_all()
            profile = cProfile.Profile()
            profile.runcall(training_results, session, training, "es")
            pstats.Stats(profile).sort_stats("cumtime").print_stats(25)
        print(f"  paired {results.overall.paired}, mean gain {results.overall.gain_mean:.1f} points, "
              f"mastery {100 * results.overall.mastery_share:.0f} %")
        workbook = timed("XLSX of the results", statements, lambda: exports.results_workbook(request, results))
        print(f"  {len(workbook) // 1024} KiB")
        fields = fields_for(session, pre, "es")
        timed("paper grid rows", statements, lambda: paper.grid_rows(
            session, pre, respondents(session, training.id), fields))
        follow_up = [questionnaire for questionnaire in questionnaires.training_questionnaires(session, training.id)
                     if questionnaire.purpose == "follow_up"][0]
        now = window(follow_up).opens_at + dt.timedelta(hours=1)  # nobody answered it yet
        first = timed("invitations due (first run)", statements, lambda: queue_due_messages(session, request, now))
        again = timed("invitations due (second run)", statements, lambda: queue_due_messages(session, request, now))
        print(f"  queued {first}, then {again}")
        env["closer"]()
        session.rollback()
        session.close()
        factories.bind(None)
        engine.dispose()


if __name__ == "__main__":
    main()
