"""Route factories: the object a page is about, or 404. Every one carries the base ACL."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from participants.resources import PrivateLinkContext
from trainings.resources import ObjectContext, get_or_404

from .models import Question, QuestionBank, Questionnaire


class BankContext(ObjectContext):
    model = QuestionBank


class QuestionContext(ObjectContext):
    model = Question


class QuestionnaireContext(ObjectContext):
    """A questionnaire is its training's: guarded by the training's organisation."""

    model = Questionnaire

    @property
    def organisation_id(self) -> int | None:
        return self.object.training.organisation_id


class MyQuestionnaireContext(PrivateLinkContext):
    """A questionnaire of the training a private link's registration is for; 404 otherwise (the
    link of another training must not reveal that a questionnaire exists)."""

    def __init__(self, request):
        super().__init__(request)
        self.questionnaire = None
        if self.registration is not None:
            questionnaire = get_or_404(request.dbsession, Questionnaire, request.matchdict.get("questionnaire_id"))
            if questionnaire.training_id != self.registration.training_id:
                raise HTTPNotFound()
            self.questionnaire = questionnaire
