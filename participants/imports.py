"""Importing participant lists as ministries send them: CSV (UTF-8 with or without BOM, or
Windows-1252; comma, semicolon or tab) or XLSX, with headers in Spanish, English or French.

First `preview` says for every row what will happen — a new person, an existing one (which),
a duplicate of an earlier row, or a rejection with its reason and row number; then `commit`
registers every valid row in one savepoint: if anything fails, nothing of the import stays.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from trainings.audit import record
from trainings.i18n import _
from trainings.models import Training, utcnow

from .duplicates import normalise_text
from .institutions import find_or_create
from .models import Institution, InstitutionKind, ParticipantImport, Person, Registration, RegistrationSource, Sex
from .registrations import ACTIVE, register_many
from .registry import KnownPeople, PersonDetails, apply_details, normalise_document, normalise_email
from .schemas import (
    DOCUMENT_MAX,
    EMAIL_MAX,
    INSTITUTION_MAX,
    NAME_MAX,
    POSITION_MAX,
    REGION_MAX,
    YEAR_OF_BIRTH_MAX,
    YEAR_OF_BIRTH_MIN,
    checked_email,
)
from .spreadsheets import csv_text

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PHONE_MAX = 50


class ImportRefused(Exception):
    """The file as a whole cannot be imported; `message` (a TranslationString) says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _key(text: str) -> str:
    return "".join(char for char in normalise_text(text) if char.isalnum())


HEADERS = {
    "given_names": ["Nombres", "Nombre", "Given names", "Given name", "First name", "First names", "Prénoms",
                    "Prénom"],
    "family_names": ["Apellidos", "Apellido", "Family names", "Family name", "Last name", "Surname", "Nom",
                     "Noms", "Nom de famille"],
    "email": ["Correo electrónico", "Correo", "Email", "E-mail", "Email address", "Courriel", "Adresse e-mail",
              "Mail"],
    "phone": ["Teléfono", "Celular", "Móvil", "Phone", "Telephone", "Mobile", "Téléphone", "Portable"],
    "sex": ["Sexo", "Género", "Sex", "Gender", "Sexe", "Genre"],
    "position": ["Cargo", "Puesto", "Position", "Job title", "Fonction", "Poste"],
    "institution": ["Institución", "Entidad", "Organización", "Institution", "Organisation", "Organization",
                    "Organisme"],
    "country": ["País", "Country", "Pays"],
    "region": ["Región", "Departamento", "Region", "Région"],
    "year_of_birth": ["Año de nacimiento", "Fecha de nacimiento", "Nacimiento", "Year of birth", "Date of birth",
                      "Birth year", "Année de naissance", "Date de naissance"],
    "id_document": ["DNI", "Documento", "Documento de identidad", "Cédula", "CI", "ID document", "ID number",
                    "Passport", "Pièce d'identité", "Numéro de pièce d'identité"],
}
HEADER_FIELDS = {_key(header): name for name, headers in HEADERS.items() for header in headers}

SEX_VALUES = {
    # Lists abbreviate as they please: "Fem.", "Masc.", "Sra." (punctuation and accents are ignored).
    Sex.female: ["f", "fem", "femenino", "femenina", "mujer", "sra", "female", "woman", "feminine", "femme",
                 "feminin", "mme"],
    Sex.male: ["m", "masc", "masculino", "hombre", "varon", "sr", "male", "man", "masculine", "h", "homme",
               "masculin"],
    Sex.other: ["x", "otro", "otra", "other", "autre"],
    Sex.undisclosed: ["ns", "nsnc", "prefiero no decirlo", "prefiero no decir", "prefer not to say",
                      "prefere ne pas dire", "je prefere ne pas le dire"],
}
SEX_BY_TEXT = {_key(text): sex for sex, texts in SEX_VALUES.items() for text in texts}


