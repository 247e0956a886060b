"""Demo data: a bank of ten questions on trafficking in persons, used as the pre- and post-test
of the past training with the most participants (with a satisfaction survey), and answers from its
participants — a few typed in from paper — so that the results page has something to show."""
from __future__ import annotations

import datetime as dt
import logging
import random

from sqlalchemy import select

from trainings.models import Training, TrainingStatus, utcnow

from . import questionnaires, questions
from .answers import Value, fields_for, respondents, save_answers
from .models import Purpose, QuestionKind

log = logging.getLogger(__name__)
BANK = "Trata de personas: conceptos básicos"
# (Spanish, English, options in Spanish, index of the correct option)
QUESTIONS = [
    ("¿Qué elementos definen la trata de personas según el Protocolo de Palermo?",
     "Which elements define trafficking in persons under the Palermo Protocol?",
     ["Acción, medios y fin de explotación", "Cruce de una frontera", "Pago de una deuda"], 0),
    ("¿Es válido el consentimiento de la víctima cuando se usaron medios como el engaño?",
     "Is the victim's consent valid when means such as deception were used?",
     ["Sí, siempre", "No, carece de efecto", "Solo si es mayor de edad"], 1),
    ("En el caso de menores de edad, ¿es necesario probar los medios?", "",
     ["Sí", "No", "Solo en trata laboral"], 1),
    ("¿Cuál es la diferencia principal entre trata y tráfico ilícito de migrantes?", "",
     ["No hay diferencia", "La trata busca explotar a la persona", "El tráfico siempre es interno"], 1),
    ("¿Qué principio orienta la atención a las víctimas?", "",
     ["La no revictimización", "La confrontación con el acusado", "La publicidad del caso"], 0),
    ("¿Quién puede ser víctima de trata?", "", ["Solo mujeres", "Cualquier persona", "Solo extranjeros"], 1),
    ("¿Qué indicador sugiere trabajo forzoso?", "",
     ["Retención de documentos", "Contrato escrito", "Pago puntual"], 0),
    ("¿Qué institución dirige la investigación penal en el Perú?", "",
     ["La Policía", "El Ministerio Público", "El municipio"], 1),
    ("¿Debe la víctima declarar varias veces ante distintas autoridades?", "",
     ["Sí, es la regla", "No: se procura una única declaración (cámara Gesell)", "Solo si lo pide la defensa"], 1),
    ("¿Qué medida protege a una víctima extranjera en situación irregular?", "",
     ["La expulsión inmediata", "Un permiso de residencia temporal", "La detención"], 1),
]


def _bank(dbsession):
    bank = questions.create_bank(dbsession, BANK, "es")
    for spanish, english, options, correct in QUESTIONS:
        values = {"kind": "single", "text_es": spanish, "text_en": english, "points": 1,
                  "options": [{"text_es": text, "correct": index == correct} for index, text in enumerate(options)]}
        questions.add_question(dbsession, bank, values)
    rating = questions.add_question(dbsession, bank, {"kind": "rating", "text_es": "¿Qué tan útil fue el taller?",
                                                      "text_en": "How useful was the workshop?", "points": 0})
    comment = questions.add_question(dbsession, bank, {"kind": "text", "text_es": "Comentarios y sugerencias",
                                                       "text_en": "Comments and suggestions", "points": 0})
    return bank, rating, comment


def _answer(field_, rng: random.Random, skill: float) -> Value:
    if field_.kind == QuestionKind.rating:
        return Value(rating=rng.choice([3, 4, 4, 5, 5]))
    if field_.kind == QuestionKind.text:
        return Value(text=rng.choice(["", "", "Más casos prácticos, por favor.", "Muy útil para mi despacho."]))
    correct = [option["id"] for option in field_.version.options if option["correct"]]
    wrong = [option["id"] for option in field_.version.options if not option["correct"]]
    return Value(choices=correct if rng.random() < skill else [rng.choice(wrong)])


def load(request) -> None:
    dbsession = request.dbsession
    past = dbsession.scalars(
        select(Training).where(Training.ends_on < dt.date.today(), Training.status == TrainingStatus.published)
        .order_by(Training.ends_on.desc(), Training.id)).all()
    # The past training with the most participants shows the most telling results.
    people, training = max(((respondents(dbsession, training.id), training) for training in past),
                           key=lambda pair: len(pair[0]), default=([], None))
    bank, rating, comment = _bank(dbsession)
    if not people:
        log.info("no past training with participants: demo question bank only")
        return
    test_ids = [question.id for question in bank.questions[:10]]
    settings = {"mastery_percent": 70, "days_open": 7, "follow_up_months": 3}
    attached = {
        Purpose.pre: questionnaires.attach(dbsession, training, {"purpose": "pre", "title": "Prueba de entrada",
                                                                 "questions": test_ids, **settings}),
        Purpose.post: questionnaires.attach(dbsession, training, {"purpose": "post", "title": "Prueba de salida",
                                                                  "questions": test_ids, **settings}),
        Purpose.satisfaction: questionnaires.attach(dbsession, training, {
            "purpose": "satisfaction", "title": "Encuesta de satisfacción", "questions": [rating.id, comment.id],
            **settings}),
    }
    rng = random.Random(17)
    now = utcnow()
    for index, registration in enumerate(people):
        for purpose, questionnaire in attached.items():
            skill = {Purpose.pre: 0.45, Purpose.post: 0.8}.get(purpose, 1)
            fields = fields_for(dbsession, questionnaire, "es")
            values = {field_.key: _answer(field_, rng, skill) for field_ in fields}
            answer_set = save_answers(dbsession, questionnaire, registration, fields, values, now=now)
            if index % 4 == 0:  # a quarter answered on paper, typed in later
                answer_set.from_paper, answer_set.entered_at = True, now
    log.info("demo evaluations: %s people answered the tests of %s", len(people), training.title)
