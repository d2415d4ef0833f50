"""The cells of every CSV the platform writes: text that a spreadsheet program will not run.

Excel or LibreOffice opening a CSV takes a cell that begins with ``=``, ``+``, ``-`` or ``@`` for
a formula, and tab or carriage return can hide one of them (OWASP "CSV injection"): a proposal
titled ``=HYPERLINK("https://…";"Open")`` would become a live link in the city's open data.

Every CSV writer passes its values through ``cell`` (or ``row``): a text that begins with one of
these characters gets an apostrophe in front, which spreadsheet programs read as "this is text".
A text that already begins with an apostrophe gets one too, so that removing the first apostrophe
of a cell always gives the original text back. Numbers are left alone: a negative number stays a
number. ``EXPLANATION_FR`` and ``EXPLANATION_EN`` tell reusers of the open data how.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"

EXPLANATION_FR = (
    "Cellules de texte : pour qu'un tableur ne les exécute pas comme des formules, un texte qui "
    "commence par =, +, -, @, une tabulation, un retour chariot ou une apostrophe est précédé "
    "d'une apostrophe (') ajoutée à l'export ; ôtez cette première apostrophe pour retrouver le "
    "texte d'origine. Les nombres ne sont pas modifiés."
)
EXPLANATION_EN = (
    "Text cells: so that a spreadsheet program does not run them as formulas, a text that begins "
    "with =, +, -, @, a tab, a carriage return or an apostrophe is preceded by an apostrophe (') "
    "added on export; remove that first apostrophe to get the original text back. Numbers are "
    "not changed."
)


def cell(value):
    """``value`` as a CSV cell that no spreadsheet program runs: numbers, dates and None are
    returned as they are; anything else is written as text (translated labels included), and
    neutralised."""
    if value is None or isinstance(value, int | float | Decimal | date):
        return value
    text = str(value)
    return ESCAPE + text if text.startswith((*FORMULA_STARTS, ESCAPE)) else text


def row(values: Iterable) -> list:
    return [cell(value) for value in values]
