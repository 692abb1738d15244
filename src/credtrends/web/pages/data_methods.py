"""Data & methods: where the numbers come from, how fresh they are, how they are made."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dash
import polars as pl
from dash import dcc, html

from credtrends.warehouse.schema import JOB_STATUSES
from credtrends.web.components.tables import frame_table, sources_table
from credtrends.web.data import DashboardData
from credtrends.web.i18n import N_, Lang, Translator

NAME = "data"
PATH = "/data"
TITLE_KEY = N_("page_data")
RUN_STATUS_LABELS = {
    "running": N_("run_status_running"), "succeeded": N_("run_status_succeeded"),
    "failed": N_("run_status_failed"), "crashed": N_("run_status_crashed"),
}  # fmt: skip

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

Each topic is one Google query (its search terms joined with ` + `). A first round of
requests places every topic roughly against one pivot topic; the next rounds fetch topics
sorted by volume in overlapping batches of five, so a quiet topic is always measured next
to topics of similar volume, never only next to a giant (where it would read "<1"). Every
reported number is read as the interval it stands for (a 7 as 6.5 to 7.5, "<1" as below
1), and all batches of a region and window are solved together, by weighted least squares
on the log scale, onto one scale where 100 is the busiest week of the reference query.
Every value carries a 95% interval (Google's rounding, the sampling noise estimated from
how much the batches disagree, and the uncertainty of the batch scales); a value Google
only ever showed as "<1" is shown as below its bound.

## Forecasts

Each series is backtested on rolling origins with seventeen models (naive, seasonal naive,
SES, Holt, damped trend, Theta, ETS, ARIMA and a combination, most of them also on the
series with its season removed by statsmodels' classical decomposition).
Which rule turns them into one forecast (the four best combined with weights by their
backtest error, or the single best of the seasonal or non-seasonal family) is itself chosen
by a nested backtest, and each forecast page says how accurate it was against repeating last
year. Prediction intervals come from the backtest errors (80% and 95%); their coverage is
measured in the same backtest, and they never go below zero.

## Caveats

- Search interest measures searching, not enrolment or employer demand.
- The current week is partial (open circles on charts) and never used as a final value.
- Google changed its data collection on January 1, 2022; charts mark the date.
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
  de Google ; les chiffres sont de Google, l'étalonnage est le nôtre.
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

Chaque sujet est une recherche Google (ses termes joints par ` + `). Une première série de
requêtes situe chaque sujet par rapport à un sujet pivot ; les séries suivantes demandent
les sujets triés par volume, par lots de cinq qui se chevauchent : un sujet peu recherché
est toujours mesuré à côté de sujets de volume semblable, jamais seulement à côté d'un
géant (où il afficherait « <1 »). Chaque nombre est lu comme l'intervalle qu'il représente
(un 7 entre 6,5 et 7,5, « <1 » sous 1) et tous les lots d'une région et d'une période sont
résolus ensemble, par moindres carrés pondérés sur l'échelle logarithmique, sur une seule
échelle où 100 est la semaine la plus forte de la recherche de référence. Chaque valeur a
un intervalle à 95 % (arrondis de Google, bruit d'échantillonnage estimé d'après l'écart
entre les lots, incertitude des échelles) ; une valeur que Google n'a jamais montrée
qu'en « <1 » est donnée comme inférieure à sa borne.

## Prévisions

Chaque série est évaluée à origines glissantes avec dix-sept modèles (naïf, naïf saisonnier,
lissage exponentiel simple, Holt, tendance amortie, Theta, ETS, ARIMA et une combinaison,
la plupart aussi sur la série désaisonnalisée par la décomposition classique de
statsmodels). La règle qui en fait une prévision (les quatre meilleurs combinés avec des
poids selon leur erreur, ou le meilleur de la famille saisonnière ou non saisonnière) est
elle-même choisie par une évaluation emboîtée, et chaque page de prévision dit sa précision
par rapport à la répétition de l'année précédente. Les intervalles de prévision viennent des
erreurs de cette évaluation (80 % et 95 %) ; leur couverture y est mesurée, et ils ne
descendent jamais sous zéro.

## Mises en garde

- L'intérêt de recherche mesure des recherches, pas des inscriptions ni la demande des
  employeurs.
- La semaine en cours est partielle (cercles vides) et n'est jamais une valeur définitive.
- Google a changé sa collecte de données le 1er janvier 2022 ; les graphiques marquent la date.
- Google affiche les très faibles volumes comme 0 : un 0 veut dire « trop peu pour être
  montré », pas « aucune ».
- Les valeurs d'une région se comparent entre sujets ; comparer des régions demande
  l'étalonnage régional : la page Régions compare donc des variations, pas des niveaux.
""",
}


def _runs_table(data: DashboardData, tr: Translator) -> html.Table:
    statuses = {status: tr(RUN_STATUS_LABELS[status]) for status in JOB_STATUSES}
    runs = data.recent_runs().with_columns(
        started=pl.col("started_at").map_elements(tr.timestamp, return_dtype=pl.String),
        status=pl.col("status").replace_strict(statuses, default=pl.col("status")),
        seconds=(pl.col("finished_at") - pl.col("started_at")).dt.total_seconds(),
    )
    return frame_table(
        runs,
        {"started": tr("col_started"), "job_name": tr("col_job"), "status": tr("col_status_run"),
         "seconds": tr("col_seconds"), "rows_written": tr("col_rows"),
         "error": tr("col_error")},
        tr("runs"),
        tr=tr,
        stacks=True,
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
