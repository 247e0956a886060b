"""A training's attendance certificate may require a passed post-test: a score at or above its
mastery mark. Added to the certificates' eligibility as a condition (certificates never
imports this package), so that the eligibility explanation says it, met or not."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainings.i18n import _
from trainings.models import Training

from .models import Purpose, Questionnaire
from .results import answer_sets_of, score


def _percent(value: float) -> str:
    return f"{round(value, 1):g}"


def passed_post_test(dbsession: Session, training: Training):
    post = dbsession.scalar(select(Questionnaire).where(
        Questionnaire.training_id == training.id, Questionnaire.purpose == Purpose.post,
        Questionnaire.required_for_certificate.is_(True)))
    if post is None:
        return None
    mark = post.mastery_percent
    scores = {answer_set.registration_id: score(post, answer_set) for answer_set in answer_sets_of(dbsession, post)}

    def check(registration_id: int):
        value = scores.get(registration_id)
        if value is None:
            return False, _("The certificate requires passing the post-test (${mark} %), not taken yet.",
                            mapping={"mark": mark})
        if value >= mark:
            return True, _("Passed the post-test: ${score} %, mark ${mark} %.",
                           mapping={"score": _percent(value), "mark": mark})
        return False, _("Post-test ${score} %, below the mark of ${mark} % the certificate requires.",
                        mapping={"score": _percent(value), "mark": mark})

    return check
