"""The organisers' evaluations tab of a training: attaching questionnaires, editing and copying
them, the printable version, the paper grid, and the results with their spreadsheet."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config
from slugify import slugify

from participants.spreadsheets import CONTENT_TYPES
from trainings.forms import FieldErrors, make_form, render_form
from trainings.i18n import _
from trainings.models import Training, utcnow
from trainings.paging import requested_page
from trainings.resources import get_by_id
from trainings.security import Permission
from trainings.views import form_page

from .. import exports, paper, questionnaires
from ..answers import fields_for, respondents
from ..results import training_results
from ..schemas import CopySchema, question_ids, questionnaire_schema
from ..texts import LANGUAGES
from ..windows import window


@view_config(route_name="organiser_evaluations", renderer="evaluations/organiser.jinja2",
             permission=Permission.manage)
def evaluations_tab(context, request):
    training = context.training
    listed = [{"questionnaire": questionnaire, "window": window(questionnaire),
               "answers": questionnaires.answer_count(request.dbsession, questionnaire)}
              for questionnaire in questionnaires.training_questionnaires(request.dbsession, training.id)]
    return {"training": training, "listed": listed}


def _with_question_ids(values: dict) -> dict:
    return {**values, "questions": question_ids(values)}


@view_config(route_name="evaluation_attach", renderer="evaluations/form.jinja2", permission=Permission.manage)
def attach(context, request):
    training = context.training
    form = make_form(request, questionnaire_schema(with_purpose=True), submit_label=_("Attach to the training"),
                     action=request.route_path("evaluation_attach", id=training.id))

    def create(values):
        questionnaire = questionnaires.attach(request.dbsession, training, _with_question_ids(values))
        return request.route_path("questionnaire", id=questionnaire.id)

    return form_page(request, form, create, appstruct={"purpose": request.params.get("purpose", "pre")},
                     success_message=_("Questionnaire attached."),
                     page={"heading": _("Attach a questionnaire"), "training": training})


@view_config(route_name="questionnaire", renderer="evaluations/questionnaire.jinja2", permission=Permission.manage)
def questionnaire_page(context, request):
    questionnaire = context.object
    form = make_form(request, questionnaire_schema(with_purpose=False), submit_label=_("Save"),
                     action=request.route_path("questionnaire", id=questionnaire.id))

    def save(values):
        questionnaires.update(request.dbsession, questionnaire, _with_question_ids(values))
        return request.route_path("questionnaire", id=questionnaire.id)

    appstruct = {name: getattr(questionnaire, name) for name in questionnaires.SETTINGS}
    appstruct["questions"] = {str(item.question_id) for item in questionnaire.items}
    copy_form = make_form(request, CopySchema(), formid="copy",
                          submit_label=_("Copy"), action=request.route_path("questionnaire_copy", id=questionnaire.id))
    return form_page(request, form, save, appstruct=appstruct, success_message=_("Questionnaire saved."), page={
        "questionnaire": questionnaire, "training": questionnaire.training, "window": window(questionnaire),
        "answers": questionnaires.answer_count(request.dbsession, questionnaire),
        "copy_form": render_form(copy_form)["form"]})


@view_config(route_name="questionnaire_copy", renderer="evaluations/form.jinja2", request_method="POST",
             permission=Permission.manage)
def questionnaire_copy(context, request):
    questionnaire = context.object
    form = make_form(request, CopySchema(), formid="copy",
                     submit_label=_("Copy"), action=request.route_path("questionnaire_copy", id=questionnaire.id))

    def copy(values):
        target = get_by_id(request.dbsession, Training, str(values["training_id"]))
        if target is None or target.id == questionnaire.training_id:
            raise FieldErrors({"training_id": _("Choose a training.")})
        try:
            questionnaires.copy_to(request.dbsession, questionnaire, target)
        except FieldErrors as refusal:  # the target already has one for this purpose: say it by the choice
            raise FieldErrors({"training_id": next(iter(refusal.errors.values()))}) from None
        return request.route_path("organiser_evaluations", id=target.id)

    return form_page(request, form, copy, success_message=_("Questionnaire copied."), page={
        "heading": _("Copy the questionnaire"), "training": questionnaire.training})


def _print_language(request, questionnaire) -> str:
    language = request.params.get("language", "")
    return language if language in LANGUAGES else str(questionnaire.training.language)


@view_config(route_name="questionnaire_print", renderer="evaluations/print.jinja2", permission=Permission.manage)
def questionnaire_print(context, request):
    questionnaire = context.object
    language = _print_language(request, questionnaire)
    return {"questionnaire": questionnaire, "training": questionnaire.training, "language": language,
            "fields": fields_for(request.dbsession, questionnaire, language), "languages": LANGUAGES}


@view_config(route_name="questionnaire_grid", renderer="evaluations/grid.jinja2", permission=Permission.manage)
def questionnaire_grid(context, request):
    questionnaire = context.object
    fields = fields_for(request.dbsession, questionnaire, request.locale_name)
    grid_page = paper.page_of(respondents(request.dbsession, questionnaire.training_id), requested_page(request.params))
    number = grid_page.number
    rows = paper.grid_rows(request.dbsession, questionnaire, grid_page.items, fields)
    page = {"questionnaire": questionnaire, "training": questionnaire.training, "fields": fields, "rows": rows,
            "cell_name": paper.cell_name, "refused": False, "page": grid_page}
    if request.method != "POST":
        return page
    saved = paper.save_grid(request.dbsession, questionnaire, rows, fields, request.POST,
                            user=request.identity, now=utcnow())
    if saved is None:
        request.response.status_int = 400
        page["refused"] = True
        return page
    request.session.flash(request.localizer.pluralize(
        "${count} person's paper answers saved.", "${count} people's paper answers saved.", saved,
        domain="capacita", mapping={"count": saved}), "success")
    return HTTPFound(location=request.route_path("questionnaire_grid", id=questionnaire.id,
                                                 _query={"page": number} if number > 1 else {}))


@view_config(route_name="evaluation_results", renderer="evaluations/results.jinja2", permission=Permission.manage)
def results_page(context, request):
    training = context.training
    return {"training": training, "results": training_results(request.dbsession, training, request.locale_name)}


@view_config(route_name="evaluation_results_xlsx", permission=Permission.manage)
def results_xlsx(context, request):
    training = context.training
    results = training_results(request.dbsession, training, request.locale_name)
    name = f"{slugify(training.title)[:60]}-{training.id}-evaluations.xlsx"
    return Response(body=exports.results_workbook(request, results), content_type=CONTENT_TYPES["xlsx"],
                    content_disposition=f'attachment; filename="{name}"', cache_control="private, no-store")