def _country_names() -> dict[str, str]:
    names = {}
    for language in ("es", "en", "fr"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names[_key(name)] = code
    return names


COUNTRY_BY_NAME = _country_names()


HEADER_SEARCH_ROWS = 20

# --- reading the file ----------------------------------------------------------------------------

def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The file's rows as lists of strings (the first is the header)."""
    if not content or not content.strip():
        raise ImportRefused(_("The file is empty."))
    name = (filename or "").lower()
    is_zip = content[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx") or (is_zip and not name.endswith((".csv", ".txt"))):
        return _read_xlsx(content)
    if name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        return _read_csv(content)
    raise ImportRefused(_("Only CSV and XLSX files can be imported."))


def _decode(content: bytes) -> str:
    if content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or _looks_like_utf16(content):
        # Excel's "Unicode text" (Texto Unicode): UTF-16, tab-separated.
        try:
            return content.decode("utf-16" if content[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
                                  else "utf-16-le")
        except UnicodeDecodeError as error:
            raise ImportRefused(_("Only CSV and XLSX files can be imported.")) from error
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(_("Only CSV and XLSX files can be imported."))  # pragma: no cover - latin-1 decodes all


def _looks_like_utf16(content: bytes) -> bool:
    """UTF-16 little-endian text without its byte-order mark: Latin text has a zero every
    second byte."""
    sample = content[:200]
    return len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0


def _read_csv(content: bytes) -> list[list[str]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportRefused(_("Only CSV and XLSX files can be imported."))
    # Title rows may stand above the header: the delimiter is the one the first lines use most.
    first_lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    delimiter = max((";", ",", "\t"), key=lambda candidate: max((line.count(candidate) for line in first_lines),
                                                                 default=0))
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportRefused(_("This XLSX file cannot be read; save it again as XLSX or CSV.")) from error
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def _columns(header: list[str]) -> dict[str, int]:
    """The fields a header row names, by their position (the first column of each name)."""
    columns = {}
    for position, title in enumerate(header):
        name = HEADER_FIELDS.get(_key(title or ""))
        if name and name not in columns:
            columns[name] = position
    return columns


# --- rows ----------------------------------------------------------------------------------------

@dataclass
class ImportRow:
    number: int  # the row number a spreadsheet shows (the header is row 1)
    cells: list[str]
    values: dict[str, str]
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    sex: Sex | None = None
    country: str | None = None
    email: str | None = None
    year_of_birth: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors


def parse(filename: str, content: bytes) -> tuple[list[str], list[ImportRow]]:
    """(header, rows): every non-blank row, checked on its own."""
    table = read_table(filename, content)
    header_index = next((index for index, row in enumerate(table) if any(row)), None)
    if header_index is None:
        raise ImportRefused(_("The file is empty."))
    # A sheet may start with a title, a date or a logo's caption: the header is the first of
    # the first rows that names the columns of the names.
    for index in range(header_index, min(len(table), header_index + HEADER_SEARCH_ROWS)):
        if {"given_names", "family_names"} <= set(_columns(table[index])):
            header_index = index
            break
    header = table[header_index]
    columns = _columns(header)
    if "given_names" not in columns or "family_names" not in columns:
        raise ImportRefused(_("The columns were not recognised: the first row must name them, for example "
                              "Nombres; Apellidos; Correo electrónico (or Given names, Family names, Email)."))
    rows = []
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: (cells[position].strip() if position < len(cells) else "")
                  for name, position in columns.items()}
        rows.append(check_row(ImportRow(index + 1, cells, values)))
    if not rows:
        raise ImportRefused(_("The file has no rows under its header."))
    return header, rows


LIMITS = {"given_names": NAME_MAX, "family_names": NAME_MAX, "email": EMAIL_MAX, "phone": PHONE_MAX,
          "position": POSITION_MAX, "institution": INSTITUTION_MAX, "id_document": DOCUMENT_MAX,
          "region": REGION_MAX}
# One whole sentence per field: a translated field name inside a message's mapping would stay
# untranslated ("Given names tiene más de 150 caracteres").
TOO_LONG = {
    "given_names": _("Given names are longer than ${limit} characters."),
    "family_names": _("Family names are longer than ${limit} characters."),
    "email": _("The email address is longer than ${limit} characters."),
    "phone": _("The phone number is longer than ${limit} characters."),
    "position": _("The position is longer than ${limit} characters."),
    "institution": _("The institution is longer than ${limit} characters."),
    "id_document": _("The identity document is longer than ${limit} characters."),
    "region": _("The region is longer than ${limit} characters."),
}
# A year alone (1985) or the year of a date (1985-03-02, 02/03/1985): four digits standing alone.
YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})(?!\d)")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def check_row(row: ImportRow) -> ImportRow:
    values = row.values
    if not values.get("given_names"):
        row.errors.append(_("Given names are missing."))
    if not values.get("family_names"):
        row.errors.append(_("Family names are missing."))
    for name, limit in LIMITS.items():
        if len(values.get(name, "")) > limit:
            row.errors.append(_(TOO_LONG[name], mapping={"limit": limit}))
    if any(CONTROL_CHARACTERS.search(values.get(name, "")) for name in LIMITS):
        # A line break inside a quoted cell, or a stray NUL: it would break exports and PDFs.
        row.errors.append(_("A cell holds invisible control characters such as a line break."))
    if values.get("email"):
        try:
            row.email = checked_email(values["email"])
        except ValueError:
            row.errors.append(_("The email address “${email}” is not valid.", mapping={"email": values["email"]}))
    else:
        row.warnings.append(_("No email: no private link can be sent."))
    sex_text = values.get("sex", "")
    if sex_text:
        row.sex = SEX_BY_TEXT.get(_key(sex_text))
        if row.sex is None:
            row.warnings.append(_("Sex “${value}” not understood: left blank.", mapping={"value": sex_text}))
    year_text = values.get("year_of_birth", "")
    if year_text:
        found = YEAR_IN_TEXT.findall(year_text)
        year = int(found[0]) if len(found) == 1 else None
        if year is None or not YEAR_OF_BIRTH_MIN <= year <= YEAR_OF_BIRTH_MAX:
            row.warnings.append(_("Year of birth “${value}” not understood: left blank.", mapping={"value": year_text}))
        else:
            row.year_of_birth = year
    country_text = values.get("country", "")
    if country_text:
        code = country_text.upper() if len(country_text) == 2 and country_text.isalpha() else None
        row.country = code or COUNTRY_BY_NAME.get(_key(country_text))
        if row.country is None:
            row.warnings.append(_("Country “${value}” not understood: left blank.", mapping={"value": country_text}))
    return row


# --- how well a name is written ----------------------------------------------------------------
# Lists are often typed in capitals, or merge rows from several sources: the same person may
# come as "CARLOS" and as "Carlos". Neither a known name nor a row of the same person should give
# way to a worse-written form of the same name.

def _badly_cased(word: str) -> bool:
    """A word in capitals throughout (CARLOS), or in small letters beyond a particle (carlos, but
    de, del, la, dos are written so)."""
    letters = [char for char in word if char.isalpha()]
    if len(letters) < 2:
        return False
    return word.isupper() or (word.islower() and len(letters) > 3)


def _badly_cased_words(text: str) -> int:
    return sum(1 for word in text.split() if _badly_cased(word))


def _accents(text: str) -> int:
    return sum(1 for char in unicodedata.normalize("NFD", text) if unicodedata.combining(char))


def written_better(candidate: str, than: str) -> bool:
    """Whether `candidate` is written strictly better than `than`: fewer words badly cased; for
    the same name (case and accents aside), then more accents kept (Verón rather than Veron).
    Accents do not decide between two different names (Martínez, Ibáñez)."""
    badly, other_badly = _badly_cased_words(candidate), _badly_cased_words(than)
    if badly != other_badly:
        return badly < other_badly
    return _key(candidate) == _key(than) and _accents(candidate) > _accents(than)


def better_spelling(known: str, typed: str) -> str:
    """`known`, unless `typed` is the same name (case and accents aside) written strictly
    better, or another name altogether (then it is `typed`, a real change)."""
    if _key(known) != _key(typed):
        return typed
    return typed if written_better(typed, known) else known


def _row_name(row: ImportRow) -> str:
    return f"{row.values.get('given_names', '')} {row.values.get('family_names', '')}"


def kept_names(person: Person | None, row: ImportRow) -> tuple[str, str]:
    """(given names, family names) the import writes: the row's, except where a known person's
    name is the same one written as well or better."""
    given, family = row.values["given_names"], row.values["family_names"]
    if person is None:
        return given, family
    return better_spelling(person.given_names, given), better_spelling(person.family_names, family)


# --- preview -------------------------------------------------------------------------------------

CREATE, MATCH, DUPLICATE, REJECTED = "create", "match", "duplicate", "rejected"


@dataclass
class Outcome:
    row: ImportRow
    action: str
    person: Person | None = None
    duplicate_of: int | None = None
    reasons: list = field(default_factory=list)
    new_institution: bool = False
    # For a known person: (field label, what the registry says, what the row will write).
    changes: list = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.row.number


@dataclass
class Preview:
    header: list[str]
    outcomes: list[Outcome]

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def valid(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.action in (CREATE, MATCH)]

    @property
    def rejected(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.action in (DUPLICATE, REJECTED)]


class _Institutions:
    """Institutions by name and country, looked up once per import."""

    def __init__(self, dbsession: Session):
        self.known: dict[tuple[str, str | None], Institution] = {}
        for institution in dbsession.scalars(select(Institution)):
            self.known.setdefault((_key(institution.name), institution.country), institution)
            self.known.setdefault((_key(institution.name), None), institution)

    def get(self, name: str, country: str | None) -> Institution | None:
        return self.known.get((_key(name), country)) or self.known.get((_key(name), None))


def known_people(dbsession: Session, rows: list[ImportRow]) -> KnownPeople:
    return KnownPeople(dbsession, [row.email for row in rows], [row.values.get("id_document") for row in rows])


def preview(dbsession: Session, training: Training, header: list[str], rows: list[ImportRow],
            known: KnownPeople | None = None) -> Preview:
    institutions = _Institutions(dbsession)
    known = known or known_people(dbsession, rows)
    registered = set(dbsession.scalars(select(Registration.person_id).where(
        Registration.training_id == training.id, Registration.status.in_([status.value for status in ACTIVE]))))
    kept = _kept_of_each_person(rows)
    outcomes = []
    for row in rows:
        outcome = Outcome(row, REJECTED, reasons=list(row.errors))
        outcomes.append(outcome)
        if row.errors:
            continue
        if kept[row.number] != row.number:
            outcome.action, outcome.duplicate_of = DUPLICATE, kept[row.number]
            outcome.reasons.append(_("Same person as row ${row}.", mapping={"row": kept[row.number]}))
            continue
        document = normalise_document(row.values.get("id_document"))
        person = known.find(row.email, document, row.country)
        if person is not None and person.id in registered:
            outcome.person = person
            outcome.reasons.append(_("Already registered for this training."))
            continue
        outcome.action, outcome.person = (MATCH, person) if person is not None else (CREATE, None)
        name = row.values.get("institution", "")
        outcome.new_institution = bool(name) and institutions.get(name, row.country) is None
        if person is not None:
            outcome.changes = changes_to(person, row)
    return Preview(header, outcomes)


def _identity_keys(row: ImportRow) -> list[tuple]:
    document = normalise_document(row.values.get("id_document"))
    keys = [("email", normalise_email(row.email))] if row.email else []
    if document and row.country:
        keys.append(("document", row.country, document))
    return keys


def _kept_of_each_person(rows: list[ImportRow]) -> dict[int, int]:
    """For each valid row, the number of the row kept for its person: a row that names the same
    person as an earlier one (email, or document and country) joins that row's group, and each
    group keeps its best-written name (the first of those written equally well)."""
    group_of: dict[tuple, int] = {}  # identity key → the group's first row
    groups: dict[int, list[ImportRow]] = {}
    for row in rows:
        if row.errors:
            continue
        keys = _identity_keys(row)
        first = next((group_of[key] for key in keys if key in group_of), None)
        if first is None:
            first = row.number
            groups[first] = []
            for key in keys:
                group_of[key] = first
        groups[first].append(row)
    kept = {}
    for members in groups.values():
        best = members[0]
        for member in members[1:]:
            if written_better(_row_name(member), _row_name(best)):
                best = member
        for member in members:
            kept[member.number] = best.number
    return kept


CHANGE_LABELS = {"name": _("Name"), "email": _("Email"), "institution": _("Institution"),
                 "position": _("Position")}


def changes_to(person: Person, row: ImportRow) -> list[tuple]:
    """What importing `row` will change on a known person, before → after: empty cells erase
    nothing, so only the values the row gives and the registry holds otherwise."""
    values = row.values
    row_name = " ".join(" ".join(kept_names(person, row)).split())
    pairs = [("name", person.full_name, row_name),
             ("email", person.email or "", normalise_email(row.email) or ""),
             ("institution", person.institution.name if person.institution else "", values.get("institution", "")),
             ("position", person.position or "", values.get("position", ""))]
    return [(CHANGE_LABELS[key], before, after) for key, before, after in pairs
            if after and " ".join(before.split()) != " ".join(after.split())]


# --- commit --------------------------------------------------------------------------------------

@dataclass
class CommitResult:
    created: int = 0
    matched: int = 0
    by_status: dict = field(default_factory=dict)
    rejected: list[Outcome] = field(default_factory=list)
    report: str = ""


def commit(request, upload: ParticipantImport, training: Training, *, notify: bool = True) -> CommitResult:
    """Register every valid row of `upload`, all or nothing; the rejected rows go to a report."""
    from .notifications import send_registration_mail

    dbsession: Session = request.dbsession
    header, rows = parse(upload.filename, upload.content)
    result = CommitResult()
    with dbsession.begin_nested(), dbsession.no_autoflush:
        known = known_people(dbsession, rows)
        planned = preview(dbsession, training, header, rows, known)
        result.rejected = planned.rejected
        institutions = _Institutions(dbsession)
        people = []
        for outcome in planned.valid:
            row = outcome.row
            institution = None
            if row.values.get("institution"):
                institution = institutions.get(row.values["institution"], row.country)
                if institution is None:
                    institution, _created = find_or_create(dbsession, row.values["institution"], row.country,
                                                           InstitutionKind.other)
                    institutions.known[(_key(institution.name), institution.country)] = institution
            given_names, family_names = kept_names(outcome.person, row)
            details = PersonDetails(
                given_names=given_names, family_names=family_names, email=row.email,
                phone=row.values.get("phone", ""), sex=row.sex, position=row.values.get("position", ""),
                institution=institution, country=row.country, id_document=row.values.get("id_document") or None,
                home_region=" ".join(row.values.get("region", "").split()), year_of_birth=row.year_of_birth,
            )
            person = outcome.person
            if person is None:
                person = Person(given_names=details.given_names.strip(), family_names=details.family_names.strip())
                dbsession.add(person)
                result.created += 1
            else:
                result.matched += 1
            apply_details(person, details, known.document_is_free(person, details.id_document, row.country))
            known.remember(person)
            people.append(person)
        dbsession.flush()
        for registration, token in register_many(request, training, people, source=RegistrationSource.import_,
                                                   notify=notify):
            result.by_status[registration.status.value] = result.by_status.get(registration.status.value, 0) + 1
            if notify:
                send_registration_mail(request, registration, token, reason="organiser")
        result.rejected.sort(key=lambda outcome: outcome.number)
        result.report = rejected_report(request, header, result.rejected)
        upload.rejected_report = result.report
        upload.committed_at = utcnow()
        dbsession.flush()
        record(request, "people.import", training, summary=f"{upload.filename}: {result.created} new, "
               f"{result.matched} known, {len(result.rejected)} rejected")
    return result


def rejected_report(request, header: list[str], rejected: list[Outcome]) -> str:
    """The rejected rows as CSV text in the organiser's conventions (see spreadsheets.py); the
    original cells are neutralised like any export, since a list may carry formulas."""
    translate = request.localizer.translate
    rows = [[translate(_("Row")), translate(_("Reason")), *header]]
    for outcome in rejected:
        reasons = " ".join(translate(reason) for reason in outcome.reasons)
        rows.append([outcome.number, reasons, *outcome.row.cells])
    return csv_text(rows, request.locale_name)


def store_upload(dbsession: Session, training: Training, filename: str, content: bytes,
                 user_id: int | None) -> ParticipantImport:
    upload = ParticipantImport(training_id=training.id, filename=(filename or "import.csv")[-255:],
                               content=content, uploaded_by_id=user_id)
    dbsession.add(upload)
    dbsession.flush()
    return upload


def max_bytes(settings) -> int:
    return int(settings.get("import.max_bytes", DEFAULT_MAX_BYTES))


