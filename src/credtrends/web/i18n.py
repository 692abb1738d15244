"""English and French for the dashboard: messages, numbers, dates, and plotly's locale.

The language is part of every view's URL (``?lang=fr``), like any other control, so a shared
link opens in the language it was shared in. Messages live in two gettext catalogues,
``locale/{en,fr}/LC_MESSAGES/credtrends.po``, whose msgids are the message keys the code
passes to ``tr("key")``; the compiled ``.mo`` files beside them are what is read here.
``make messages`` extracts the keys from the code and updates both catalogues
(CONTRIBUTING.md); ``tests/unit/web/test_catalogues.py`` fails on a key without an English
and a French text, a text no code uses, or a ``.mo`` that disagrees with its ``.po``.
Numbers, dates, month, day and language names come from Babel's Canadian locales
(``fr_CA``: ``12 345,7``, ``+12 %``, ``5 janv. 2025``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date, format_time, get_day_names, get_month_names
from babel.messages.mofile import read_mo
from babel.numbers import NumberPattern, format_percent, parse_pattern

Lang = Literal["en", "fr"]
Day = date | datetime  # (inside Translator, ``date`` is its method)
LANGS: tuple[Lang, ...] = ("en", "fr")
BABEL_LOCALE: dict[Lang, str] = {"en": "en_CA", "fr": "fr_CA"}
LOCALE_DIR = Path(__file__).with_name("locale")


@functools.cache
def babel_locale(lang: Lang) -> Locale:
    """Babel's locale of a language, parsed once: Babel parses a locale name on every call
    otherwise (a third of the time of a 1,000-row table's formatting)."""
    return Locale.parse(BABEL_LOCALE[lang])


@functools.cache
def _decimal_pattern(digits: int) -> NumberPattern:
    """``#,##0.0``-style pattern with ``digits`` decimals, parsed once."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


DOMAIN = "credtrends"


def parse_lang(raw: Any) -> Lang:
    """Any value from a URL or a client: French only when asked for exactly."""
    return "fr" if raw == "fr" else "en"


def N_(key: str) -> str:  # noqa: N802 (gettext's name for this marker)
    """Mark a message key that is stored before it is translated (a page's ``TITLE_KEY``, a
    table of option labels), so that ``make messages`` extracts it; ``tr(key)`` translates
    it later. Returns ``key`` unchanged."""
    return key


def catalogue_path(lang: Lang, suffix: str = ".mo") -> Path:
    """``locale/<lang>/LC_MESSAGES/credtrends.mo`` (or ``.po``)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


def _read_catalogue(lang: Lang) -> Mapping[str, str]:
    """Key -> text of one compiled catalogue. Read with Babel's ``read_mo`` rather than
    through ``gettext()``, which answers an unknown key with the key itself: here a key
    missing from the catalogue raises ``KeyError``, as a typo must."""
    path = catalogue_path(lang)
    try:
        with path.open("rb") as file:
            catalogue = read_mo(file)
    except FileNotFoundError as exc:
        raise RuntimeError(f"{path}: missing; `make messages` compiles it from the .po") from exc
    return MappingProxyType({str(m.id): str(m.string) for m in catalogue if m.id and m.string})


#: Every message by language and key, read once at import (both catalogues hold the same
#: keys with the same ``{placeholders}``; the catalogue tests check it).
MESSAGES: Mapping[Lang, Mapping[str, str]] = MappingProxyType(
    {lang: _read_catalogue(lang) for lang in LANGS}
)


def language_name(lang: Lang) -> str:
    """A language named in itself, as the link to it reads ("English", "Français"): CLDR's
    name through Babel, capitalised for a link of its own."""
    name = Locale.parse(lang).get_language_name(lang) or lang
    return name[:1].upper() + name[1:]


# plotly.js draws its mode bar's button titles itself; its French dictionary (the English
# text is the key, as plotly.js's own locale files have it).
PLOTLY_FR: dict[str, str] = {
    "Autoscale": "Échelle automatique",
    "Box Select": "Sélection rectangulaire",
    "Compare data on hover": "Comparer les données au survol",
    "Double-click to zoom back out": "Double-cliquer pour dézoomer",
    "Download plot": "Télécharger le graphique",
    "Download plot as a png": "Télécharger le graphique en PNG",
    "Lasso Select": "Sélection au lasso",
    "Pan": "Déplacer",
    "Produced with Plotly.js": "Réalisé avec Plotly.js",
    "Reset": "Réinitialiser",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Reset views": "Réinitialiser les vues",
    "Share chart...": "Partager le graphique...",
    "Show closest data on hover": "Afficher la donnée la plus proche au survol",
    "Toggle Spike Lines": "Afficher ou masquer les lignes de repère",
    "Toggle show closest data on hover": "Afficher ou masquer la donnée la plus proche",
    "Zoom": "Zoom",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
}

# AG Grid's own texts that our grids can show (pagination, overlays, menus, filters).
AG_GRID_FR: dict[str, str] = {
    "page": "Page",
    "of": "sur",
    "to": "à",
    "more": "plus",
    "next": "Suivante",
    "last": "Dernière",
    "first": "Première",
    "previous": "Précédente",
    "firstPage": "Première page",
    "previousPage": "Page précédente",
    "nextPage": "Page suivante",
    "lastPage": "Dernière page",
    "pageSizeSelectorLabel": "Taille de la page :",
    "ariaPageSizeSelectorLabel": "Taille de la page",
    "pageLastRowUnknown": "?",
    "loadingOoo": "Chargement...",
    "loadingError": "Erreur",
    "noRowsToShow": "Aucune ligne",
    "filterOoo": "Filtrer...",
    "equals": "Égal à",
    "notEqual": "Différent de",
    "blank": "Vide",
    "notBlank": "Non vide",
    "empty": "Choisir...",
    "lessThan": "Inférieur à",
    "greaterThan": "Supérieur à",
    "lessThanOrEqual": "Inférieur ou égal à",
    "greaterThanOrEqual": "Supérieur ou égal à",
    "inRange": "Entre",
    "inRangeStart": "De",
    "inRangeEnd": "À",
    "contains": "Contient",
    "notContains": "Ne contient pas",
    "startsWith": "Commence par",
    "endsWith": "Se termine par",
    "andCondition": "ET",
    "orCondition": "OU",
    "applyFilter": "Appliquer",
    "resetFilter": "Réinitialiser",
    "clearFilter": "Effacer",
    "cancelFilter": "Annuler",
    "searchOoo": "Rechercher...",
    "selectAll": "(Tout sélectionner)",
    "selectAllSearchResults": "(Tout sélectionner dans les résultats)",
    "noMatches": "Aucun résultat",
    "columns": "Colonnes",
    "filters": "Filtres",
    "pinColumn": "Épingler la colonne",
    "pinLeft": "Épingler à gauche",
    "pinRight": "Épingler à droite",
    "noPin": "Ne pas épingler",
    "autosizeThisColumn": "Ajuster cette colonne",
    "autosizeAllColumns": "Ajuster toutes les colonnes",
    "resetColumns": "Réinitialiser les colonnes",
    "sortAscending": "Tri croissant",
    "sortDescending": "Tri décroissant",
    "sortUnSort": "Annuler le tri",
    "copy": "Copier",
    "ariaFilterInput": "Champ du filtre",
    "ariaFilteringOperator": "Opérateur de filtre",
    "ariaColumnFiltering": "Filtrage de la colonne",
    "ariaSearch": "Rechercher",
    "ariaMenuColumn": "Appuyer sur ALT+Bas pour ouvrir le menu de la colonne",
    "ariaFilterColumn": "Appuyer sur CTRL+Entrée pour ouvrir le filtre",
    "ariaSortableColumn": "Appuyer sur Entrée pour trier",
    "ariaLabelColumnMenu": "Menu de la colonne",
    "ariaLabelColumnFilter": "Filtre de la colonne",
    "ariaLabelDialog": "Dialogue",
    "ariaLabelSelectField": "Choix",
    "ariaFilterMenuOpen": "Ouvrir le menu du filtre",
    "ariaRowSelect": "Appuyer sur ESPACE pour choisir cette ligne",
    "ariaChecked": "coché",
    "ariaUnchecked": "non coché",
    "ariaVisible": "visible",
    "ariaHidden": "masqué",
    "ariaFilterList": "Liste des filtres",
    "ariaAscending": "croissant",
    "ariaDescending": "décroissant",
    "ariaSortNone": "aucun tri",
}


@functools.cache
def _plotly_names(lang: Lang) -> dict[str, list[str]]:
    """plotly.js's month and day names (its weeks start on Sunday) from Babel's CLDR data,
    the same names ``Translator.date`` and ``Translator.month`` write."""
    locale = BABEL_LOCALE[lang]
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # Babel numbers days from Monday = 0
    days = get_day_names("wide", locale=locale)
    short_days = get_day_names("abbreviated", locale=locale)
    months = get_month_names("wide", locale=locale)
    short_months = get_month_names("abbreviated", locale=locale)
    return {
        "days": [str(days[day]) for day in sunday_first],
        "shortDays": [str(short_days[day]) for day in sunday_first],
        "months": [str(months[month]) for month in range(1, 13)],
        "shortMonths": [str(short_months[month]) for month in range(1, 13)],
    }


# dcc.Dropdown's own words (its ``labels`` names) -> our message keys.
_DROPDOWN_LABELS = {
    "select_all": N_("dd_select_all"), "deselect_all": N_("dd_deselect_all"),
    "selected_count": N_("dd_selected_count"), "search": N_("dd_search"),
    "clear_search": N_("dd_clear_search"), "clear_selection": N_("dd_clear_selection"),
    "no_options_found": N_("dd_no_options"),
}  # fmt: skip


@dataclass(frozen=True)
class Translator:
    """Messages and number/date formats in one language; cheap to create per request."""

    lang: Lang = "en"

    def __call__(self, key: str, **values: Any) -> str:
        return MESSAGES[self.lang][key].format(**values)

    @property
    def name_column(self) -> str:
        """Topics and regions carry ``name_en`` and ``name_fr`` in the warehouse."""
        return f"name_{self.lang}"

    def number(self, value: Any, digits: int = 1) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return "–"
        return str(_decimal_pattern(digits).apply(value, babel_locale(self.lang)))

    def integer(self, value: Any) -> str:
        return self.number(value, digits=0)

    def percent(self, value: Any) -> str:
        """Signed whole percent; never "-0%"."""
        if value is None or (isinstance(value, float) and value != value):
            return "–"
        if abs(value) < 0.005:
            return str(format_percent(0, locale=babel_locale(self.lang)))
        sign = "+" if value > 0 else "-"  # the locale's own pattern: "12 %" in French
        return sign + str(format_percent(abs(value), locale=babel_locale(self.lang)))

    def share(self, value: Any) -> str:
        """Unsigned whole percent, for "18% more accurate" and coverages."""
        if value is None or (isinstance(value, float) and value != value):
            return "–"
        return str(format_percent(abs(value), locale=babel_locale(self.lang)))

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "–"
        return str(format_date(value, "medium", locale=BABEL_LOCALE[self.lang]))

    def names(self, frame: Any, key: str) -> dict[str, str]:
        """``key`` -> display name in this language (English when the French one is empty)."""
        english = frame["name_en"].to_list()
        local = frame[self.name_column].to_list() if self.name_column in frame.columns else english
        return {
            code: (name or fallback)
            for code, name, fallback in zip(frame[key].to_list(), local, english, strict=True)
        }

    def month(self, value: Day | None) -> str:
        """A month in a sentence ("sept. 2025", "Sep 2025")."""
        if value is None:
            return "–"
        return str(format_date(value, "MMM y", locale=BABEL_LOCALE[self.lang]))

    def timestamp(self, value: datetime) -> str:
        """A date and time in a sentence ("7 déc. 2026, 23 h 50 UTC"); ``value`` is naive UTC."""
        locale = BABEL_LOCALE[self.lang]
        day = format_date(value, "medium", locale=locale)
        return f"{day}, {format_time(value, 'short', locale=locale)} UTC"

    def dropdown_labels(self) -> Any:
        """``dcc.Dropdown(labels=...)`` (Dash types it as its own TypedDict): the words the
        dropdown draws itself."""
        return {label: self(key) for label, key in _DROPDOWN_LABELS.items()}

    def grid_locale(self) -> dict[str, str]:
        """AG Grid's ``localeText``: empty (AG Grid's English) or French."""
        return dict(AG_GRID_FR) if self.lang == "fr" else {}

    @property
    def plotly_separators(self) -> str:
        """plotly's ``layout.separators``: decimal mark then thousands separator."""
        return ", " if self.lang == "fr" else ".,"

    def plotly_date(self, precision: Literal["day", "month"] = "day") -> str:
        """A d3 date format for hover texts ("Sep 13, 2026" / "13 sept. 2026"): plotly
        prints a bare ``%{x}`` date as ISO in every language; month names come from the
        plotly locale of :meth:`graph_config`."""
        if precision == "month":
            return "%b %Y"
        return "%-d %b %Y" if self.lang == "fr" else "%b %-d, %Y"

    def graph_config(self) -> Any:
        """``dcc.Graph(config=...)``: plotly.js month and day names in this language."""
        config: dict[str, Any] = {
            "displaylogo": False,
            "locale": self.lang,
            # Fewer keyboard stops: the download links under each chart replace "save image".
            "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage", "autoScale2d"],
        }
        if self.lang == "fr":
            config["locales"] = {
                "fr": {
                    "dictionary": PLOTLY_FR,
                    "format": {
                        **_plotly_names("fr"),
                        "date": "%d/%m/%Y",
                        "decimal": ",",
                        "thousands": " ",
                    },
                }
            }
        return config


def messages_for(lang: Lang) -> Mapping[str, str]:
    return MESSAGES[lang]
