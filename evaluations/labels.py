"""Translated names of the evaluations' enumerations."""
from trainings.i18n import _

from .models import Purpose, QuestionKind

PURPOSE = {
    Purpose.pre: _("Pre-test"),
    Purpose.post: _("Post-test"),
    Purpose.satisfaction: _("Satisfaction survey"),
    Purpose.follow_up: _("Follow-up"),
}

QUESTION_KIND = {
    QuestionKind.single: _("Single choice"),
    QuestionKind.multiple: _("Multiple choice"),
    QuestionKind.rating: _("Rating from 1 to 5"),
    QuestionKind.text: _("Free text"),
}
