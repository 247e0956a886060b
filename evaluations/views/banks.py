"""Question banks and their questions (organisers)."""
from __future__ import annotations

from pyramid.view import view_config
from sqlalchemy import select

from trainings.forms import make_form
from trainings.i18n import _
from trainings.security import Permission
from trainings.views import form_page

from .. import questions
from ..models import QuestionBank
from ..schemas import BankSchema, question_schema

BLANK_OPTIONS = [{"correct": False}] * 4  # room for four options on a new question


@view_config(route_name="question_banks", renderer="evaluations/banks.jinja2", permission=Permission.manage)
def banks(request):
    form = make_form(request, BankSchema(), submit_label=_("Create the bank"),
                     action=request.route_path("question_banks"))

    def create(values):
        bank = questions.create_bank(request.dbsession, values["name"], values["language"])
        return request.route_path("question_bank", id=bank.id)

    return form_page(request, form, create, success_message=_("Question bank created."), page={
        "banks": request.dbsession.scalars(select(QuestionBank).order_by(QuestionBank.name)).all()})


@view_config(route_name="question_bank", renderer="evaluations/bank.jinja2", permission=Permission.manage)
def bank(context, request):
    return {"bank": context.object}


@view_config(route_name="question_new", renderer="evaluations/question_form.jinja2", permission=Permission.manage)
def question_new(context, request):
    bank = context.object
    form = make_form(request, question_schema(), submit_label=_("Add the question"),
                     action=request.route_path("question_new", id=bank.id))

    def add(values):
        questions.add_question(request.dbsession, bank, values, request.identity)
        return request.route_path("question_bank", id=bank.id)

    return form_page(request, form, add, appstruct={"options": BLANK_OPTIONS, "points": 1},
                     success_message=_("Question added."),
                     page={"bank": bank, "question": None, "answered": False})


@view_config(route_name="question_edit", renderer="evaluations/question_form.jinja2", permission=Permission.manage)
def question_edit(context, request):
    question = context.object
    form = make_form(request, question_schema(), submit_label=_("Save the question"),
                     action=request.route_path("question_edit", id=question.id))
    answered = questions.has_answers(request.dbsession, question.current)

    def save(values):
        version = questions.save_question(request.dbsession, question, values, request.identity)
        if version.number > 1 and answered:
            request.session.flash(request.localizer.translate(_(
                "People had answered this question: it was saved as version ${number}; their answers keep "
                "the version they answered.", mapping={"number": version.number})), "info")
        return request.route_path("question_bank", id=question.bank_id)

    return form_page(request, form, save, appstruct=questions.form_values(question.current),
                     success_message=_("Question saved."),
                     page={"bank": question.bank, "question": question, "answered": answered})
