"""Routes of the participants package (the URL map of the briefing)."""
from trainings.i18n import _
from trainings.security import Permission

from .resources import PersonContext, PrivateLinkContext, TrainingContext

TRAINING = "/organiser/trainings/{id:\\d+}"


def includeme(config):
    config.add_route("register", "/register/{id:\\d+}", factory=TrainingContext)
    config.add_route("register_done", "/register/{id:\\d+}/done", factory=TrainingContext)
    config.add_route("my_registration", "/me/{token}", factory=PrivateLinkContext)
    config.add_route("my_registration_cancel", "/me/{token}/cancel", factory=PrivateLinkContext)
    config.add_route("my_registration_confirm", "/me/{token}/confirm", factory=PrivateLinkContext)
    config.add_route("my_registration_revoke", "/me/{token}/revoke", factory=PrivateLinkContext)
    config.add_route("my_details", "/me/{token}/details", factory=PrivateLinkContext)
    config.add_route("my_email_confirm", "/email-change/{signed}")
    config.add_route("lost_link", "/lost-link")

    config.add_route("organiser_registrations", TRAINING + "/registrations", factory=TrainingContext)
    config.add_route("registrations_export", TRAINING + "/registrations.{format:csv|xlsx}", factory=TrainingContext)
    config.add_route("registration_new", TRAINING + "/registrations/new", factory=TrainingContext)
    config.add_route("registrations_bulk", TRAINING + "/registrations/bulk", factory=TrainingContext)
    config.add_route("registration_action",
                     TRAINING + "/registrations/{registration_id:\\d+}/{action:approve|cancel|move}",
                     factory=TrainingContext)
    config.add_route("participant_import", TRAINING + "/import", factory=TrainingContext)
    config.add_route("participant_import_preview", TRAINING + "/import/{import_id:\\d+}", factory=TrainingContext)
    config.add_route("participant_import_report", TRAINING + "/import/{import_id:\\d+}/rejected.csv",
                     factory=TrainingContext)

    config.add_route("people", "/organiser/people")
    config.add_route("people_export", "/organiser/people.{format:csv|xlsx}")
    config.add_route("duplicates", "/organiser/people/duplicates")
    config.add_route("people_merge", "/organiser/people/merge")
    config.add_route("person", "/organiser/people/{id:\\d+}", factory=PersonContext)
    config.add_route("person_edit", "/organiser/people/{id:\\d+}/edit", factory=PersonContext)
    config.add_route("person_data", "/organiser/people/{id:\\d+}/data.{format:json|xlsx}", factory=PersonContext)
    config.add_route("person_anonymise", "/organiser/people/{id:\\d+}/anonymise", factory=PersonContext)

    config.add_training_tab("organiser_registrations", _("Registrations"), Permission.read, order=20)
    config.add_navigation_item("people", _("People"), Permission.read, order=40)
    config.add_throttle("lost_link", "5/hour")
    config.add_throttle("lost_link_recipient", "3/day")
    # Generous: a whole office often registers from behind one address.
    config.add_throttle("registration", "200/hour")
    # Confirmation emails to one address, and sign-ups to one training (bots fill the form in bulk).
    config.add_throttle("registration_address", "3/hour")
    config.add_throttle("registration_training", "120/10 minutes")
