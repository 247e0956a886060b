"""The results as a workbook: people (scores and gain), groups (by sex and kind of institution),
item analysis, satisfaction and comments. Numbers go in number cells, text in text cells that
no spreadsheet runs as a formula (participants.spreadsheets writes them)."""
from __future__ import annotations

from participants import labels as participant_labels
from participants.spreadsheets import Table, as_xlsx
from trainings.i18n import _

from .labels import PURPOSE
from .results import Results, Summary


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def people_table(request, results: Results) -> Table:
    translate = request.localizer.translate
    header = [translate(text) for text in (
        _("Given names"), _("Family names"), _("Sex"), _("Institution"), _("Kind of institution"),
        _("Pre-test (%)"), _("Post-test (%)"), _("Gain (points)"), _("Reaches mastery"), _("Typed from paper"))]
    rows = []
    for person_result in results.people:
        person = person_result.registration.person
        institution = person.institution
        paper = [translate(PURPOSE[purpose]) for purpose, flag in
                 (("pre", person_result.pre_from_paper), ("post", person_result.post_from_paper)) if flag]
        rows.append([
            person.given_names, person.family_names,
            translate(participant_labels.SEX[person.sex]) if person.sex else "",
            institution.name if institution else "",
            translate(participant_labels.INSTITUTION_KIND[institution.kind]) if institution else "",
            _rounded(person_result.pre), _rounded(person_result.post), _rounded(person_result.gain),
            "" if person_result.post is None else translate(_("Yes") if person_result.reaches(results.mastery_mark)
                                                             else _("No")),
            ", ".join(paper),
        ])
    return Table(translate(_("People")), header, rows)


def _group_rows(request, groups: list[Summary], names: dict) -> list[list]:
    translate = request.localizer.translate
    return [[translate(names[group.key]) if group.key in names else translate(_("Not stated")),
             group.people, _rounded(group.pre_mean), _rounded(group.post_mean), group.paired,
             _rounded(group.gain_mean), _percent(group.mastery_share)] for group in groups]


def groups_table(request, results: Results) -> Table:
    translate = request.localizer.translate
    header = [translate(text) for text in (
        _("Group"), _("People"), _("Mean pre-test (%)"), _("Mean post-test (%)"), _("Answered both"),
        _("Mean gain (points)"), _("Reaching mastery (%)"))]
    rows = [[translate(_("Everyone")), results.overall.people, _rounded(results.overall.pre_mean),
             _rounded(results.overall.post_mean), results.overall.paired, _rounded(results.overall.gain_mean),
             _percent(results.overall.mastery_share)]]
    rows += _group_rows(request, results.by_sex, {str(key): value for key, value in participant_labels.SEX.items()})
    rows += _group_rows(request, results.by_institution_kind,
                        {str(key): value for key, value in participant_labels.INSTITUTION_KIND.items()})
    return Table(translate(_("Groups")), header, rows)


def items_table(request, results: Results) -> Table:
    translate = request.localizer.translate
    header = [translate(text) for text in (_("Test"), _("Question"), _("Answered"), _("Correct"), _("Correct (%)"))]
    rows = [[translate(PURPOSE[purpose]), item.label, item.answered, item.correct, _percent(item.share_correct)]
            for purpose, items in results.items.items() for item in items]
    return Table(translate(_("Questions")), header, rows)


def satisfaction_table(request, results: Results) -> Table:
    translate = request.localizer.translate
    header = [translate(text) for text in (_("Rated"), _("Name"), _("Answers"), _("Mean (1–5)"))]
    rows = [[translate(_("Session")), rating.label, rating.count, _rounded(rating.mean)] for rating in results.sessions]
    rows += [[translate(_("Speaker")), rating.label, rating.count, _rounded(rating.mean)]
             for rating in results.speakers]
    rows += [[translate(PURPOSE[purpose]), rating.label, rating.count, _rounded(rating.mean)]
             for purpose, ratings in results.rating_questions.items() for rating in ratings]
    return Table(translate(_("Satisfaction")), header, rows)


def comments_table(request, results: Results) -> Table:
    translate = request.localizer.translate
    header = [translate(_("Questionnaire")), translate(_("Question")), translate(_("Comment"))]
    rows = [[translate(PURPOSE[comment.purpose]), comment.question, comment.text] for comment in results.comments]
    return Table(translate(_("Comments")), header, rows)


def results_workbook(request, results: Results) -> bytes:
    return as_xlsx(people_table(request, results), groups_table(request, results), items_table(request, results),
                   satisfaction_table(request, results), comments_table(request, results))
