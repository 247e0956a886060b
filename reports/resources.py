"""Route factories: the indicator, person or institution a URL names, or 404."""
from __future__ import annotations

from participants.models import Institution, Person
from trainings.resources import ObjectContext

from .models import Indicator


class IndicatorContext(ObjectContext):
    model = Indicator


class PersonContext(ObjectContext):
    model = Person


class InstitutionContext(ObjectContext):
    model = Institution


indicator_factory = IndicatorContext
person_factory = PersonContext
institution_factory = InstitutionContext
