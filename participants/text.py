"""Text compared the way people read it: accents, case and repeated spaces ignored."""
from __future__ import annotations

import re
import unicodedata


def normalise_text(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.casefold().split())


def person_search_text(given_names, family_names, email=None, id_document=None) -> str:
    """What the registry's search matches a person on, kept in `person.search_text`."""
    return normalise_text(" ".join(filter(None, (given_names, family_names, email, id_document))))[:700]


def person_name_key(given_names, family_names) -> str:
    """Two persons with the same key (and institution) are probably one: `person.name_key`."""
    return normalise_text(f"{given_names or ''} {family_names or ''}").replace(" ", "")[:300]


# Spanish sorts ñ as a letter of its own, after n. Written "nz~" in the sort key, it follows
# every other n in any database collation: "~" sorts after the letters where punctuation counts
# (C), and where it is ignored (ICU, glibc locales) "nz" is still after n-anything but a rare "nz".
_ENYE_SORTS_AFTER_N = "nz~"


def person_sort_name(given_names, family_names) -> str:
    """Lists of persons sort by family name, then given names, accents and case ignored
    (`person.sort_name`, indexed): Álvarez beside Alvarado, not after Zárate; and ñ after n, as
    Spanish readers expect (Nuno, Núñez; Navarro, Ñahui)."""
    name = unicodedata.normalize("NFC", f"{family_names or ''} {given_names or ''}").casefold()
    return normalise_text(name.replace("ñ", _ENYE_SORTS_AFTER_N))[:300]


_DOCUMENT_NOISE = re.compile(r"[\s.\-/]")


def document_key(document: str | None) -> str:
    """An identity document as compared between people (`person.document_key`, indexed): spaces,
    dots, dashes and slashes, case and leading zeros ignored — a DNI 01234567 typed into a
    spreadsheet comes back as 1234567, and "12.345.678-k" is 12345678K."""
    cleaned = _DOCUMENT_NOISE.sub("", document or "").upper()
    return (cleaned.lstrip("0") or ("0" if cleaned else ""))[:40]
