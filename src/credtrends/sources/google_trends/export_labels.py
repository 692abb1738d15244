"""Words the Trends web page writes into its CSV exports, per UI language.

The importer recognises an export by its structure, never by these words; they only add
meaning where it can be known: "all categories" -> category 0, and a period header that
contradicts the dates is caught. A label missing here is kept as written, never refused.
"""

from __future__ import annotations

ALL_CATEGORIES_LABELS: frozenset[str] = frozenset(
    {
        "all categories",  # en
        "toutes catégories",  # fr
        "toutes les catégories",  # fr (older page)
        "todas las categorías",  # es
        "todas as categorias",  # pt
        "tutte le categorie",  # it
        "alle kategorien",  # de
        "tüm kategoriler",  # tr
        "toate categoriile",  # ro
        "semua kategori",  # id
        "所有类别",  # zh-CN
        "所有類別",  # zh-TW
        "すべてのカテゴリ",  # ja
        "모든 카테고리",  # ko
        "جميع الفئات",  # ar
        "усі категорії",  # uk
        "все категории",  # ru
        "wszystkie kategorie",  # pl
        "alle categorieën",  # nl
        "alla kategorier",  # sv
        "alle kategorier",  # da, nb
        "tất cả danh mục",  # vi
    }
)
"""Casefolded "All categories" in the UI languages seen in real exports and their README."""

CATEGORY_IDS: dict[str, int] = {
    "arts & entertainment": 3,
    "autos & vehicles": 47,
    "beauty & fitness": 44,
    "books & literature": 22,
    "business & industrial": 12,
    "computers & electronics": 5,
    "finance": 7,
    "food & drink": 71,
    "games": 8,
    "health": 45,
    "hobbies & leisure": 65,
    "home & garden": 11,
    "internet & telecom": 13,
    "jobs & education": 958,
    "law & government": 19,
    "news": 16,
    "online communities": 299,
    "people & society": 14,
    "pets & animals": 66,
    "real estate": 29,
    "reference": 533,
    "science": 174,
    "shopping": 18,
    "sports": 20,
    "travel": 67,
}
"""Top-level categories of the explore picker (English UI) -> Google category ids."""

PERIOD_WORDS: dict[str, frozenset[str]] = {
    word: frozenset(granularities)
    for words, granularities in (
        (
            ("week", "semaine", "semana", "woche", "settimana", "hafta", "minggu", "неделя",
             "тиждень", "săptămâna", "tydzień", "week", "uke", "vecka", "uge", "tuần",
             "周", "週", "주", "الأسبوع"),
            ("week",),
        ),
        (
            ("month", "mois", "mes", "mês", "monat", "mese", "ay", "bulan", "месяц", "місяць",
             "luna", "miesiąc", "maand", "måned", "månad", "tháng", "月", "月份", "월",
             "الشهر"),
            ("month",),
        ),
        (
            ("day", "jour", "día", "dia", "tag", "giorno", "gün", "hari", "день", "ziua",
             "dzień", "dag", "ngày", "天", "日", "일", "اليوم"),
            ("day",),
        ),
        (
            ("time", "heure", "hora", "tiempo", "zeit", "ora", "saat", "waktu", "время",
             "час", "timp", "czas", "tid", "thời gian", "时间", "時間", "시간", "الوقت"),
            ("hour", "minute"),
        ),
    )
    for word in words
}  # fmt: skip
"""Casefolded first header cell of a timeline -> the granularities it can head."""
