"""English and French for the dashboard: messages, numbers, dates, and plotly's locale.

The language is part of every view's URL (``?lang=fr``), like any other control, so a shared
link opens in the language it was shared in. Messages live in one table per language; a unit
test checks both tables have the same keys and the same ``{placeholders}``.
Numbers and dates are formatted with Babel's Canadian locales (``fr_CA``: ``12 345,7``,
``+12 %``, ``5 janv. 2025``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent

from credtrends.transforms.demand_supply import SCORE_FORMULA

Lang = Literal["en", "fr"]
Day = date | datetime  # (inside Translator, ``date`` is its method)
LANGS: tuple[Lang, ...] = ("en", "fr")
BABEL_LOCALE: dict[Lang, str] = {"en": "en_CA", "fr": "fr_CA"}
LANGUAGE_NAMES: dict[Lang, str] = {"en": "English", "fr": "Français"}


def parse_lang(raw: Any) -> Lang:
    """Any value from a URL or a client: French only when asked for exactly."""
    return "fr" if raw == "fr" else "en"


MESSAGES: dict[Lang, dict[str, str]] = {
    "en": {
        # planner answers (issue 14 item 7)
        "last_weeks": "last {weeks} weeks",
        "last_weeks_dated": "last {weeks} weeks ({dates})",
        "growth_definition": "Every change on a year ago on this site is one figure: the mean "
        "of the last {weeks} complete weeks ({recent}) against the same weeks a year earlier "
        "({year_ago}), with a 95% interval from the week-to-week noise of both.",
        "growth_definition_undated": "Every change on a year ago on this site is one figure: "
        "the mean of the last {weeks} complete weeks against the same weeks a year earlier, "
        "with a 95% interval from the week-to-week noise of both.",
        "growth_answers": "Is it growing here?",
        "growth_answer_up": "{topic}: up {value} on a year ago in {region}, outside the noise "
        "(95% interval {low} to {high}).",
        "growth_answer_down": "{topic}: down {value} on a year ago in {region}, outside the "
        "noise (95% interval {low} to {high}).",
        "growth_answer_flat": "{topic}: {value} on a year ago in {region}, within the noise "
        "(95% interval {low} to {high}): no change can be told apart.",
        "growth_answer_no_interval": "{topic}: {value} on a year ago in {region} (too few weeks "
        "for an interval).",
        "growth_answer_unknown": "{topic}: not enough history in {region} to compare with a "
        "year ago.",
        "growth_table": "Change on a year ago, {window}",
        "col_answer": "Answer",
        "overview_top_title_dated": "Most searched topics in {region}, {window}",
        "emerging_dated": "Emerging topics (growth 50%, acceleration 25%, trend break 25%); "
        "change on a year ago as everywhere else",
        "demand_x_dated": "Search level,<br>{window}",
        "board_level_dated": "Level, {window}",
        "focus_topic": "Topic compared across regions",
        "compare_regions_pick": "One topic is compared across regions: {topic}. Pick another "
        "above. Each region is shown as an index (100 = that region's average over the period), "
        "because Google scales every region separately.",
        "copy_link": "Copy link",
        "copy_link_label": "Link to this view",
        "copy_link_done": "Link copied.",
        "copy_link_select": "The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.",
        "unfinished_point": "unfinished",
        "unfinished_note": "Open markers and dotted lines: periods not over when the data was "
        "fetched ({periods}); their counts are still growing and are not final values.",
        "unfinished_table_note": " (unfinished)",
        "weights": "Weights of the score (0 leaves an input out)",
        "weight_supply": "Supply (subtracted)",
        "col_score_interval": "Score (95% interval)",
        "col_tie": "Tie",
        "tie_top": "tied with the top",
        "tie_rank": "same score as rank {rank}",
        "col_rank_level": "Level rank",
        "col_rank_growth": "Growth rank",
        "col_rank_forecast": "Forecast rank",
        "col_rank_vacancy": "Vacancy rank",
        "col_rank_supply": "Supply rank",
        "demand_uncertainty": "The score's 95% interval carries the uncertainty of each "
        "topic's search growth (its own 95% interval) through the ranks; other inputs are "
        "taken as exact. Topics whose interval overlaps the top score's are flagged as tied "
        "with it: their order cannot be told apart.",
        "demand_weights_used": "Weights: search level {level}, search growth {growth}, "
        "forecast growth {forecast}, vacancy growth {vacancy}, supply {supply}.",
        "programs_scatter_note": "Labels: the {count} best scores; every topic is in the "
        "table and the hover.",
        "related_all": "Related searches",
        "overview_top_summary_dated": "In {region}, {first} had the most search interest over "
        "the {window}, followed by {second}.",
        "overview_top_summary_one_dated": "In {region}, {first} had the most search interest "
        "over the {window}.",
        "overview_top_heading": "Most searched topics in {region}",
        "score_breakdown_title": "The score taken apart",
        "score_breakdown": "Each input's percentile rank among the topics shown (0 lowest, "
        "1 highest), which the weights multiply.",
        # shell
        "skip": "Skip to content",
        "switch_language": "Français",
        "switch_language_title": "Afficher cette page en français",
        "footer": "credtrends {version} · open source (Apache-2.0) · "
        "each chart names the source of its numbers",
        "nav_label": "Pages",
        # page titles
        "page_overview": "Overview",
        "page_interest": "Search interest",
        "page_regions": "Regions",
        "page_labour": "Labour market",
        "page_program_demand": "Program demand",
        "page_data": "Data & methods",
        "page_boards": "Boards",
        # shared controls and words
        "topic": "Topic",
        "topics": "Topics",
        "region": "Region",
        "regions": "Regions",
        "source": "Source",
        "week": "Week",
        "month": "Month",
        "quarter": "Quarter",
        "none_loaded": "The warehouse has no topics yet. Run `credtrends init` (real data) or "
        "`credtrends demo` (synthetic demo data).",
        "synthetic_banner_title": "Synthetic demo data. ",
        "synthetic_banner": "These numbers were generated by credtrends to show how the product "
        "works. They are not Google Trends, Statistics Canada or portal data.",
        "synthetic_chart": "SYNTHETIC DEMO DATA — not real search data",
        "synthetic_footer": "SYNTHETIC DEMO DATA - generated by credtrends, not real data.",
        "no_rows": "No rows for this selection.",
        "no_interest": "No search interest loaded for this selection yet.",
        # chart tools
        "download": "Download",
        "download_label": "Download:",
        "table_alternative": "The numbers behind this chart, as a table",
        "col_period_start": "Period",
        "dl_png": "PNG",
        "dl_png_title": "Chart as an image, with source and licence",
        "dl_svg": "SVG",
        "dl_svg_title": "Chart as vector graphics",
        "dl_pdf": "PDF",
        "dl_pdf_title": "Chart as PDF",
        "dl_csv": "CSV (all data)",
        "dl_csv_title": "Every row behind the chart",
        "dl_displayed": "CSV (as shown)",
        "dl_displayed_title": "Only what the chart shows, in its units",
        "dl_csv_fr": "CSV (fr)",
        "dl_csv_fr_title": "Séparateur ';' et virgule décimale, pour Excel en français",
        "dl_xlsx": "XLSX",
        "dl_xlsx_title": "The data and its metadata, for spreadsheets",
        "dl_json": "Metadata",
        "dl_json_title": "Sources, licence, columns, and how to load the CSV in pandas or R",
        "embed": "Embed this chart",
        "embed_help": "Copy this code into a web page to show the chart there; it keeps its "
        "source line and a link back here.",
        "copy": "Copy",
        "report": "Download this view as a PDF report",
        "report_intro": "A credtrends view, with every chart, a one-sentence summary of each, "
        "the data shown and where it comes from.",
        "report_data": "Data",
        "report_rows": "First {shown} of {total} rows.",
        "report_page": "Page {page} of {pages}",
        "report_about": "Source and licence",
        "not_found_title": "Page not found",
        "not_found_text": "There is no page at {path}. Choose a page above.",
        "not_found_home": "Go to the overview",
        "forecast_point": "forecast",
        "yes": "yes",
        "report_rows_last": "Last {shown} of {total} rows.",
        "report_full_data": "All {total} rows, with their sources: {url}",
        "report_recent": "Newest first: the first forecast periods, then the latest observed ones.",
        "synthetic_title": "synthetic demo data",
        "retrieved": "Source: {sources}. Retrieved {when}.",
        "view_link": "View in credtrends",
        # caveats
        "caveat_partial": "The last period is not complete (open circle): not a final value.",
        "caveat_break": "Google changed how it collects data on {date} (dotted line): "
        "levels before and after may differ for that reason alone.",
        "caveat_break_short": "Google data break",
        "caveat_zeros": "Google reports very low volumes as 0: a 0 means 'too few searches to "
        "show', not 'no searches'.",
        # overview
        "overview_intro": "Search interest over the last {weeks} complete weeks, and its change "
        "against the same weeks a year earlier (same season, so a September peak is not "
        "mistaken for growth).",
        "risers": "Fastest risers",
        "fallers": "Fastest fallers",
        "change_year": "Change vs a year ago",
        "level": "Level",
        "freshness": "Data freshness per source",
        "emerging": "Emerging topics (growth 50%, acceleration 25%, trend break 25%)",
        "rank": "Rank",
        "acceleration": "Acceleration",
        "trend_break": "Trend break",
        "score": "Score",
        "since": "since {when}",
        "no": "no",
        # tables of sources and runs
        "col_data": "Data",
        "col_source": "Source",
        "col_kind": "Kind",
        "col_rows": "Rows",
        "col_fetched": "Last fetched",
        "col_expected": "Expected every",
        "col_freshness": "Freshness",
        "kind_synthetic": "SYNTHETIC",
        "kind_real": "real",
        "state_stale": "STALE",
        "state_ok": "ok",
        # interest
        "interest_intro": "How much people search Google for each micro-credential topic. "
        "Compare several topics in one region, or one topic across regions.",
        "compare": "Compare",
        "compare_topics": "Topics in one region",
        "compare_regions": "One topic across regions",
        "granularity": "Granularity",
        "period": "Period",
        "period_1y": "1 year",
        "period_2y": "2 years",
        "period_5y": "5 years",
        "period_all": "All",
        "show": "Show",
        "show_forecast": "Forecast with its 80% and 95% intervals",
        "show_errors": "Calibration error band (95% interval)",
        "axis_calibrated": "Search interest, one scale<br>(100 = busiest week of any topic here)",
        "axis_raw": "Search interest, 0-100 within each topic<br>(not comparable across topics)",
        "axis_index": "Index, 100 = the region's average<br>over the period shown",
        "interest_title": "Search interest in {region}",
        "interest_regions_title": "{topic}: search interest by region",
        "partial_point": "partial, not final",
        "forecast_legend": "{name}: forecast ({model}), 80/95% intervals",
        "forecast_hover": "{name} forecast ({model})",
        "hover_interval": "{level}% interval",
        "model_naive": "Naive (last value)",
        "model_snaive": "Seasonal naive (same week last year)",
        "model_naive2": "Naive after seasonal adjustment",
        "model_ses": "Exponential smoothing",
        "model_holt": "Holt's linear trend",
        "model_damped": "Damped trend",
        "model_theta": "Theta",
        "model_ets": "ETS",
        "model_arima": "ARIMA",
        "model_comb": "Comb",
        "model_seasonal": "{models} with yearly seasonality",
        "model_average": "{models} (average)",
        "list_and": "and",
        "accuracy_better": "In backtests this forecast was {share} more accurate than repeating "
        "last year.",
        "accuracy_worse": "In backtests this forecast was {share} less accurate than repeating "
        "last year.",
        "accuracy_same": "In backtests this forecast was as accurate as repeating last year.",
        "accuracy_none": "No backtest against repeating last year: the series is too short.",
        "coverage_measured": "In those backtests {c80} of actual values fell inside the 80% "
        "interval and {c95} inside the 95% interval.",
        "forecast_accuracy": "{name}: {model}. {accuracy} {coverage}",
        "forecast_aggregated": "The {granularity} forecast is the mean of the weekly forecast's "
        "weeks, as observed weeks are averaged; its intervals are the means of the weekly "
        "bounds, which assumes errors move together within a {granularity}: wider, not "
        "narrower, than the uncertainty of a mean.",
        "interval": "{name} {level}% interval",
        "error_band": "{name}: calibration error band",
        "interest_summary": "{topics} series, {periods} periods from {first} to {last} (the last "
        "complete one). Highest latest value: {top} ({value}). Source: {sources}.",
        "forecast_summary": "Forecast for {name}: {mean} on average over the next {weeks} {unit} "
        "({model}), with a 95% interval from {low} to {high}.",
        "unit_week": "weeks",
        "unit_month": "months",
        "unit_quarter": "quarters",
        "related": "Related searches for {topic} in {region}",
        "related_top": "Top searches",
        "related_rising": "Rising searches",
        "related_none": "No related searches loaded for this topic and region yet.",
        "related_query": "Search",
        "related_value": "Value",
        "breakout": "Breakout (more than +5000%)",
        "interest_note": "Values on one scale where 100 is the busiest week of any topic in the "
        "region.",
        # regions
        "regions_intro": "Change in search interest over the last {weeks} complete weeks against "
        "the same weeks a year earlier, per province and territory. Growth is a ratio, so "
        "provinces compare fairly even though each province's interest is on its own scale.",
        "regions_value": "% change vs a year ago",
        "regions_measure": "Colour the map by",
        "measure_growth": "Change vs a year ago",
        "measure_level": "Level across provinces",
        "regions_level_title": "{topic}: search interest by province (100 = top province)",
        "regions_level_value": "Level, 100 = top province",
        "regions_level_note": "Each province's level is the topic's share of all searches "
        "there over Google's window, 100 = the top province, with its 95% interval.",
        "regions_level_summary": "{topic}: largest share of searches in {best} (100), "
        "smallest in {worst} ({worst_value}). A level is the topic's share of all searches "
        "in the province, so provinces of any size compare fairly.",
        "regions_level_ties": "Within the 95% interval of the top: {regions}.",
        "regions_level_none": "No province levels have been fetched for {topic} yet "
        "(credtrends ingest trends --province-levels).",
        "regions_title": "{topic}: change in search interest vs a year ago",
        "regions_table": "{topic}: change by region (table alternative to the map)",
        "recent_level": "Recent level (own scale)",
        "region_level": "Level across provinces, 100 = top (95% interval)",
        "regions_summary": "{topic} rose most in {best} ({best_value}) and least in {worst} "
        "({worst_value}) against a year earlier.",
        "regions_summary_none": "No regional change can be computed for {topic} yet.",
        "regions_noise": "In {count} of {total} provinces ({regions}) the change is within "
        "the week-to-week noise: it cannot be told apart from no change.",
        "change_year_interval": "Change vs a year ago (95% interval)",
        "growth_interval": "{value} ({low} to {high})",
        "growth_within_noise": "{text}, within noise",
        # labour
        "labour_intro": "Search interest (averaged per month) next to the job vacancies and "
        "postings of the occupations linked to the topic (NOC 2021, from config/topics.yaml), "
        "and the programs already on offer. Empty stretches are suppressed or missing values, "
        "never zeros.",
        "labour_panel_interest": "Search interest (monthly mean)",
        "labour_panel_labour": "Labour demand, linked occupations",
        "labour_panel_supply": "Programs on offer",
        "labour_interest": "search interest",
        "labour_programs": "programs offered",
        "labour_title": "{topic} in {region}",
        "measure_job_vacancies": "job vacancies (StatCan, quarterly)",
        "measure_job_postings": "job postings (Job Bank, monthly)",
        "measure_job_posting_vacancies": "vacancies in postings (Job Bank, monthly)",
        "measure_avg_offered_hourly_wage": "average offered hourly wage",
        "labour_table": "Linked occupations, latest values (status E: use with caution; x, F, "
        "..: suppressed; p: preliminary; r: revised)",
        "col_noc": "NOC 2021",
        "col_occupation": "Occupation",
        "col_measure": "Measure",
        "col_period": "Latest period",
        "col_value": "Value",
        "col_status": "Status",
        "col_status_run": "Status",
        "labour_summary": "{topic} in {region}: {occupations} linked occupation(s); latest "
        "vacancies {vacancies}; {programs} programs on offer.",
        "labour_no_links": "No occupations are linked to this topic in config/topics.yaml.",
        # program demand
        "demand_intro": "For planners and program designers: each topic's search demand and "
        "where it is heading, labour demand in the linked occupations, and how many programs "
        "are already on offer. Bottom right of the chart: high demand, little supply.",
        "demand_formula": "How the score is computed: ",
        "score_formula": SCORE_FORMULA,
        "demand_title": "Demand and supply in {region}",
        "demand_y": "Programs offered per unit of search interest",
        "demand_quadrant": "high demand, low supply",
        "demand_empty": "No programs-on-offer data for this region yet.",
        "demand_hover": "{topic}<br>search level {x}<br>programs per unit of demand {y}",
        "col_search_level": "Search level",
        "col_search_growth": "Search growth (yr)",
        "col_forecast_growth": "Forecast growth",
        "col_vacancies": "Vacancies (4 qtrs)",
        "col_vacancy_growth": "Vacancy growth",
        "col_programs": "Programs offered",
        "demand_summary": "In {region}, {top} has the best opportunity score ({score}): "
        "search level {level}, {programs} programs on offer.",
        # data & methods
        "data_holdings": "What the warehouse holds",
        "runs": "Last job runs",
        "col_started": "Started",
        "col_job": "Job",
        "col_seconds": "Seconds",
        "col_error": "Error",
        # boards
        "boards_intro": "Curated views; add a YAML file to dashboards/ to create one.",
        "boards_none": "No boards defined yet.",
        "boards_unknown": "No board named {name!r}.",
        "board_momentum": "Level and change",
        "board_regions_title": "{topic}: change vs a year ago by province",
        # ---- issue 14, French complete (new keys of this block stay at the end) ----
        "dd_select_all": "Select All",
        "dd_deselect_all": "Deselect All",
        "dd_selected_count": "{{num_selected}} selected",
        "dd_search": "Search",
        "dd_clear_search": "Clear search",
        "dd_clear_selection": "Clear selection",
        "dd_no_options": "No options found",
        "run_status_running": "running",
        "run_status_succeeded": "succeeded",
        "run_status_failed": "failed",
        "run_status_crashed": "crashed",
        "every_days": "{days} days",
        "licence": "credtrends code: Apache-2.0. Google Trends data: Google's terms of service. "
        "Statistics Canada data: Open Government Licence - Canada.",
        "map_no_data": "No data",
        "map_no_data_key": "Grey: no data",
        "map_empty": "No data for this selection",
        "map_synthetic": "SYNTHETIC DEMO DATA: generated by credtrends, not real search data",
        "map_attribution": "Boundaries: DCW-GMT 2.1.1 (GMT Team, Digital Chart of the World), "
        "LGPL-3.0-or-later, simplified",
        "chart_source": "Source: {sources}",
    },
    "fr": {
        # réponses aux planificateurs (enjeu 14, point 7)
        "last_weeks": "{weeks} dernières semaines",
        "last_weeks_dated": "{weeks} dernières semaines ({dates})",
        "growth_definition": "Toute variation sur un an sur ce site est un seul chiffre : la "
        "moyenne des {weeks} dernières semaines complètes ({recent}) comparée aux mêmes "
        "semaines un an plus tôt ({year_ago}), avec un intervalle à 95 % tiré du bruit d'une "
        "semaine à l'autre des deux périodes.",
        "growth_definition_undated": "Toute variation sur un an sur ce site est un seul "
        "chiffre : la moyenne des {weeks} dernières semaines complètes comparée aux mêmes "
        "semaines un an plus tôt, avec un intervalle à 95 % tiré du bruit d'une semaine à "
        "l'autre des deux périodes.",
        "growth_answers": "Est-ce en croissance ici\u00a0?",
        "growth_answer_up": "{topic} ({region}) : en hausse de {value} sur un an, au-delà du "
        "bruit (intervalle à 95 % : {low} à {high}).",
        "growth_answer_down": "{topic} ({region}) : en baisse de {value} sur un an, au-delà du "
        "bruit (intervalle à 95 % : {low} à {high}).",
        "growth_answer_flat": "{topic} ({region}) : {value} sur un an, dans le bruit "
        "(intervalle à 95 % : {low} à {high}) : aucune variation ne se distingue.",
        "growth_answer_no_interval": "{topic} ({region}) : {value} sur un an (trop peu de "
        "semaines pour un intervalle).",
        "growth_answer_unknown": "{topic} ({region}) : pas assez d'historique pour comparer à "
        "l'an dernier.",
        "growth_table": "Variation sur un an, {window}",
        "col_answer": "Réponse",
        "overview_top_title_dated": "Sujets les plus recherchés, {region}, {window}",
        "emerging_dated": "Sujets émergents (croissance 50 %, accélération 25 %, rupture de "
        "tendance 25 %); variation sur un an comme partout ailleurs",
        "demand_x_dated": "Niveau de recherche,<br>{window}",
        "board_level_dated": "Niveau, {window}",
        "focus_topic": "Sujet comparé entre régions",
        "compare_regions_pick": "Un seul sujet est comparé entre régions : {topic}. Choisissez-"
        "en un autre ci-dessus. Chaque région est un indice (100 = sa moyenne sur la période), "
        "car Google met chaque région à sa propre échelle.",
        "copy_link": "Copier le lien",
        "copy_link_label": "Lien vers cette vue",
        "copy_link_done": "Lien copié.",
        "copy_link_select": "Le lien est sélectionné : appuyez sur Ctrl+C (⌘C sur Mac) pour "
        "le copier.",
        "unfinished_point": "en cours",
        "unfinished_note": "Marqueurs vides et pointillés : périodes non terminées au moment "
        "de la collecte ({periods}); leurs comptes augmentent encore et ne sont pas définitifs.",
        "unfinished_table_note": " (en cours)",
        "weights": "Poids du score (0 retire une donnée)",
        "weight_supply": "Offre (soustraite)",
        "col_score_interval": "Score (intervalle à 95 %)",
        "col_tie": "Égalité",
        "tie_top": "à égalité avec le premier",
        "tie_rank": "même score que le rang {rank}",
        "col_rank_level": "Rang du niveau",
        "col_rank_growth": "Rang de la croissance",
        "col_rank_forecast": "Rang de la prévision",
        "col_rank_vacancy": "Rang des postes vacants",
        "col_rank_supply": "Rang de l'offre",
        "demand_uncertainty": "L'intervalle à 95 % du score porte l'incertitude de la "
        "croissance de recherche de chaque sujet (son propre intervalle à 95 %) à travers les "
        "rangs; les autres données sont prises comme exactes. Les sujets dont l'intervalle "
        "chevauche celui du premier score sont signalés à égalité avec lui : leur ordre ne "
        "peut être départagé.",
        "demand_weights_used": "Poids : niveau de recherche {level}, croissance de la recherche "
        "{growth}, croissance prévue {forecast}, croissance des postes vacants {vacancy}, "
        "offre {supply}.",
        "programs_scatter_note": "Étiquettes : les {count} meilleurs scores; tous les sujets "
        "sont dans le tableau et l'infobulle.",
        "related_all": "Recherches associées",
        "overview_top_summary_dated": "En {region}, {first} a suscité le plus d'intérêt de "
        "recherche au cours des {window}, suivi de {second}.",
        "overview_top_summary_one_dated": "En {region}, {first} a suscité le plus d'intérêt de "
        "recherche au cours des {window}.",
        "overview_top_heading": "Sujets les plus recherchés, {region}",
        "score_breakdown_title": "Le score décomposé",
        "score_breakdown": "Le rang centile de chaque donnée parmi les sujets affichés (0 le "
        "plus bas, 1 le plus haut), que les poids multiplient.",
        "skip": "Aller au contenu",
        "switch_language": "English",
        "switch_language_title": "Show this page in English",
        "footer": "credtrends {version} · logiciel libre (Apache-2.0) · "
        "chaque graphique nomme la source de ses chiffres",
        "nav_label": "Pages",
        "page_overview": "Vue d'ensemble",
        "page_interest": "Intérêt de recherche",
        "page_regions": "Régions",
        "page_labour": "Marché du travail",
        "page_program_demand": "Demande de programmes",
        "page_data": "Données et méthodes",
        "page_boards": "Tableaux",
        "topic": "Sujet",
        "topics": "Sujets",
        "region": "Région",
        "regions": "Régions",
        "source": "Source",
        "week": "Semaine",
        "month": "Mois",
        "quarter": "Trimestre",
        "none_loaded": "L'entrepôt ne contient encore aucun sujet. Lancez `credtrends init` "
        "(données réelles) ou `credtrends demo` (données de démonstration synthétiques).",
        "synthetic_banner_title": "Données de démonstration synthétiques. ",
        "synthetic_banner": "Ces chiffres ont été générés par credtrends pour montrer le "
        "fonctionnement du produit. Ce ne sont pas des données de Google Trends, de "
        "Statistique Canada ni d'un portail.",
        "synthetic_chart": "DONNÉES SYNTHÉTIQUES — pas de vraies données de recherche",
        "synthetic_footer": "DONNÉES DE DÉMONSTRATION SYNTHÉTIQUES - générées par credtrends, "
        "non réelles.",
        "no_rows": "Aucune ligne pour cette sélection.",
        "no_interest": "Aucun intérêt de recherche chargé pour cette sélection.",
        "download": "Télécharger",
        "download_label": "Télécharger :",
        "table_alternative": "Les chiffres de ce graphique, en tableau",
        "col_period_start": "Période",
        "dl_png": "PNG",
        "dl_png_title": "Le graphique en image, avec sa source et sa licence",
        "dl_svg": "SVG",
        "dl_svg_title": "Le graphique en image vectorielle",
        "dl_pdf": "PDF",
        "dl_pdf_title": "Le graphique en PDF",
        "dl_csv": "CSV (toutes les données)",
        "dl_csv_title": "Toutes les lignes derrière le graphique",
        "dl_displayed": "CSV (tel qu'affiché)",
        "dl_displayed_title": "Seulement ce que montre le graphique, dans ses unités",
        "dl_csv_fr": "CSV (fr)",
        "dl_csv_fr_title": "Séparateur ';' et virgule décimale, pour Excel en français",
        "dl_xlsx": "XLSX",
        "dl_xlsx_title": "Les données et leurs métadonnées, pour les tableurs",
        "dl_json": "Métadonnées",
        "dl_json_title": "Sources, licence, colonnes, et comment lire le CSV avec pandas ou R",
        "embed": "Intégrer ce graphique",
        "embed_help": "Copiez ce code dans une page Web pour y afficher le graphique; il garde "
        "sa source et un lien vers cette page.",
        "copy": "Copier",
        "report": "Télécharger cette vue en rapport PDF",
        "report_intro": "Une vue de credtrends, avec chaque graphique, un résumé d'une phrase, "
        "les données affichées et leur provenance.",
        "report_data": "Données",
        "report_rows": "{shown} premières lignes sur {total}.",
        "report_page": "Page {page} sur {pages}",
        "report_about": "Source et licence",
        "not_found_title": "Page introuvable",
        "not_found_text": "Il n'y a pas de page à l'adresse {path}. Choisissez une page ci-dessus.",
        "not_found_home": "Aller à la vue d'ensemble",
        "forecast_point": "prévision",
        "yes": "oui",
        "report_rows_last": "{shown} dernières lignes sur {total}.",
        "report_full_data": "Les {total} lignes, avec leurs sources : {url}",
        "report_recent": "Des plus récentes aux plus anciennes : premières périodes prévues, "
        "puis dernières périodes observées.",
        "synthetic_title": "données de démonstration synthétiques",
        "retrieved": "Source : {sources}. Extrait le {when}.",
        "view_link": "Voir dans credtrends",
        "caveat_partial": "La dernière période n'est pas terminée (cercle vide) : valeur non "
        "définitive.",
        "caveat_break": "Google a changé sa collecte de données le {date} (ligne "
        "pointillée) : les niveaux avant et après peuvent différer pour cette seule raison.",
        "caveat_break_short": "Rupture Google",
        "caveat_zeros": "Google affiche les très faibles volumes comme 0 : un 0 signifie « trop "
        "peu de recherches pour les montrer », pas « aucune recherche ».",
        "overview_intro": "L'intérêt de recherche au cours des {weeks} dernières semaines "
        "complètes, et sa variation par rapport aux mêmes semaines un an plus tôt (même "
        "saison : un pic de septembre n'est pas pris pour une croissance).",
        "risers": "Plus fortes hausses",
        "fallers": "Plus fortes baisses",
        "change_year": "Variation sur un an",
        "level": "Niveau",
        "freshness": "Fraîcheur des données par source",
        "emerging": "Sujets émergents (croissance 50 %, accélération 25 %, rupture de "
        "tendance 25 %)",
        "rank": "Rang",
        "acceleration": "Accélération",
        "trend_break": "Rupture de tendance",
        "score": "Score",
        "since": "depuis {when}",
        "no": "non",
        "col_data": "Données",
        "col_source": "Source",
        "col_kind": "Nature",
        "col_rows": "Lignes",
        "col_fetched": "Dernier chargement",
        "col_expected": "Attendu tous les",
        "col_freshness": "Fraîcheur",
        "kind_synthetic": "SYNTHÉTIQUE",
        "kind_real": "réelle",
        "state_stale": "PÉRIMÉE",
        "state_ok": "à jour",
        "interest_intro": "À quel point les gens cherchent chaque sujet de microcertification "
        "sur Google. Comparez plusieurs sujets dans une région, ou un sujet entre régions.",
        "compare": "Comparer",
        "compare_topics": "Des sujets dans une région",
        "compare_regions": "Un sujet entre régions",
        "granularity": "Granularité",
        "period": "Période",
        "period_1y": "1 an",
        "period_2y": "2 ans",
        "period_5y": "5 ans",
        "period_all": "Tout",
        "show": "Afficher",
        "show_forecast": "Prévision avec ses intervalles à 80 % et 95 %",
        "show_errors": "Marge d'erreur de l'étalonnage (intervalle à 95 %)",
        "axis_calibrated": "Intérêt de recherche, une seule échelle<br>(100 = semaine la plus "
        "forte de tous les sujets ici)",
        "axis_raw": "Intérêt de recherche, 0-100 pour chaque sujet<br>(non comparable entre "
        "sujets)",
        "axis_index": "Indice, 100 = moyenne de la région<br>sur la période affichée",
        "interest_title": "Intérêt de recherche, {region}",
        "interest_regions_title": "{topic} : intérêt de recherche par région",
        "partial_point": "partielle, non définitive",
        "forecast_legend": "{name} : prévision ({model}), intervalles 80/95 %",
        "forecast_hover": "{name}, prévision ({model})",
        "hover_interval": "intervalle à {level} %",
        "model_naive": "Naïve (dernière valeur)",
        "model_snaive": "Naïve saisonnière (même semaine l'an dernier)",
        "model_naive2": "Naïve après désaisonnalisation",
        "model_ses": "Lissage exponentiel",
        "model_holt": "Tendance linéaire de Holt",
        "model_damped": "Tendance amortie",
        "model_theta": "Theta",
        "model_ets": "ETS",
        "model_arima": "ARIMA",
        "model_comb": "Comb",
        "model_seasonal": "{models} avec saisonnalité annuelle",
        "model_average": "{models} (moyenne)",
        "list_and": "et",
        "accuracy_better": "Dans les tests rétrospectifs, cette prévision était {share} plus "
        "précise que la répétition de l'année précédente.",
        "accuracy_worse": "Dans les tests rétrospectifs, cette prévision était {share} moins "
        "précise que la répétition de l'année précédente.",
        "accuracy_same": "Dans les tests rétrospectifs, cette prévision était aussi précise que "
        "la répétition de l'année précédente.",
        "accuracy_none": "Aucun test rétrospectif face à la répétition de l'année précédente : "
        "la série est trop courte.",
        "coverage_measured": "Dans ces tests, {c80} des valeurs réelles sont tombées dans "
        "l'intervalle à 80 % et {c95} dans celui à 95 %.",
        "forecast_accuracy": "{name} : {model}. {accuracy} {coverage}",
        "forecast_aggregated": "La prévision par {granularity} est la moyenne des semaines de la "
        "prévision hebdomadaire, comme les semaines observées sont moyennées ; ses intervalles "
        "sont les moyennes des bornes hebdomadaires, ce qui suppose que les erreurs vont dans "
        "le même sens au sein d'un {granularity} : plus larges, et non plus étroits, que "
        "l'incertitude d'une moyenne.",
        "interval": "{name}, intervalle à {level} %",
        "error_band": "{name} : marge d'erreur de l'étalonnage",
        "interest_summary": "{topics} séries, {periods} périodes du {first} au {last} (la "
        "dernière complète). Plus haute valeur récente : {top} ({value}). Source : {sources}.",
        "forecast_summary": "Prévision pour {name} : {mean} en moyenne sur les {weeks} "
        "{unit} à venir ({model}), intervalle à 95 % de {low} à {high}.",
        "unit_week": "semaines",
        "unit_month": "mois",
        "unit_quarter": "trimestres",
        "related": "Recherches associées à {topic}, {region}",
        "related_top": "Principales recherches",
        "related_rising": "Recherches en hausse",
        "related_none": "Aucune recherche associée chargée pour ce sujet et cette région.",
        "related_query": "Recherche",
        "related_value": "Valeur",
        "breakout": "Envolée (plus de +5000 %)",
        "interest_note": "Valeurs sur une seule échelle où 100 est la semaine la plus forte de "
        "tous les sujets de la région.",
        "regions_intro": "Variation de l'intérêt de recherche au cours des {weeks} dernières "
        "semaines complètes par rapport aux mêmes semaines un an plus tôt, par province et "
        "territoire. La croissance est un rapport : les provinces se comparent équitablement "
        "même si chacune a sa propre échelle.",
        "regions_value": "% de variation sur un an",
        "regions_measure": "Colorer la carte selon",
        "measure_growth": "Variation sur un an",
        "measure_level": "Niveau entre provinces",
        "regions_level_title": "{topic} : intérêt de recherche par province (100 = la plus forte)",
        "regions_level_value": "Niveau, 100 = la plus forte",
        "regions_level_note": "Le niveau d'une province est la part du sujet dans toutes les "
        "recherches de la province sur la période de Google, 100 = la plus forte, avec son "
        "intervalle à 95 %.",
        "regions_level_summary": "{topic} : part des recherches la plus forte : {best} "
        "(100) ; la plus faible : {worst} ({worst_value}). Un niveau est la part du sujet dans "
        "l'ensemble des recherches de la province : les provinces de toute taille se "
        "comparent équitablement.",
        "regions_level_ties": "Dans l'intervalle à 95 % de la première : {regions}.",
        "regions_level_none": "Aucun niveau par province n'a encore été récupéré pour {topic} "
        "(credtrends ingest trends --province-levels).",
        "regions_title": "{topic} : variation de l'intérêt de recherche sur un an",
        "regions_table": "{topic} : variation par région (tableau équivalent à la carte)",
        "recent_level": "Niveau récent (échelle propre)",
        "region_level": "Niveau entre provinces, 100 = la plus forte (intervalle à 95 %)",
        "regions_summary": "{topic} a le plus progressé en {best} ({best_value}) et le moins en "
        "{worst} ({worst_value}) par rapport à l'an dernier.",
        "regions_summary_none": "Aucune variation régionale ne peut encore être calculée pour "
        "{topic}.",
        "regions_noise": "Dans {count} provinces sur {total} ({regions}), la variation reste "
        "dans le bruit d'une semaine à l'autre : on ne peut pas la distinguer d'une absence "
        "de variation.",
        "change_year_interval": "Variation sur un an (intervalle à 95 %)",
        "growth_interval": "{value} ({low} à {high})",
        "growth_within_noise": "{text}, dans le bruit",
        "labour_intro": "L'intérêt de recherche (moyenne mensuelle) à côté des postes vacants et "
        "des offres d'emploi des professions liées au sujet (CNP 2021, config/topics.yaml), et "
        "des programmes déjà offerts. Les vides sont des valeurs confidentielles ou manquantes, "
        "jamais des zéros.",
        "labour_panel_interest": "Intérêt de recherche (moyenne mensuelle)",
        "labour_panel_labour": "Demande de main-d'œuvre, professions liées",
        "labour_panel_supply": "Programmes offerts",
        "labour_interest": "intérêt de recherche",
        "labour_programs": "programmes offerts",
        "labour_title": "{topic}, {region}",
        "measure_job_vacancies": "postes vacants (StatCan, trimestriel)",
        "measure_job_postings": "offres d'emploi (Guichet-Emplois, mensuel)",
        "measure_job_posting_vacancies": "postes dans les offres (Guichet-Emplois, mensuel)",
        "measure_avg_offered_hourly_wage": "salaire horaire moyen offert",
        "labour_table": "Professions liées, dernières valeurs (code E : à utiliser avec "
        "prudence; x, F, .. : confidentiel; p : provisoire; r : révisé)",
        "col_noc": "CNP 2021",
        "col_occupation": "Profession",
        "col_measure": "Mesure",
        "col_period": "Dernière période",
        "col_value": "Valeur",
        "col_status": "Code",
        "col_status_run": "État",
        "labour_summary": "{topic}, {region} : {occupations} profession(s) liée(s); derniers "
        "postes vacants {vacancies}; {programs} programmes offerts.",
        "labour_no_links": "Aucune profession n'est liée à ce sujet dans config/topics.yaml.",
        "demand_intro": "Pour les planificateurs et les concepteurs de programmes : la demande "
        "de recherche de chaque sujet et sa tendance, la demande de main-d'œuvre des "
        "professions liées, et le nombre de programmes déjà offerts. En bas à droite du "
        "graphique : forte demande, peu d'offre.",
        "demand_formula": "Calcul du score : ",
        "score_formula": "score = moyenne des rangs centiles (0-1, parmi les sujets affichés) "
        "de : niveau de recherche, croissance de la recherche sur un an, croissance prévue et "
        "croissance des postes vacants des professions liées; moins le rang centile des "
        "programmes offerts par unité d'intérêt de recherche. Les valeurs manquantes sont "
        "exclues de la moyenne. Score élevé : demande forte et croissante, peu d'offre.",
        "demand_title": "Demande et offre, {region}",
        "demand_y": "Programmes offerts par unité d'intérêt de recherche",
        "demand_quadrant": "forte demande, peu d'offre",
        "demand_empty": "Aucune donnée sur les programmes offerts pour cette région.",
        "demand_hover": "{topic}<br>niveau de recherche {x}<br>programmes par unité de demande {y}",
        "col_search_level": "Niveau de recherche",
        "col_search_growth": "Croissance de la recherche (an)",
        "col_forecast_growth": "Croissance prévue",
        "col_vacancies": "Postes vacants (4 trim.)",
        "col_vacancy_growth": "Croissance des postes vacants",
        "col_programs": "Programmes offerts",
        "demand_summary": "En {region}, {top} a le meilleur score d'occasion ({score}) : niveau "
        "de recherche {level}, {programs} programmes offerts.",
        "data_holdings": "Contenu de l'entrepôt",
        "runs": "Dernières exécutions des tâches",
        "col_started": "Début",
        "col_job": "Tâche",
        "col_seconds": "Secondes",
        "col_error": "Erreur",
        "boards_intro": "Vues choisies; ajoutez un fichier YAML dans dashboards/ pour en créer "
        "une.",
        "boards_none": "Aucun tableau défini.",
        "boards_unknown": "Aucun tableau nommé {name!r}.",
        "board_momentum": "Niveau et variation",
        "board_regions_title": "{topic} : variation sur un an par province",
        # ---- issue 14, French complete (new keys of this block stay at the end) ----
        "dd_select_all": "Tout sélectionner",
        "dd_deselect_all": "Tout désélectionner",
        "dd_selected_count": "{{num_selected}} sélectionnés",
        "dd_search": "Rechercher",
        "dd_clear_search": "Effacer la recherche",
        "dd_clear_selection": "Effacer la sélection",
        "dd_no_options": "Aucun choix trouvé",
        "run_status_running": "en cours",
        "run_status_succeeded": "réussie",
        "run_status_failed": "échouée",
        "run_status_crashed": "interrompue",
        "every_days": "{days} jours",
        "licence": "Code de credtrends : Apache-2.0. Données de Google Trends : conditions "
        "d'utilisation de Google. Données de Statistique Canada : Licence du gouvernement "
        "ouvert - Canada.",
        "map_no_data": "Aucune donnée",
        "map_no_data_key": "Gris : aucune donnée",
        "map_empty": "Aucune donnée pour cette sélection",
        "map_synthetic": "DONNÉES DE DÉMONSTRATION SYNTHÉTIQUES : générées par credtrends, "
        "non réelles",
        "map_attribution": "Limites : DCW-GMT 2.1.1 (GMT Team, Digital Chart of the World), "
        "LGPL-3.0-or-later, simplifiées",
        "chart_source": "Source : {sources}",
    },
}

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

_MONTHS_FR = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
]  # fmt: skip
_SHORT_MONTHS_FR = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
]  # fmt: skip
_DAYS_FR = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]


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
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return str(format_decimal(value, format=pattern, locale=BABEL_LOCALE[self.lang]))

    def integer(self, value: Any) -> str:
        return self.number(value, digits=0)

    def percent(self, value: Any) -> str:
        """Signed whole percent; never "-0%"."""
        if value is None or (isinstance(value, float) and value != value):
            return "–"
        if abs(value) < 0.005:
            return str(format_percent(0, locale=BABEL_LOCALE[self.lang]))
        sign = "+" if value > 0 else "-"  # the locale's own pattern: "12 %" in French
        return sign + str(format_percent(abs(value), locale=BABEL_LOCALE[self.lang]))

    def share(self, value: Any) -> str:
        """Unsigned whole percent, for "18% more accurate" and coverages."""
        if value is None or (isinstance(value, float) and value != value):
            return "–"
        return str(format_percent(abs(value), locale=BABEL_LOCALE[self.lang]))

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
        keys = ("select_all", "deselect_all", "selected_count", "search", "clear_search",
                "clear_selection")  # fmt: skip
        return {key: self(f"dd_{key}") for key in keys} | {
            "no_options_found": self("dd_no_options")
        }

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
                        "days": _DAYS_FR,
                        "shortDays": [day[:3] + "." for day in _DAYS_FR],
                        "months": _MONTHS_FR,
                        "shortMonths": _SHORT_MONTHS_FR,
                        "date": "%d/%m/%Y",
                        "decimal": ",",
                        "thousands": " ",
                    },
                }
            }
        return config


def messages_for(lang: Lang) -> Mapping[str, str]:
    return MESSAGES[lang]
