"""Data & methods: where the numbers come from, how fresh they are, how they are made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.web.components.tables import frame_table, sources_table
from credtrends.web.data import DashboardData
from credtrends.web.i18n import Lang, Translator

NAME = "data"
PATH = "/data"
TITLE_KEY = "page_data"

METHODS: dict[Lang, str] = {
    "en": """
## Sources

- **Google Trends** (search interest): through pytrends, or CSV files exported from the
  Google Trends web page. Google's numbers are relative: each request holds at most five
  queries and is scaled so its own busiest week is 100, rounded to whole numbers ("<1"
  shows as 0). Terms of Service: Google's; the numbers are Google's, the calibration ours.
- **Statistics Canada** (job vacancies, table 14-10-0444-01, NOC 2021): Open Government
  Licence - Canada. Quality flags are kept: E use with caution, F too unreliable to be
  published, x suppressed (confidentiality), .. not available, p preliminary, r revised.
- **Job Bank** (job postings, open data): Open Government Licence - Canada.
- **Program catalogues** (programs on offer): imported from the providers' files.
- **Synthetic demo data** (`synthetic-demo`): invented by credtrends so that every page can
  be tried without a network. It is marked SYNTHETIC everywhere and in every download.

## Calibration

Each topic is one Google query (its search terms joined with ` + `). Topics are fetched in
batches that share anchor queries of similar volume, so a quiet topic is never measured
only next to a giant (where it would round to 0). All batches of a region and window are
solved together (least squares on log ratios, weighted by rounding error) onto one scale
where 100 is the busiest week of the reference query. Every value carries bounds implied
by Google's rounding.

## Forecasts

Each series is backtested on rolling origins; the three best models by MASE are averaged.
Prediction intervals come from the backtest errors (80% and 95%) and never go below zero.

## Caveats

- Search interest measures searching, not enrolment or employer demand.
- The current week is partial (open circles on charts) and never used as a final value.
- Google changed its data collection on 2022-01-01; charts mark the date.
- Google reports very low volumes as 0: a 0 is "too few to show", not "none".
- Values of one region are comparable across topics; comparing regions needs the
  region calibration, so the Regions page compares changes, not levels.
""",
    "fr": """
## Sources

- **Google Trends** (intérêt de recherche) : par pytrends, ou par les fichiers CSV exportés
  de la page Web de Google Trends. Les chiffres de Google sont relatifs : chaque requête
  contient au plus cinq recherches et est mise à l'échelle de sorte que sa semaine la plus
  forte vaut 100, arrondie à l'entier (« <1 » s'affiche 0). Conditions d'utilisation : celles
  de Google; les chiffres sont de Google, l'étalonnage est le nôtre.
- **Statistique Canada** (postes vacants, tableau 14-10-0444-01, CNP 2021) : Licence du
  gouvernement ouvert - Canada. Les codes de qualité sont conservés : E à utiliser avec
  prudence, F trop peu fiable pour être publié, x confidentiel, .. non disponible,
  p provisoire, r révisé.
- **Guichet-Emplois** (offres d'emploi, données ouvertes) : Licence du gouvernement
  ouvert - Canada.
- **Catalogues de programmes** (programmes offerts) : importés des fichiers des
  établissements.
- **Données de démonstration synthétiques** (`synthetic-demo`) : inventées par credtrends
  pour que chaque page puisse être essayée sans réseau. Elles sont marquées SYNTHÉTIQUES
  partout, y compris dans chaque téléchargement.

## Étalonnage

Chaque sujet est une recherche Google (ses termes joints par ` + `). Les sujets sont
demandés par lots qui partagent des recherches d'ancrage de volume semblable : un sujet
peu recherché n'est jamais mesuré seulement à côté d'un géant (où il serait arrondi à 0).
Tous les lots d'une région et d'une période sont résolus ensemble (moindres carrés sur les
rapports logarithmiques, pondérés par l'erreur d'arrondi) sur une seule échelle où 100 est
la semaine la plus forte de la recherche de référence. Chaque valeur a les bornes que
permettent les arrondis de Google.

## Prévisions

Chaque série est évaluée à origines glissantes; les trois meilleurs modèles selon le MASE
sont moyennés. Les intervalles de prévision viennent des erreurs de cette évaluation (80 %
et 95 %) et ne descendent jamais sous zéro.

## Mises en garde

- L'intérêt de recherche mesure des recherches, pas des inscriptions ni la demande des
  employeurs.
- La semaine en cours est partielle (cercles vides) et n'est jamais une valeur définitive.
- Google a changé sa collecte de données le 2022-01-01; les graphiques marquent la date.
- Google affiche les très faibles volumes comme 0 : un 0 veut dire « trop peu pour être
  montré », pas « aucune ».
- Les valeurs d'une région se comparent entre sujets; comparer des régions demande
  l'étalonnage régional : la page Régions compare donc des variations, pas des niveaux.
""",
}


def _runs_table(data: DashboardData, tr: Translator) -> html.Table:
    runs = data.status().recent_runs.with_columns(
        started=pl.col("started_at").dt.strftime("%Y-%m-%d %H:%M UTC"),
        seconds=(pl.col("finished_at") - pl.col("started_at")).dt.total_seconds(),
    )
    return frame_table(
        runs,
        {"started": tr("col_started"), "job_name": tr("col_job"), "status": tr("col_status_run"),
         "seconds": tr("col_seconds"), "rows_written": tr("col_rows"),
         "error": tr("col_error")},
        tr("runs"),
        tr=tr,
    )  # fmt: skip


def layout(data: DashboardData, tr: Translator, query: Mapping[str, Any]) -> html.Div:
    return html.Div(
        [
            html.H1(tr(TITLE_KEY)),
            sources_table(data, tr("data_holdings"), tr),
            _runs_table(data, tr),
            dcc.Markdown(METHODS[tr.lang]),
        ]
    )


def register_callbacks(app: dash.Dash, data: DashboardData) -> None:
    """This page has no callbacks: it is rebuilt on every visit."""
