"""What a member sees of the shared person registry: the people registered in their
organisations' trainings, and those registrations only. Built on `trainings.scoping`; every
people list, search, export and transcript goes through these."""
from __future__ import annotations

from sqlalchemy import exists, select

from trainings.models import Training
from trainings.scoping import scope_trainings, visible_organisation_ids

from .models import Registration


def sees_everyone(request) -> bool:
    return visible_organisation_ids(request) is None


def visible_person_ids(request):
    """A subquery of the ids of the people the user may see, or None for everyone (admins)."""
    if sees_everyone(request):
        return None
    return scope_trainings(
        select(Registration.person_id).join(Training, Training.id == Registration.training_id), request)


def scope_people(query, request, person_id_column):
    """`query` narrowed to the people the user may see."""
    visible = visible_person_ids(request)
    return query if visible is None else query.where(person_id_column.in_(visible))


def scope_registrations(query, request, training_id_column=Registration.training_id):
    """`query` over registrations narrowed to those of the user's organisations' trainings."""
    if sees_everyone(request):
        return query
    return query.where(training_id_column.in_(scope_trainings(select(Training.id), request)))


def visible_person_or_404(request, text):
    """The person a URL names, if the user may see them (one statement), else 404: to a member,
    someone never registered in their organisations is unknown."""
    from pyramid.httpexceptions import HTTPNotFound

    from trainings.resources import get_or_404, parse_id

    from .models import Person

    if sees_everyone(request) or request.identity is None:  # the anonymous are refused by the ACL
        return get_or_404(request.dbsession, Person, text)
    person_id = parse_id(text)
    person = None if person_id is None else request.dbsession.scalar(
        scope_people(select(Person).where(Person.id == person_id), request, Person.id))
    if person is None:
        raise HTTPNotFound()
    return person


def person_is_visible(request, person_id: int) -> bool:
    if sees_everyone(request):
        return True
    return bool(request.dbsession.scalar(select(exists(
        scope_trainings(select(Registration.id).join(Training, Training.id == Registration.training_id)
                        .where(Registration.person_id == person_id), request)))))


def people_scope(request):
    """A scope for services over persons (`search_people`, `probable_duplicates`…)."""
    from .models import Person

    return lambda statement: scope_people(statement, request, Person.id)


def registrations_scope(request):
    """A scope for services over a person's registrations (`history`, `transcript`)."""
    return lambda statement: scope_registrations(statement, request)
