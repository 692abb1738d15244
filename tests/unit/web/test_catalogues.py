"""The gettext catalogues against the code (``make messages``, CONTRIBUTING.md).

Every message key the code uses has an English and a French text, no catalogue keeps a key
no code uses, each committed ``.mo`` says exactly what its ``.po`` says, and no key is built
at run time. The keys "used" are those ``make messages`` extracts: the same mapping file,
extraction method and keywords, so a key the extraction cannot see (``tr(f"period_{p}")``)
shows up here as a catalogue key no code uses.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import credtrends
from credtrends.transforms.demand_supply import SCORE_FORMULA
from credtrends.web.i18n import (
    LANGS,
    LOCALE_DIR,
    MESSAGES,
    Lang,
    Translator,
    catalogue_path,
    language_name,
)
from credtrends.web.i18n_extract import KEYWORDS, message_calls

PACKAGE = Path(credtrends.__file__).parent
MAKEFILE = Path(__file__).resolve().parents[3] / "Makefile"


def used_keys() -> dict[str, list[str]]:
    """Key -> where the code uses it (``file:line``), as ``make messages`` extracts them."""
    with (LOCALE_DIR / "babel.cfg").open(encoding="utf-8") as file:
        # Babel's frontend is untyped; this is the function pybabel reads -F with.
        method_map, options_map = parse_mapping_cfg(file)  # type: ignore[no-untyped-call]
    found: dict[str, list[str]] = {}
    for filename, line, message, _, _ in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=dict.fromkeys(KEYWORDS)
    ):
        assert isinstance(message, str), (filename, line, message)
        found.setdefault(message, []).append(f"{filename}:{line}")
    return found


USED = used_keys()


def po(lang: Lang) -> Catalog:
    with catalogue_path(lang, ".po").open("rb") as file:
        return read_po(file)


def mo(lang: Lang) -> Catalog:
    with catalogue_path(lang, ".mo").open("rb") as file:
        return read_mo(file)


def texts(catalogue: Catalog) -> dict[str, str]:
    """Key -> text of the messages that are translated and not fuzzy (what ``.mo`` holds)."""
    return {str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy}


def test_make_messages_extracts_with_the_keywords_this_test_uses() -> None:
    recipe = MAKEFILE.read_text(encoding="utf-8").split("\nmessages:", 1)[1].split("\n\n")[0]
    assert "--no-default-keywords" in recipe and "babel.cfg" in recipe
    assert tuple(re.findall(r"--keyword (\S+)", recipe)) == KEYWORDS


def test_the_extraction_finds_the_keys_of_pages_tables_and_f_strings() -> None:
    # A page title (N_), a label table (N_), a tr() inside an f-string, and a plain tr().
    for key in ("page_interest", "period_5y", "partial_point", "interest_title"):
        assert key in USED, key
    assert len(USED) > 200


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_the_code_uses_has_a_text(lang: Lang) -> None:
    catalogue = po(lang)
    done = texts(catalogue)
    missing = sorted(set(USED) - set(done))
    assert not missing, (
        f"{catalogue_path(lang, '.po')}: no {lang} text (run `make messages`, fill in msgstr, "
        f"run it again) for: " + "; ".join(f"{key} ({USED[key][0]})" for key in missing)
    )
    fuzzy = sorted(str(m.id) for m in catalogue if m.id and m.fuzzy)
    assert not fuzzy, f"{lang}: fuzzy messages (check the text, remove '#, fuzzy'): {fuzzy}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_catalogue_keeps_a_key_no_code_uses(lang: Lang) -> None:
    catalogue = po(lang)
    unused = sorted({str(m.id) for m in catalogue if m.id} - set(USED))
    assert not unused, (
        f"{catalogue_path(lang, '.po')}: keys no code uses as tr('key') or N_('key') "
        f"(`make messages` removes them; a key built at run time is not seen): {unused}"
    )
    assert not catalogue.obsolete, f"{lang}: obsolete '#~' entries: {list(catalogue.obsolete)}"


@pytest.mark.parametrize("lang", LANGS)
def test_each_mo_says_what_its_po_says(lang: Lang) -> None:
    compiled, source = texts(mo(lang)), texts(po(lang))
    differ = sorted(k for k in compiled.keys() | source.keys() if compiled.get(k) != source.get(k))
    assert not differ, f"{catalogue_path(lang)} is stale (run `make messages`): {differ}"
    assert dict(MESSAGES[lang]) == compiled


# --- no key built at run time -------------------------------------------------------------


def _is_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _is_static(node: ast.expr, top: bool = True) -> bool:
    """A key the extraction sees: a literal (right inside ``tr()``), an ``N_("literal")``, a
    variable or table entry holding one (``tr(TITLE_KEY)``, ``tr(LABELS[value])``), or a
    choice between those (``tr(N_("a") if x else N_("b"))``)."""
    if _is_literal(node):
        return top
    if isinstance(node, ast.Name | ast.Attribute | ast.Subscript):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "N_":
        return len(node.args) == 1 and _is_literal(node.args[0])
    if isinstance(node, ast.IfExp):
        return _is_static(node.body, top=False) and _is_static(node.orelse, top=False)
    return False


def built_keys(source: str) -> Iterator[str]:
    """Each ``tr(...)`` / ``N_(...)`` call whose key is computed (an f-string, ``+``,
    ``.format``, ``%``): extraction cannot see such a key."""
    for call, name in message_calls(ast.parse(source), KEYWORDS):
        first = call.args[0] if call.args else None
        ok = first is not None and (_is_literal(first) if name == "N_" else _is_static(first))
        if not ok:
            yield f"line {call.lineno}: {ast.unparse(call)}"


def test_the_checker_finds_keys_built_at_run_time() -> None:
    bad = """
label = tr(f"period_{p}")
title = tr(label + "_title")
other = f"({tr('unit_' + granularity)})"
marked = N_(f"measure_{m}")
either = tr("regions_level_title" if by_level else "regions_title")
"""
    assert len(list(built_keys(bad))) == 5
    good = """
a = tr("period_1y", x=1)
b = tr(TITLE_KEY) + tr(page.TITLE_KEY) + tr(LABELS[g]) + f"({tr('partial_point')})"
c = tr(N_("regions_level_title") if by_level else N_("regions_title"))
LABELS = {"1y": N_("period_1y")}
"""
    assert list(built_keys(good)) == []


def test_no_message_key_is_built_at_run_time() -> None:
    found = [
        f"{path.relative_to(PACKAGE)} {where}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for where in built_keys(path.read_text(encoding="utf-8"))
    ]
    assert not found, "keys built at run time; write each key out, N_() in a table: " + "; ".join(
        found
    )


# --- what the catalogues and Babel say -----------------------------------------------------


def test_an_unknown_key_fails_instead_of_showing_itself() -> None:
    with pytest.raises(KeyError):
        Translator("fr")("no_such_key")


def test_the_english_score_formula_is_the_one_the_transform_documents() -> None:
    assert MESSAGES["en"]["score_formula"] == SCORE_FORMULA


def test_language_and_month_names_come_from_babel() -> None:
    assert (language_name("en"), language_name("fr")) == ("English", "Français")
    names = Translator("fr").graph_config()["locales"]["fr"]["format"]
    assert names["days"][0] == "dimanche" and names["shortDays"][1] == "lun."
    # plotly's axis months are the ones Translator.month writes in sentences.
    for month, short in enumerate(names["shortMonths"], start=1):
        assert Translator("fr").month(date(2025, month, 1)) == f"{short} 2025"
