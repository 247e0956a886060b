"""Route factories: the indicator, person or institution a URL names, or 404."""
from __future__ import annotations

from participants.models import Institution, Person
from participants.scoping import visible_person_or_404
from trainings.resources import ObjectContext

from .models import Indicator


class IndicatorContext(ObjectContext):
    model = Indicator


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
