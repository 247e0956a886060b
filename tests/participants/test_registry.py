from participants.registry import PersonDetails, normalise_document, upsert_person
from tests import factories


def test_the_same_email_is_the_same_person_whatever_its_case(dbsession):
    first, created = upsert_person(dbsession, PersonDetails("Carlos", "Verón", email="carlos.veron97@gmail.com"))
    again, created_again = upsert_person(
        dbsession, PersonDetails("CARLOS", "Verón Santacruz", email="  CARLOS.VERON97@GMAIL.COM ", position="Fiscal"))
    assert created and not created_again and again is first
    assert (first.family_names, first.position) == ("Verón Santacruz", "Fiscal")


def test_the_same_document_in_the_same_country_is_the_same_person(dbsession):
    person, _ = upsert_person(dbsession, PersonDetails("Ana", "Báez", id_document="97.115.250", country="PE"))
    again, created = upsert_person(dbsession, PersonDetails("Ana", "Báez Roeder", id_document="97115250", country="PE"))
    assert again is person and not created
    other, created_other = upsert_person(dbsession, PersonDetails("Ana", "Báez", id_document="97115250", country="PY"))
    assert created_other and other is not person


def test_empty_values_never_erase_known_ones(dbsession):
    institution = factories.InstitutionFactory()
    person, _ = upsert_person(dbsession, PersonDetails("Pilar", "Rojas", email="pilar@x.org", phone="+595 1",
                                                       institution=institution))
    upsert_person(dbsession, PersonDetails("Pilar", "Rojas", email="pilar@x.org"))
    assert person.phone == "+595 1" and person.institution is institution


def test_a_document_of_someone_else_is_not_moved(dbsession):
    owner, _ = upsert_person(dbsession, PersonDetails("Juan", "Ñahui", id_document="123", country="PY"))
    other, _ = upsert_person(dbsession, PersonDetails("Juan", "Ñahui López", email="juan@x.org"))
    again, _ = upsert_person(dbsession, PersonDetails("Juan", "Ñahui López", email="juan@x.org",
                                                      id_document="123", country="PY"))
    assert again is other and other.id_document is None and owner.id_document == "123"


def test_documents_are_normalised():
    assert normalise_document(" 12.345-678 ") == "12345678"
    assert normalise_document("  ") is None
