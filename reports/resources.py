"""Route factories: the indicator, person or institution a URL names, or 404."""
from __future__ import annotations

from pyramid.authorization import Allow, Everyone

from participants.models import Institution, Person
from participants.scoping import visible_person_or_404
from trainings.resources import ObjectContext
from trainings.security import ADMIN_PERMISSIONS, ROLE_PERMISSIONS, Permission, role_principal

from .models import Indicator

# Indicators shared by every organisation (the presets, those older than organisations): every
# member reads them, administrators change them.
SHARED_INDICATOR_ACL = (
    (Allow, Everyone, Permission.view),
    (Allow, role_principal("admin"), ADMIN_PERMISSIONS),
    *((Allow, role_principal(role), (Permission.read,)) for role in ROLE_PERMISSIONS),
)


class IndicatorContext(ObjectContext):
    """An indicator: guarded by its organisation's roles, or shared (`SHARED_INDICATOR_ACL`)."""

    model = Indicator

    def __init__(self, request, indicator: Indicator | None = None):
        if indicator is None:
            super().__init__(request)
        else:
            self.request, self.object = request, indicator

    @property
    def __acl__(self):
        return SHARED_INDICATOR_ACL if self.organisation_id is None else super().__acl__


def may_change_indicator(request, indicator: Indicator) -> bool:
    """Whether the user may edit `indicator` (presets are never edited): the edit page's rule,
    for the list to offer the button only to those it would not refuse."""
    return indicator.preset is None and bool(
        request.has_permission(Permission.manage, IndicatorContext(request, indicator)))


class PersonContext(ObjectContext):
    """A person: 404 to a member who sees nobody of that name (not registered in their
    organisations' trainings)."""

    model = Person

    def __init__(self, request):
        self.request = request
        self.object = visible_person_or_404(request, request.matchdict.get("id"))


class InstitutionContext(ObjectContext):
    model = Institution


indicator_factory = IndicatorContext
person_factory = PersonContext
institution_factory = InstitutionContext
