"""Import every real Google Trends web export in ../shared/data/gtrends-real/files/.

Each file goes through the product's parsing path (import_web_csv + parse_payload) with no
options, and is compared with index.csv (rows, terms, first and last period). A file the
importer refuses is printed with its message; the share accepted is printed per language
and granularity. Files are read in place, never copied into the repository.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

from credtrends.errors import InvalidPayload
from credtrends.sources.google_trends import import_web_csv, parse_payload

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "gtrends-real"


def main() -> int:
    index = list(csv.DictReader((DATA / "index.csv").open(encoding="utf-8")))
    accepted: Counter[str] = Counter()
    total: Counter[str] = Counter()
    mismatches: list[str] = []
    for entry in index:
        groups = (f"language {entry['language']}", f"granularity {entry['granularity']}")
        for group in groups:
            total[group] += 1
        path = DATA / "files" / f"{entry['id']}.csv"
        try:
            frame = parse_payload(import_web_csv(path))
        except InvalidPayload as exc:
            print(f"refused {exc}")
            continue
        periods = frame.get_column("period_start_utc").n_unique()
        terms = frame.select("term", "geo").n_unique()
        first = str(frame.get_column("period_start_utc").min())
        if (periods, terms) != (int(entry["rows"]), int(entry["terms"])) or not first.startswith(
            entry["first"].replace("T", " ")
        ):
            mismatches.append(
                f"{entry['id']}: rows/terms/first {periods}/{terms}/{first} vs {entry}"
            )
            continue
        for group in groups:
            accepted[group] += 1
    for group in sorted(total):
        print(f"{group:24s} {accepted[group]:4d} / {total[group]:4d}")
    for line in mismatches:
        print("mismatch", line)
    done = sum(accepted[g] for g in total if g.startswith("language"))
    print(
        f"accepted (no options, matching index.csv): {done}/{len(index)} = {done / len(index):.1%}"
    )
    return 0 if done == len(index) else 1


if __name__ == "__main__":
    sys.exit(main())
