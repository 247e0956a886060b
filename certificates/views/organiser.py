"""The organisers' certificates tab of a training: eligibility and why, issuing, revoking,
downloads and the layout choice."""
from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import FileResponse, Response
from pyramid.view import view_config
from slugify import slugify
from sqlalchemy import and_, func, select

from participants.models import Person, Registration, RegistrationStatus
from participants.people import person_search_conditions
from trainings.forms import FieldErrors, handle_form, make_form, render_form
from trainings.i18n import _
from trainings.models import JobStatus, Programme, Region, Training, utcnow
from trainings.paging import LIST_PAGE_SIZE, Page, clamp_page, requested_page, row_path
from trainings.security import Permission
from trainings.worker import result_file

from .. import documents, exports, services
from ..eligibility import certificate_checks, certificate_totals, eligibility_page, training_eligibility
from ..labels import CERTIFICATE_KIND
from ..layouts import InvalidLayout
from ..models import Certificate, CertificateKind, CertificateLayout, TrainingCertificateLayout
from ..pdf import missing_characters
from ..schemas import ManualIssueSchema, RevokeSchema, layout_choice_schema, usable_by, usable_layouts
from . import pdf_response

# A job still queued after this long means no worker is running (`capacita worker`).
WORKER_LATE = dt.timedelta(minutes=1)


def _tab(request, training, **values) -> dict:
    return {"training": training, **values}


def _row_values(request, training) -> dict:
    """The links and labels of each row of the certificates tab, each made once for the page."""
    return {"kind_label": {kind: request.localizer.translate(label) for kind, label in CERTIFICATE_KIND.items()},
            "certificate_path": row_path(request, "certificate_pdf", "certificate_id"),
            "revoke_path": row_path(request, "certificate_revoke", "certificate_id"),
            "manual_path": row_path(request, "certificates_manual", "registration", in_query=True, id=training.id)}


def _layout_form(request, training):
    rows = request.dbsession.execute(
        select(CertificateLayout.id, CertificateLayout.name, TrainingCertificateLayout.training_id)
        .outerjoin(TrainingCertificateLayout, and_(TrainingCertificateLayout.layout_id == CertificateLayout.id,
                                                   TrainingCertificateLayout.training_id == training.id))
        .where(usable_by(request)).order_by(CertificateLayout.name)).all()
    chosen = next((str(row.id) for row in rows if row.training_id is not None), "")
    form = make_form(request, layout_choice_schema([(row.id, row.name) for row in rows]),
                     submit_label=_("Use this layout"), formid="layout",
                     action=request.route_path("certificates_layout", id=training.id),
                     focus="off")  # at the foot of the tab: focusing it would scroll the page away
    return form, {"layout": chosen}


@view_config(route_name="organiser_certificates", renderer="certificates/organiser.jinja2",
             permission=Permission.read, request_method="GET")
def certificates_tab(context, request):
    training = context.obj
    checks = certificate_checks(request, training)
    totals = certificate_totals(request.dbsession, training, checks)
    query = request.params.get("q", "").strip()[:100]
    search = person_search_conditions(request.dbsession, query)
    shown = totals.registrations if not query else request.dbsession.scalar(
        select(func.count(Registration.id)).join(Person, Person.id == Registration.person_id)
        .where(Registration.training_id == training.id, *search))
    number = clamp_page(requested_page(request.params), shown, LIST_PAGE_SIZE)
    rows = eligibility_page(request.dbsession, training, search, (number - 1) * LIST_PAGE_SIZE, LIST_PAGE_SIZE, checks)
    layout_form = render_form(*_layout_form(request, training))["form"] if request.may(Permission.manage) else None
    unprintable = {row.registration.id: missing_characters(row.registration.person.full_name) for row in rows}
    return _tab(request, training, rows=rows, unprintable=unprintable, to_issue=totals.to_issue,
                issued=totals.issued, page=Page(rows, number, LIST_PAGE_SIZE, shown), q=query,
                layout_form=layout_form, ended=_has_ended(training, totals),
                **_row_values(request, training))


def _has_ended(training, totals) -> bool:
    if totals.last_session_end is None:
        return training.has_ended()
    return totals.last_session_end <= utcnow()


@view_config(route_name="certificates_issue", request_method="GET", renderer="certificates/issue_confirm.jinja2",
             permission=Permission.manage)
