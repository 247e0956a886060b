"""One font registry for every PDF: whichever package draws first, the family is complete."""
import subprocess
import sys

import pytest


@pytest.mark.parametrize("first", ["DejaVuSans", "DejaVuSans-Bold"])
def test_registering_either_face_first_registers_the_whole_family(first):
    # reportlab's font table is global to the process, so the check runs in a fresh one: the
    # certificates tab registering the regular face first once left sign-in sheets without bold.
    script = (
        "from trainings.pdf_fonts import font\n"
        f"font({first!r})\n"
        "from reportlab.lib.fonts import tt2ps\n"
        "print(tt2ps('DejaVuSans', 1, 0))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DejaVuSans-Bold"


def test_paragraph_markup_escapes_and_gives_each_script_a_font():
    from trainings.pdf_fonts import markup

    assert markup("<b>Ana</b> & co") == "&lt;b&gt;Ana&lt;/b&gt; &amp; co"
    assert markup("Ana 王秀英", "DejaVuSans") == 'Ana <font face="STSong-Light">王秀英</font>'
    shaped = markup("فاطمة")
    assert "<font" not in shaped and shaped != "فاطمة"  # DejaVu has Arabic; joined forms, right to left


def test_words_are_cut_at_spaces_only_and_cjk_anywhere():
    from trainings.pdf_fonts import words

    assert words("Taller  de\nla trata") == ["Taller", "de", "la", "trata"]
    assert words("9\u00a0feb\u00a02027\u00a0– 10\u00a0feb\u00a02027") == ["9\u00a0feb\u00a02027\u00a0–",
                                                                           "10\u00a0feb\u00a02027"]
    assert words("Ana 王秀英") == ["Ana", "王", "秀", "英"]


def test_the_widest_word_is_what_a_column_needs():
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from trainings.pdf_fonts import REGULAR, font, widest_word

    font(REGULAR)
    assert widest_word("Participante confirmada", REGULAR, 10) == stringWidth("Participante", REGULAR, 10)
    assert widest_word("", REGULAR, 10) == 0
