from .i18n import _
from .resources import (
    AccountContext,
    OrganisationContext,
    ProgrammeContext,
    RegionContext,
    SessionContext,
    TrainingContext,
    VenueContext,
)
from .security import Permission


def includeme(config):
    config.add_route("home", "/")
    config.add_route("login", "/login")
    config.add_route("logout", "/logout")
    config.add_route("dashboard", "/organiser")
    # Accounts: one's own password, forgotten passwords, set-password links; members and organisations.
    config.add_route("account", "/account")
    config.add_route("account_two_factor", "/account/two-factor")
    config.add_route("login_code", "/login/code")
    config.add_route("password_forgotten", "/password/forgotten")
    config.add_route("password_set", "/password/set/{token}")
    config.add_route("accounts", "/organiser/accounts")
    config.add_route("account_invite", "/organiser/accounts/invite")
    config.add_route("account_edit", r"/organiser/accounts/{id:\d+}/edit", factory=AccountContext)
    config.add_route("organisations", "/organiser/organisations")
    config.add_route("organisation_new", "/organiser/organisations/new")
    config.add_route("organisation_edit", r"/organiser/organisations/{id:\d+}/edit", factory=OrganisationContext)
    # Public pages and the JSON API; a training's public address never changes.
    config.add_route("trainings", "/trainings")
    config.add_route("training", r"/trainings/{id:\d+}")
    config.add_route("training_slug", r"/trainings/{id:\d+}/{slug}")
    config.add_route("api_trainings", "/api/trainings")
    config.add_route("api_training", r"/api/trainings/{id:\d+}")
    # Organisers.
    config.add_route("organiser_calendar", "/organiser/calendar")
    config.add_route("outbox", "/organiser/outbox")
    config.add_route("outbox_retry", "/organiser/outbox/retry")
    config.add_route("audit", "/organiser/audit")
    config.add_route("organiser_trainings", "/organiser/trainings")
    config.add_route("training_new", "/organiser/trainings/new")
    for name, pattern in [
        ("organiser_training", ""), ("training_edit", "/edit"), ("training_publish", "/publish"),
        ("training_cancel", "/cancel"), ("training_duplicate", "/duplicate"), ("session_new", "/sessions/new"),
        ("training_delete", "/delete"),
    ]:
        config.add_route(name, r"/organiser/trainings/{id:\d+}" + pattern, factory=TrainingContext)
    for name, pattern in [
        ("session_edit", "/edit"), ("session_cancel", "/cancel"), ("session_delete", "/delete"),
        ("session_move", "/move"),
    ]:
        config.add_route(name, r"/organiser/sessions/{id:\d+}" + pattern, factory=SessionContext)
    for plural, context in [("regions", RegionContext), ("venues", VenueContext), ("programmes", ProgrammeContext)]:
        singular = plural[:-1]
        config.add_route(plural, f"/organiser/{plural}")
        config.add_route(f"{singular}_new", f"/organiser/{plural}/new")
        config.add_route(f"{singular}_edit", rf"/organiser/{plural}/{{id:\d+}}/edit", factory=context)

    config.add_training_tab("organiser_training", _("Overview"), Permission.read, order=10)
    config.add_navigation_item("trainings", _("Trainings"), Permission.view, order=5)
    config.add_navigation_item("dashboard", _("Dashboard"), Permission.read, order=10)
    config.add_navigation_item("organiser_calendar", _("Calendar"), Permission.read, order=12)
    config.add_navigation_item("regions", _("Regions and venues"), Permission.read, order=80, setup=True)
    config.add_navigation_item("programmes", _("Programmes"), Permission.read, order=82, setup=True)
    config.add_navigation_item("accounts", _("Accounts"), Permission.members, order=90, setup=True)
    config.add_navigation_item("organisations", _("Organisations"), Permission.administer, order=91, setup=True)
    config.add_navigation_item("outbox", _("Outbox"), Permission.administer, order=95, setup=True)
    config.add_navigation_item("audit", _("Audit log"), Permission.administer, order=96, setup=True)