def confirm_issue_all(context, request):
    """Before hundreds of emails go out: how many certificates, to whom, and who gets no mail."""
    training = context.obj
    wanted = services.to_issue(request, training)
    return {"training": training, "wanted": wanted, "ended": training.has_ended(),
            "emails": sum(1 for registration, _kind in wanted if registration.person.email),  # one per certificate
            "back": request.route_path("organiser_certificates", id=training.id)}


@view_config(route_name="certificates_issue", request_method="POST", permission=Permission.manage)
def issue_all(context, request):
    training = context.obj
    try:
        issued = services.issue_eligible(request, training, user=request.identity)
    except FieldErrors as refusal:
        request.tm.doom()
        request.session.flash(request.localizer.translate(refusal.errors[None]), "error")
        return HTTPFound(location=request.route_path("organiser_certificates", id=training.id))
    if issued:
        request.session.flash(request.localizer.pluralize(
            "${count} certificate issued and emailed.", "${count} certificates issued and emailed.", len(issued),
            domain="capacita", mapping={"count": len(issued)}), "success")
    else:
        request.session.flash(request.localizer.translate(
            _("Every eligible person already has their certificate.")), "info")
    return HTTPFound(location=request.route_path("organiser_certificates", id=training.id))


@view_config(route_name="certificates_manual", renderer="certificates/form.jinja2", permission=Permission.manage)
def issue_manually(context, request):
    training = context.obj
    registrations = [row.registration for row in training_eligibility(request.dbsession, training)
                     if row.registration.status == RegistrationStatus.confirmed]
    schema = ManualIssueSchema().bind(request=request, registrations=registrations)
    form = make_form(request, schema, submit_label=_("Issue the certificate"))

    def issue(values):
        registration = request.dbsession.get(Registration, int(values["registration"]))
        services.issue_manually(request, registration, CertificateKind(values["kind"]), values["reason"],
                                user=request.identity)
        return request.route_path("organiser_certificates", id=training.id)

    chosen = request.params.get("registration", "")
    result = handle_form(request, form, issue, appstruct={"registration": chosen},
                         success_message=_("Certificate issued and emailed."))
    if isinstance(result, dict):
        result.update(training=training, title=_("Issue a certificate by hand"),
                      back=request.route_path("organiser_certificates", id=training.id))
    return result


@view_config(route_name="certificate_revoke", renderer="certificates/form.jinja2", permission=Permission.manage)
def revoke(context, request):
    certificate = context.obj
    training = certificate.registration.training
    form = make_form(request, RevokeSchema(), submit_label=_("Revoke the certificate"))

    def act(values):
        services.revoke(request, certificate, values["reason"], user=request.identity)
        return request.route_path("organiser_certificates", id=training.id)

    result = handle_form(request, form, act, success_message=_("Certificate revoked."))
    if isinstance(result, dict):
        result.update(training=training, certificate=certificate,
                      title=_("Revoke certificate ${serial}", mapping={"serial": certificate.serial}),
                      back=request.route_path("organiser_certificates", id=training.id))
    return result


@view_config(route_name="certificate_pdf", permission=Permission.read)
def certificate_pdf(context, request):
    certificate = context.obj
    return pdf_response(documents.render_certificate(request, certificate), documents.file_name(certificate))


def _valid_certificates(request, training):
    """The renderer and contents of the training's valid certificates, or a way back."""
    certificates = documents.training_certificates(request.dbsession, training, valid_only=True)
    if not certificates:
        request.session.flash(request.localizer.translate(_("No valid certificates to download yet.")), "warning")
        return HTTPFound(location=request.route_path("organiser_certificates", id=training.id))
    return documents.renderer_for(request.dbsession, training), documents.contents_for(request, training, certificates)


@view_config(route_name="certificates_zip", permission=Permission.read)
def certificates_zip(context, request):
    training = context.obj
    prepared = _valid_certificates(request, training)
    if isinstance(prepared, HTTPFound):
        return prepared
    renderer, contents = prepared
    name = f"{slugify(training.title)[:60] or 'certificates'}-{training.id}.zip"
    return Response(app_iter=exports.zip_stream(renderer, contents), content_type="application/zip",
                    content_disposition=f'attachment; filename="{name}"', cache_control="private, no-store")


@view_config(route_name="certificates_merged", request_method="POST", permission=Permission.manage)
def certificates_merged(context, request):
    training = context.obj
    count = len(documents.training_certificates(request.dbsession, training, valid_only=True))
    if not count:
        request.session.flash(request.localizer.translate(_("No valid certificates to download yet.")), "warning")
        return HTTPFound(location=request.route_path("organiser_certificates", id=training.id))
    job = exports.queue_merged_pdf(request.dbsession, training, total=count, user=request.identity,
                                   result_name=f"{slugify(training.title)[:60] or 'certificates'}-{training.id}.pdf")
    return HTTPFound(location=request.route_path("certificates_job", job_id=job.id))


