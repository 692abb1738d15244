"""What each column of a download means, in English and French, and its French header.

The metadata JSON beside a CSV documents every column from this table, and the French CSV
takes its headers from it; a test checks that every column of every page's downloads is
here, so a new column cannot ship undocumented.
"""

from __future__ import annotations

from typing import NamedTuple

import polars as pl


class Column(NamedTuple):
    header_fr: str
    description_en: str
    description_fr: str


COLUMNS: dict[str, Column] = {
    # planner answers (issue 14 item 7)
    "recent_start": Column("debut_recent", "First day of the recent window growth compares.",
                           "Premier jour de la période récente comparée."),
    "recent_end": Column("fin_recent", "Last day of the recent window growth compares.",
                         "Dernier jour de la période récente comparée."),
    "year_ago_start": Column("debut_an_passe", "First day of the same weeks a year earlier.",
                             "Premier jour des mêmes semaines un an plus tôt."),
    "year_ago_end": Column("fin_an_passe", "Last day of the same weeks a year earlier.",
                           "Dernier jour des mêmes semaines un an plus tôt."),
    "answer": Column("reponse", "The page's sentence: is it growing here?",
                     "La phrase de la page : est-ce en croissance ici?"),
    "is_unfinished": Column("est_en_cours", "The period was not over when the data was "
                            "fetched: its count still grows, not a final value.", "La période "
                            "n'était pas terminée à la collecte : son compte augmente encore, "
                            "valeur non définitive."),
    "granularity": Column("granularite", "Length of the period: week, month or quarter.",
                          "Durée de la période : semaine, mois ou trimestre."),
    "noc_code": Column("code_cnp", "Occupation code, NOC 2021.", "Code de profession, CNP 2021."),
    "measure": Column("mesure", "What is counted: job_vacancies (StatCan, quarterly) or "
                      "job_postings (Job Bank, monthly).", "Ce qui est compté : job_vacancies "
                      "(StatCan, trimestriel) ou job_postings (Guichet-Emplois, mensuel)."),
    "score_low": Column("score_min", "Lower end of the score's 95% interval (from the "
                        "uncertainty of search growth).", "Borne basse de l'intervalle à 95 % "
                        "du score (incertitude de la croissance de recherche)."),
    "score_high": Column("score_max", "Upper end of the score's 95% interval.",
                         "Borne haute de l'intervalle à 95 % du score."),
    "tied_with_top": Column("egalite_premier", "The score's interval overlaps the best "
                            "score's: the order at the top cannot be told apart.",
                            "L'intervalle du score chevauche celui du meilleur : l'ordre en "
                            "tête ne peut être départagé."),
    "rank_shared": Column("rang_partage", "Another topic shows the same score (same rank).",
                          "Un autre sujet affiche le même score (même rang)."),
    "rank_level": Column("rang_niveau", "Percentile rank of search level (0-1).",
                         "Rang centile du niveau de recherche (0-1)."),
    "rank_growth": Column("rang_croissance", "Percentile rank of search growth (0-1).",
                          "Rang centile de la croissance de recherche (0-1)."),
    "rank_forecast": Column("rang_prevision", "Percentile rank of forecast growth (0-1).",
                            "Rang centile de la croissance prévue (0-1)."),
    "rank_vacancy": Column("rang_postes_vacants", "Percentile rank of vacancy growth (0-1).",
                           "Rang centile de la croissance des postes vacants (0-1)."),
    "rank_supply": Column("rang_offre", "Percentile rank of programs per unit of demand "
                          "(0-1), subtracted.", "Rang centile des programmes par unité de "
                          "demande (0-1), soustrait."),
    "topic_id": Column("id_sujet", "Topic identifier (config/topics.yaml).",
                       "Identifiant du sujet (config/topics.yaml)."),
    "name": Column("nom", "Name shown on the page (topic or series).",
                   "Nom affiché sur la page (sujet ou série)."),
    "region_code": Column("code_region", "Region code, ISO 3166-2 (CA-ON) or CA.",
                          "Code de région, ISO 3166-2 (CA-ON) ou CA."),
    "region_name": Column("nom_region", "Region name.", "Nom de la région."),
    "period_start": Column("debut_periode", "First day of the period (ISO date).",
                           "Premier jour de la période (date ISO)."),
    "raw_value": Column("valeur_brute", "Google Trends value as fetched (0-100, relative to "
                        "its own request).", "Valeur Google Trends telle que reçue (0-100, "
                        "relative à sa propre requête)."),
    "calibrated_value": Column("valeur_calibree", "Value on one scale across topics "
                               "(100 = busiest week of any topic here).", "Valeur sur une seule "
                               "échelle (100 = semaine la plus forte de tous les sujets ici)."),
    "calibrated_low": Column("valeur_calibree_min", "Lowest value Google's rounding allows.",
                             "Valeur la plus basse permise par l'arrondi de Google."),
    "calibrated_high": Column("valeur_calibree_max", "Highest value Google's rounding allows.",
                              "Valeur la plus haute permise par l'arrondi de Google."),
    "scale_method": Column("methode_echelle", "How the value was put on one scale.",
                           "Méthode de mise à l'échelle commune."),
    "is_partial": Column("est_partielle", "The period is not finished: not a final value.",
                         "La période n'est pas terminée : valeur non définitive."),
    "is_synthetic": Column("est_synthetique", "Generated demo data, not real data.",
                           "Données de démonstration générées, non réelles."),
    "source": Column("source", "Where the row comes from; a forecast names its model and "
                     "input.", "Provenance de la ligne; une prévision nomme son modèle et ses "
                     "données d'entrée."),
    "sources": Column("sources", "Every source behind the row.",
                      "Toutes les sources de la ligne."),
    "kind": Column("type", "observed, partial, or forecast: <model>.",
                   "observed (observé), partial (partiel) ou forecast: <modèle> (prévision)."),
    "value": Column("valeur", "The value drawn (units in the chart's axis title).",
                    "La valeur tracée (unités dans le titre de l'axe)."),
    "low": Column("bas", "Lower bound (rounding band, or 95% forecast interval).",
                  "Borne basse (arrondi, ou intervalle de prévision à 95 %)."),
    "high": Column("haut", "Upper bound (rounding band, or 95% forecast interval).",
                   "Borne haute (arrondi, ou intervalle de prévision à 95 %)."),
    "recent_mean": Column("moyenne_recente", "Mean of the last 12 complete weeks.",
                          "Moyenne des 12 dernières semaines complètes."),
    "year_ago_mean": Column("moyenne_an_passe", "Mean of the same weeks a year earlier.",
                            "Moyenne des mêmes semaines un an plus tôt."),
    "growth": Column("croissance", "Change vs a year ago, as a ratio (0.18 = +18%).",
                     "Variation sur un an, en ratio (0,18 = +18 %)."),
    "growth_low": Column("croissance_min",
                         "Lower end of the change's 95% interval (week-to-week noise).",
                         "Borne basse de l'intervalle à 95 % de la variation (bruit "
                         "d'une semaine à l'autre)."),
    "growth_high": Column("croissance_max",
                          "Upper end of the change's 95% interval (week-to-week noise).",
                          "Borne haute de l'intervalle à 95 % de la variation (bruit "
                          "d'une semaine à l'autre)."),
    "growth_within_noise": Column("variation_dans_le_bruit",
                                  "True when the 95% interval holds 0: no change can be "
                                  "told apart.",
                                  "Vrai quand l'intervalle à 95 % contient 0 : aucune "
                                  "variation ne se distingue."),
    "level": Column("niveau", "Province level on the country scale (0-100).",
                    "Niveau de la province sur l'échelle du pays (0-100)."),
    "level_low": Column("niveau_min", "Lower end of the level's 95% interval.",
                        "Borne basse de l'intervalle à 95 % du niveau."),
    "level_high": Column("niveau_max", "Upper end of the level's 95% interval.",
                         "Borne haute de l'intervalle à 95 % du niveau."),
    "panel": Column("panneau", "Which panel of the chart the row is drawn in.",
                    "Panneau du graphique où la ligne est tracée."),
    "series": Column("serie", "Series name.", "Nom de la série."),
    "status": Column("statut", "Statistics Canada status flag (E, x, F, .., p, r).",
                     "Indicateur de qualité de Statistique Canada (E, x, F, .., p, r)."),
    "score": Column("score", "Opportunity score (see the formula in the metadata notes).",
                    "Score d'occasion (voir la formule dans les notes)."),
    "demand_level": Column("niveau_demande", "Search level, last 12 weeks.",
                           "Niveau de recherche, 12 dernières semaines."),
    "demand_growth": Column("croissance_demande", "Search growth vs a year ago (ratio).",
                            "Croissance de la recherche sur un an (ratio)."),
    "forecast_growth": Column("croissance_prevue", "Forecast growth (ratio).",
                              "Croissance prévue (ratio)."),
    "vacancies": Column("postes_vacants", "Job vacancies of the linked occupations.",
                        "Postes vacants des professions liées."),
    "vacancy_growth": Column("croissance_postes_vacants", "Vacancy growth vs a year ago "
                             "(ratio).", "Croissance des postes vacants sur un an (ratio)."),
    "programs": Column("programmes", "Programs on offer.", "Programmes offerts."),
    "programs_per_demand": Column("programmes_par_demande", "Programs per unit of search "
                                  "interest.", "Programmes offerts par unité d'intérêt de "
                                  "recherche."),
    # related searches
    "rank": Column("rang", "Rank in Google's list.", "Rang dans la liste de Google."),
    "query": Column("recherche", "The related search.", "La recherche associée."),
    "is_breakout": Column("est_fulgurante", "Google's 'Breakout': growth above 5000%.",
                          "« Fulgurante » selon Google : croissance de plus de 5000 %."),
    "fetched_at": Column("extrait_le", "When the row was fetched (UTC).",
                         "Date d'extraction (UTC)."),
    # emerging topics
    "series_id": Column("id_serie", "Topic identifier.", "Identifiant du sujet."),
    "topic": Column("sujet", "Topic name.", "Nom du sujet."),
    "growth_pct": Column("croissance_pct", "Growth over the last year, percent.",
                         "Croissance sur la dernière année, en pour cent."),
    "acceleration": Column("acceleration", "Acceleration of growth (ratio).",
                           "Accélération de la croissance (ratio)."),
    "acceleration_pct": Column("acceleration_pct", "Acceleration of growth, percent.",
                               "Accélération de la croissance, en pour cent."),
    "break_flag": Column("rupture", "A trend break was detected.",
                         "Une rupture de tendance a été détectée."),
    "break_period": Column("periode_rupture", "Period of the trend break.",
                           "Période de la rupture de tendance."),
    "trend_break": Column("rupture_tendance", "Trend break as shown on the page.",
                          "Rupture de tendance telle qu'affichée."),
    "previous_mean": Column("moyenne_precedente", "Mean of the year before the last one.",
                            "Moyenne de l'année précédant la dernière."),
    "slope_change_pct": Column("variation_pente_pct", "Change of the trend's slope, percent.",
                               "Variation de la pente de la tendance, en pour cent."),
    "n_obs": Column("nb_observations", "Observations used.", "Observations utilisées."),
    "timeframe": Column("periode_google", "Google's time frame of the request.",
                        "Période de la requête Google."),
    # data freshness
    "table": Column("table", "Warehouse table.", "Table de l'entrepôt."),
    "rows": Column("lignes", "Rows held.", "Lignes contenues."),
    "last_fetched_at": Column("dernier_chargement", "Last fetch (UTC).",
                              "Dernier chargement (UTC)."),
    "fetched": Column("charge_le", "Last fetch as shown (UTC).",
                      "Dernier chargement tel qu'affiché (UTC)."),
    "expected_every": Column("attendu_tous_les", "How often the source should be refreshed.",
                             "Fréquence de mise à jour attendue."),
    "is_stale": Column("est_perime", "Older than expected.", "Plus ancien que prévu."),
    "state": Column("etat", "Freshness as shown.", "Fraîcheur telle qu'affichée."),
}  # fmt: skip

FRENCH_BOOLEANS = {True: "oui", False: "non"}


def undocumented(frame: pl.DataFrame) -> list[str]:
    return [name for name in frame.columns if name not in COLUMNS]


def column_descriptions(frame: pl.DataFrame) -> dict[str, dict[str, str]]:
    """Per column: its type, French header and meaning in both languages (metadata JSON)."""
    described = {}
    for name, dtype in frame.schema.items():
        column = COLUMNS.get(name, Column(name, "", ""))
        described[name] = {
            "type": str(dtype),
            "header_fr": column.header_fr,
            "description_en": column.description_en,
            "description_fr": column.description_fr,
        }
    return described


def french_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """French headers, and "oui"/"non" for booleans (French Excel reads no true/false)."""
    booleans = [name for name, dtype in frame.schema.items() if dtype == pl.Boolean]
    spoken = frame.with_columns(
        pl.col(name).replace_strict(FRENCH_BOOLEANS, return_dtype=pl.String) for name in booleans
    )
    return spoken.rename(
        {name: COLUMNS[name].header_fr for name in spoken.columns if name in COLUMNS}
    )
