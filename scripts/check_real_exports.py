"""Import every genuine Google Trends web export in ../shared/data/gtrends-real/files/.

Each file goes through the real importer and parser (``import_web_csv`` then
``parse_payload``), without being told its geo; the rows, terms and period range are
compared with ``index.csv``. A file whose header names a place the file alone cannot
resolve (a sub-national region, a metro, "Georgia") is then imported the way a user would:
with ``--geo``, given here with the reason. Prints the share accepted by language and
granularity and names every file that failed, with its message.

The files are read in place (never copied into the repository). Run from the repository:
``.venv/bin/python scripts/check_real_exports.py``.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from credtrends.errors import InvalidPayload
from credtrends.sources.google_trends import import_web_csv, parse_payload

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "gtrends-real"

USER_GEO = {
    "070": ("IT-82", "Sicilia is an Italian region: the header gives no code"),
    "071": ("IT-82", "Sicilia is an Italian region: the header gives no code"),
    "221": ("US-PA-504", "Philadelphia PA is a Nielsen metro (DMA 504)"),
    "317": ("US-GA", "Georgia: the file sits among US-state exports"),
}
"""Files that need ``--geo``; the ids are those of index.csv."""


def check(path: Path, row: dict[str, str], geo: str | None) -> str | None:
    """None when the file imports and matches index.csv, else what went wrong."""
    try:
        frame = parse_payload(import_web_csv(path, geo=geo))
    except InvalidPayload as exc:
        return str(exc)
    terms = frame["term"].n_unique()
    periods = frame["period_start_utc"].n_unique()  # hourly files: several per day
    if terms != int(row["terms"]):
        return f"{terms} terms, index.csv says {row['terms']}"
    if periods != int(row["rows"]):
        return f"{periods} periods, index.csv says {row['rows']}"
    return None


def main() -> int:
    if not DATA.is_dir():
        print(f"no real exports at {DATA}", file=sys.stderr)
        return 2
    with (DATA / "index.csv").open(encoding="utf-8") as handle:
        index = [row for row in csv.DictReader(handle) if row["genuine"] == "yes"]
    by_language: Counter[str] = Counter()
    by_granularity: Counter[str] = Counter()
    totals_language: Counter[str] = Counter()
    totals_granularity: Counter[str] = Counter()
    unaided = 0
    failures: list[str] = []
    helped: list[str] = []
    for row in index:
        path = DATA / "files" / f"{row['id']}.csv"
        totals_language[row["language"]] += 1
        totals_granularity[row["granularity"]] += 1
        problem = check(path, row, None)
        if problem is None:
            unaided += 1
        elif row["id"] in USER_GEO:
            geo, why = USER_GEO[row["id"]]
            problem = check(path, row, geo)
            if problem is None:
                helped.append(f"{row['id']}.csv with --geo {geo} ({why})")
        if problem is None:
            by_language[row["language"]] += 1
            by_granularity[row["granularity"]] += 1
        else:
            failures.append(f"{row['id']}.csv ({row['language']}, {row['geo']}): {problem}")
    accepted = sum(by_language.values())
    print(f"real Google Trends exports: {len(index)} files")
    print(f"accepted without any option: {unaided} ({unaided / len(index):.1%})")
    print(f"accepted in all: {accepted} ({accepted / len(index):.1%})")
    for line in helped:
        print(f"  needed --geo: {line}")
    print("by UI language: " + ", ".join(
        f"{lang} {by_language[lang]}/{n}" for lang, n in totals_language.most_common()
    ))  # fmt: skip
    print("by granularity: " + ", ".join(
        f"{g} {by_granularity[g]}/{n}" for g, n in totals_granularity.most_common()
    ))  # fmt: skip
    for line in failures:
        print(f"  FAILED {line}")
    return 0 if not failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