@view_config(route_name="certificates_job", renderer="certificates/job.jinja2", permission=Permission.manage)
def job_status(context, request):
    job = context.obj
    waiting = job.status == JobStatus.queued and utcnow() - job.created_at > WORKER_LATE
    return {"job": job, "finished": job.status in (JobStatus.done, JobStatus.failed), "worker_late": waiting}


@view_config(route_name="certificates_job_download", permission=Permission.manage)
def job_download(context, request):
    job = context.obj
    if job.status != JobStatus.done or not job.result_path:
        raise HTTPNotFound()
    response = FileResponse(str(result_file(request.registry.settings, job)), request=request,
                            content_type="application/pdf")
    response.content_disposition = f'attachment; filename="{job.result_name}"'
    response.cache_control = "private, no-store"
    return response


@view_config(route_name="certificates_layout", request_method="POST", renderer="certificates/organiser.jinja2",
             permission=Permission.manage)
def choose_layout(context, request):
    training = context.obj
    form, _appstruct = _layout_form(request, training)

    def choose(values):
        choice = request.dbsession.get(TrainingCertificateLayout, training.id)
        layout = request.dbsession.get(CertificateLayout, int(values["layout"])) if values["layout"] else None
        if layout is not None and layout not in usable_layouts(request):
            raise FieldErrors({"layout": _("Choose a layout from the list.")})
        if layout is None:
            if choice is not None:
                request.dbsession.delete(choice)
        elif choice is None:
            request.dbsession.add(TrainingCertificateLayout(training_id=training.id, layout_id=layout.id))
        else:
            choice.layout_id = layout.id
        return request.route_path("organiser_certificates", id=training.id)

    result = handle_form(request, form, choose, success_message=_("Layout chosen."))
    if isinstance(result, dict):  # invalid: show the tab again with the form's message
        rows = training_eligibility(request.dbsession, training, checks=certificate_checks(request, training))
        return _tab(request, training, rows=rows, unprintable={}, to_issue=0, issued=0,
                    layout_form=result["form"], ended=training.has_ended())
    return result


@view_config(route_name="certificates_preview", permission=Permission.read)
def preview(context, request):
    """The training's layout with sample data, marked SAMPLE, before anything is issued."""
    training = context.obj
    row = documents.training_layout_row(request.dbsession, training)
    try:
        body = sample_pdf(request, training, row)
    except InvalidLayout:
        raise HTTPNotFound() from None
    return pdf_response(body, f"sample-{training.id}.pdf")


def sample_pdf(request, training, layout_row) -> bytes:
    """The training's certificate for an invented participant, in the layout it uses."""
    renderer = documents.cached_renderer(
        "default" if layout_row is None else (layout_row.id, layout_row.updated_at),
        lambda: documents.layout_of(layout_row))
    return renderer.render(sample_content(request, str(training.language), training))


def sample_content(request, language: str, training: Training | None = None):
    """The words of a certificate for an invented participant of `training` (or of an invented
    training), in `language`, stamped SAMPLE. None of these objects is added to the session."""
    if training is None:
        training = _invented_training(language)
        hours = dt.timedelta(hours=7, minutes=30)
    else:
        hours = sum((session.duration for session in training.sessions if not session.cancelled), dt.timedelta(0))
    person = Person(given_names="María José", family_names="Ñahui D'Ángelo", preferred_language=language)
    registration = Registration(training=training, person=person)
    certificate = Certificate(registration=registration, kind=CertificateKind.attendance,
                              serial=f"{training.region.country}-{dt.date.today().year}-000000",
                              verification_code="0000-0000-0000-00", language=language,
                              issued_at=dt.datetime.combine(training.ends_on, dt.time(12), dt.UTC))
    return documents.content_for(request, documents.state_facts(certificate, registration, documents.Facts(hours)),
                                 stamp_sample=True)


def _invented_training(language: str) -> Training:
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=20)
    return Training(title="Taller de investigación de la trata de personas y delitos conexos",
                    programme=Programme(name="Programa de fortalecimiento de capacidades contra la trata de personas"),
                    region=Region(country="PE", name="Puno", city="Juliaca", timezone="America/Lima"),
                    starts_on=last_month, ends_on=last_month + dt.timedelta(days=1), language=language)
