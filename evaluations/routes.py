"""The evaluations' addresses. Participants answer under their private link (`/me/{token}/…`)."""
from trainings.i18n import _
from trainings.resources import TrainingContext
from trainings.security import Permission

from .resources import BankContext, MyQuestionnaireContext, QuestionContext, QuestionnaireContext


def includeme(config):
    # participants, from their private link
    config.add_route("my_questionnaire", "/me/{token}/evaluations/{questionnaire_id:\\d+}",
                     factory=MyQuestionnaireContext)
    # organisers: question banks
    config.add_route("question_banks", "/organiser/question-banks")
    config.add_route("question_bank", "/organiser/question-banks/{id:\\d+}", factory=BankContext)
    config.add_route("question_new", "/organiser/question-banks/{id:\\d+}/questions/new", factory=BankContext)
    config.add_route("question_edit", "/organiser/questions/{id:\\d+}", factory=QuestionContext)
    # organisers: a training's questionnaires and results
    training = {"factory": TrainingContext}
    config.add_route("organiser_evaluations", "/organiser/trainings/{id:\\d+}/evaluations", **training)
    config.add_route("evaluation_attach", "/organiser/trainings/{id:\\d+}/evaluations/new", **training)
    config.add_route("evaluation_results", "/organiser/trainings/{id:\\d+}/evaluations/results", **training)
    config.add_route("evaluation_results_xlsx", "/organiser/trainings/{id:\\d+}/evaluations/results.xlsx",
                     **training)
    questionnaire = {"factory": QuestionnaireContext}
    config.add_route("questionnaire", "/organiser/questionnaires/{id:\\d+}", **questionnaire)
    config.add_route("questionnaire_copy", "/organiser/questionnaires/{id:\\d+}/copy", **questionnaire)
    config.add_route("questionnaire_print", "/organiser/questionnaires/{id:\\d+}/print", **questionnaire)
    config.add_route("questionnaire_grid", "/organiser/questionnaires/{id:\\d+}/paper", **questionnaire)

    config.add_training_tab("organiser_evaluations", _("Evaluations"), Permission.manage, order=50)
    config.add_navigation_item("question_banks", _("Question banks"), Permission.manage, order=86, setup=True)
    config.add_registration_panel("evaluations/_my_questionnaires.jinja2", order=35)
    config.include(".questionnaires")
    config.include(".scheduling")

    from .certification import passed_post_test

    config.add_certificate_condition(passed_post_test)

    from .labels import PURPOSE, QUESTION_KIND
    from .views.participant import my_questionnaires

    config.add_request_method(my_questionnaires, "registration_questionnaires")
    config.get_jinja2_environment(".jinja2").globals.update(labels_purpose=PURPOSE, labels_question_kind=QUESTION_KIND)
