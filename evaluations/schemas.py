"""Form schemas of the evaluations package."""
import colander
import deform
from sqlalchemy import select

from trainings.forms import CSRFSchema
from trainings.i18n import _
from trainings.models import Language, Training, TrainingStatus
from trainings.scoping import editable_organisation_ids, scope_to_organisations

from .labels import PURPOSE, QUESTION_KIND
from .models import QuestionBank
from .texts import text_in

LANGUAGE_TITLES = {"es": _("Text in Spanish"), "en": _("Text in English"), "fr": _("Text in French")}


def _texts(node_class, rows: int = 2):
    for language in Language:
        node_class.add(colander.SchemaNode(
            colander.String(), name=f"text_{language}", title=LANGUAGE_TITLES[str(language)], missing="",
            validator=colander.Length(max=2000), widget=deform.widget.TextAreaWidget(rows=rows)))


class BankSchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(1, 200))
    language = colander.SchemaNode(
        colander.String(), title=_("Language every question must be written in"),
        widget=deform.widget.SelectWidget(values=[("es", "Español"), ("en", "English"), ("fr", "Français")]),
        validator=colander.OneOf([str(language) for language in Language]), default="es")


def question_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(colander.SchemaNode(
        colander.String(), name="kind", title=_("Kind of question"),
        widget=deform.widget.SelectWidget(values=list(QUESTION_KIND.items())),
        validator=colander.OneOf([str(kind) for kind in QUESTION_KIND])))
    _texts(schema)
    schema.add(colander.SchemaNode(colander.Int(), name="points", title=_("Points"), default=1,
                                   validator=colander.Range(0, 100),
                                   description=_("Earned when exactly the correct options are chosen.")))
    # Built afresh for every form: nodes added to a class-level node would pile up across requests.
    option = colander.MappingSchema(name="option", title=_("Option"))
    option.add(colander.SchemaNode(colander.Boolean(), name="correct", title=_("Correct answer"), missing=False))
    _texts(option, rows=1)
    options = colander.SequenceSchema(option, name="options", title=_("Options (choice questions)"), missing=[],
                                      widget=deform.widget.SequenceWidget(
                                          min_len=0, max_len=10, add_subitem_text_template=_("Add an option")))
    schema.add(options)
    return schema


@colander.deferred
def _question_choices(node, kw):
    request = kw["request"]
    language = request.locale_name
    banks = request.dbsession.scalars(select(QuestionBank).order_by(QuestionBank.name)).all()
    values = [(str(question.id), f"{bank.name} · {text_in(question.current.texts, language, str(bank.language))}")
              for bank in banks for question in bank.questions]
    return deform.widget.CheckboxChoiceWidget(values=values)


class QuestionIds(colander.SequenceSchema):
    question = colander.SchemaNode(colander.Int())


def questionnaire_schema(with_purpose: bool) -> CSRFSchema:
    schema = CSRFSchema()
    if with_purpose:
        schema.add(colander.SchemaNode(
            colander.String(), name="purpose", title=_("Purpose"),
            widget=deform.widget.SelectWidget(values=list(PURPOSE.items())),
            validator=colander.OneOf([str(purpose) for purpose in PURPOSE])))
    schema.add(colander.SchemaNode(colander.String(), name="title", title=_("Title"),
                                   validator=colander.Length(1, 200)))
    schema.add(colander.SchemaNode(
        colander.Set(), name="questions", title=_("Questions, from the question banks"), widget=_question_choices,
        validator=colander.Length(1, 100, min_err=_("Choose at least one question."))))
    schema.add(colander.SchemaNode(colander.Int(), name="mastery_percent", title=_("Mastery mark (%)"), default=70,
                                   validator=colander.Range(0, 100),
                                   description=_("A test score at or above this mark counts as mastery.")))
    schema.add(colander.SchemaNode(
        colander.Int(), name="days_open", title=_("Days open"), default=7, validator=colander.Range(1, 90),
        description=_("A pre-test opens this many days before the first session; a post-test and a "
                      "satisfaction survey stay open this many days after the last one; a follow-up this long.")))
    schema.add(colander.SchemaNode(
        colander.Int(), name="follow_up_months", title=_("Follow-up after (months)"), default=3,
        validator=colander.Range(1, 24)))
    schema.add(colander.SchemaNode(
        colander.Boolean(), name="required_for_certificate", missing=False,
        title=_("The attendance certificate requires passing this post-test"),
        description=_("Only for a post-test: a score at or above the mastery mark.")))
    return schema


def question_ids(values: dict) -> list[int]:
    """The chosen questions in the order they were written (a Set comes unordered)."""
    return sorted(int(value) for value in values["questions"] if str(value).isdigit())


def copy_targets(request) -> list[Training]:
    """The trainings a questionnaire may be copied to: the latest 300 not cancelled, other than its
    own, of the organisations the user works in (remembered for the request: widget and validator)."""
    key = "_capacita_copy_targets"
    if key not in request.__dict__:
        current = request.context.object.training  # the questionnaire being copied
        request.__dict__[key] = request.dbsession.scalars(scope_to_organisations(
            select(Training).where(Training.id != current.id, Training.status != TrainingStatus.cancelled)
            .order_by(Training.starts_on.desc(), Training.id.desc()).limit(300),
            request, Training.organisation_id, editable_organisation_ids(request))).all()
    return request.__dict__[key]


@colander.deferred
def _training_choices(node, kw):
    return deform.widget.SelectWidget(values=[("", _("Choose a training"))] + [
        (str(training.id), f"{training.title} · {training.starts_on.isoformat()}")
        for training in copy_targets(kw["request"])])


@colander.deferred
def _training_validator(node, kw):
    return colander.OneOf([training.id for training in copy_targets(kw["request"])],
                          msg_err=_("Choose a training."))


class CopySchema(CSRFSchema):
    training_id = colander.SchemaNode(colander.Int(), title=_("Copy to the training"), widget=_training_choices,
                                      validator=_training_validator)
