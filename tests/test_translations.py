"""Both catalogues are complete: every string the code shows has a French and an English text."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_catalogue_translates_every_string(extracted, locale):
    with (ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    missing, fuzzy, wrong_placeholders = [], [], []
    for message in extracted:
        if not message.id:
            continue
        translated = catalogue.get(message.id)
        strings = translated.string if translated else None
        if isinstance(strings, tuple | list):
            ok = translated is not None and all(strings)
        else:
            ok = translated is not None and bool(strings)
        if not ok:
            missing.append(message.id)
            continue
        if translated.fuzzy:
            fuzzy.append(message.id)
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        texts = strings if isinstance(strings, tuple | list) else (strings,)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for text in texts:
            # A singular form may drop %(num)s ("un commentaire"); nothing may be invented, nor
            # written as another type (a %(num)d given the text "1 000" fails).
            if not set(PLACEHOLDER.findall(text)) <= expected:
                wrong_placeholders.append(message.id)
    assert not missing, f"{len(missing)} untranslated in {locale}: {missing[:20]}"
    assert not fuzzy, f"fuzzy in {locale}: {fuzzy[:20]}"
    assert not wrong_placeholders, f"placeholders differ in {locale}: {wrong_placeholders[:20]}"


def test_counts_are_written_as_text(extracted):
    """``ngettext``, in the templates and in the code (``participation.i18n.ngettext``), gives
    ``num`` as the language's number, a text ("157 019"): its strings say ``%(num)s``, since
    ``%(num)d`` would fail on that text."""
    plurals = [message.id for message in extracted if message.pluralizable]
    assert len(plurals) > 50
    wrong = [ids for ids in plurals if any("%(num)d" in text for text in ids)]
    assert not wrong, wrong
