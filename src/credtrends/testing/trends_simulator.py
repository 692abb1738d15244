"""A simulator of Google Trends' normalisation, for tests and benchmarks (SYNTHETIC data).

Google answers each request (at most 5 terms) scaled so that the request's own maximum is
100, rounded to integers; a point whose scaled value rounds below 1 is sent either as
``formattedValue "<1"`` with value 0 (``encoding="formatted"``) or as ``hasData: false``
(``encoding="has_data"``), and a term with no searches at all has ``hasData: false``
everywhere. Repeated requests see slightly different samples (``noise_log_sd``, or Poisson
counts of searches with ``searches_per_unit``).

``SimulatedGoogle`` answers at the HTTP level (explore, then widgetdata/multiline, in the
JSON shapes of the recorded fixtures), so the real ``PytrendsBackend`` and parser run
unchanged; ``answer_frame`` gives the same numbers as a long frame for fast benchmarks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np
import numpy.typing as npt
import polars as pl

from credtrends.sources.google_trends.pytrends_backend import (
    COMPAREDGEO_URL,
    EXPLORE_URL,
    MULTILINE_URL,
    HttpResponse,
)

FloatArray = npt.NDArray[np.float64]
Encoding = Literal["formatted", "has_data"]
SYNTHETIC_LABEL = "synthetic: credtrends Google Trends simulator"


def log_uniform_truth(
    n_terms: int, n_points: int, orders: float, seed: int, *, prefix: str = "term"
) -> dict[str, FloatArray]:
    """True volumes: levels log-uniform over ``orders`` decades, yearly wave and noise."""
    rng = np.random.default_rng(seed)
    levels = 10 ** rng.uniform(0.0, orders, size=n_terms)
    levels[0] = 10**orders
    levels[-1] = 1.0
    t = np.arange(n_points)
    truth = {}
    for i, level in enumerate(levels):
        phase = rng.uniform(0, 2 * np.pi)
        amplitude = rng.uniform(0.05, 0.4)
        wave = amplitude * np.sin(2 * np.pi * t / 52.18 + phase)
        truth[f"{prefix}{i:03d}"] = level * np.exp(wave + 0.08 * rng.standard_normal(n_points))
    return truth


def google_round(
    scaled: FloatArray, cutoff: float = 0.5
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Google's integers: round half up; under ``cutoff`` (and above 0) shown as "<1"."""
    reported = np.where(scaled >= cutoff, np.maximum(np.floor(scaled + 0.5), 1.0), 0.0)
    below = (scaled > 0) & (scaled < cutoff)
    return np.minimum(reported, 100.0), below


@dataclass
class SimulatedGoogle:
    """Answers like Google for a fixed truth; counts every request it was sent."""

    truth: Mapping[str, FloatArray]
    start: date = date(2021, 1, 3)
    step_days: int = 7
    encoding: Encoding = "has_data"
    cutoff: float = 0.5
    """Scaled values under this read "<1": 0.5 when Google rounds, 1.0 if it truncates."""
    noise_log_sd: float = 0.0
    searches_per_unit: float = 0.0
    """If > 0, each request counts a Poisson sample of ``truth * searches_per_unit``
    searches per point, as Google answers from a sample: small values are the noisiest,
    the way the residuals of real frames behave."""
    seed: int = 0
    regions: Mapping[str, Mapping[str, float]] | None = None
    """Per term, each region's share of its searches (for interest-by-region maps)."""
    requests: int = 0
    _folded: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._folded = {term.casefold(): term for term in self.truth}

    @property
    def periods(self) -> list[date]:
        n = len(next(iter(self.truth.values())))
        return [self.start + timedelta(days=self.step_days * k) for k in range(n)]

    def _block(self, terms: Sequence[str]) -> tuple[FloatArray, npt.NDArray[np.bool_], list[bool]]:
        names = [self._folded[t.casefold()] for t in terms]
        block = np.vstack([np.asarray(self.truth[name], dtype=np.float64) for name in names])
        if self.noise_log_sd > 0:
            digest = hashlib.sha256(("|".join(names) + str(self.seed)).encode()).digest()
            rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
            block = block * np.exp(rng.normal(0.0, self.noise_log_sd, size=block.shape))
        if self.searches_per_unit > 0:
            key = ("poisson|" + "|".join(names) + str(self.seed)).encode()
            rng = np.random.default_rng(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
            block = rng.poisson(block * self.searches_per_unit) / self.searches_per_unit
        peak = block.max()
        scaled = 100.0 * block / peak if peak > 0 else block
        reported, below = google_round(scaled, self.cutoff)
        any_data = [bool((row > 0).any()) for row in block]
        return reported, below, any_data

    def answer_frame(self, terms: Sequence[str], request_key: str) -> pl.DataFrame:
        """One request's answer as parsed rows (``request_key, term, period_start, value,
        is_below_one, has_data``), encoded as ``encoding`` says."""
        self.requests += 1
        reported, below, any_data = self._block(terms)
        days = self.periods
        rows: dict[str, list[object]] = {
            k: [] for k in ("request_key", "term", "period_start", "value", "is_below_one")
        }
        rows["has_data"] = []
        for i, term in enumerate(terms):
            for k, day in enumerate(days):
                hidden = not any_data[i] or (self.encoding == "has_data" and below[i, k])
                rows["request_key"].append(request_key)
                rows["term"].append(term)
                rows["period_start"].append(day)
                rows["value"].append(None if hidden else int(reported[i, k]))
                rows["is_below_one"].append(bool(below[i, k]) and not hidden)
                rows["has_data"].append(not hidden)
        return pl.DataFrame(
            rows,
            schema={
                "request_key": pl.String(), "term": pl.String(), "period_start": pl.Date(),
                "value": pl.Int16(), "is_below_one": pl.Boolean(), "has_data": pl.Boolean(),
            },
        )  # fmt: skip

    # ---------------------------------------------------------------- HTTP transport

    def __call__(self, method: str, url: str, params: Mapping[str, str]) -> HttpResponse:
        """The two Google endpoints the pytrends backend calls, in their JSON shapes."""
        req = json.loads(params["req"])
        if url == EXPLORE_URL:
            self.requests += 1
            terms = [item["keyword"] for item in req["comparisonItem"]]
            time = req["comparisonItem"][0]["time"]
            geo = req["comparisonItem"][0]["geo"]
            widget: dict[str, object] = {
                "request": {
                    "time": time,
                    "resolution": "WEEK" if self.step_days == 7 else "DAY",
                    "locale": params.get("hl", "en-US"),
                    "comparisonItem": [
                        {
                            "geo": {"country": geo} if geo else {},
                            "complexKeywordsRestriction": {
                                "keyword": [{"type": "BROAD", "value": term}]
                            },
                        }
                        for term in terms
                    ],
                    "requestOptions": {"property": "", "backend": "IZG", "category": 0},
                },
                "token": "SIM" + hashlib.sha256(params["req"].encode()).hexdigest()[:24],
                "id": "TIMESERIES",
                "type": "fe_line_chart",
            }
            widgets: list[dict[str, object]] = [widget]
            if self.regions is not None:
                widgets.append(self._geo_widget(terms, time, geo, params))
            body = ")]}'\n" + json.dumps({"widgets": widgets})
            return HttpResponse(200, body.encode())
        if url == COMPAREDGEO_URL:
            term = req["comparisonItem"][0]["complexKeywordsRestriction"]["keyword"][0]["value"]
            return HttpResponse(200, (")]}',\n" + json.dumps(self._geo_map(term))).encode())
        if url == MULTILINE_URL:
            terms = [
                item["complexKeywordsRestriction"]["keyword"][0]["value"]
                for item in req["comparisonItem"]
            ]
            return HttpResponse(200, (")]}',\n" + json.dumps(self._timeline(terms))).encode())
        return HttpResponse(404, b"not simulated")

    def _geo_widget(
        self, terms: Sequence[str], time: str, geo: str, params: Mapping[str, str]
    ) -> dict[str, object]:
        return {
            "request": {
                "geo": {"country": geo},
                "comparisonItem": [
                    {
                        "time": time,
                        "complexKeywordsRestriction": {
                            "keyword": [{"type": "BROAD", "value": term}]
                        },
                    }
                    for term in terms
                ],
                "resolution": "REGION",
                "locale": params.get("hl", "en-US"),
                "requestOptions": {"property": "", "backend": "IZG", "category": 0},
            },
            "token": "SIMGEO" + hashlib.sha256(params["req"].encode()).hexdigest()[:24],
            "id": "GEO_MAP",
            "type": "fe_geo_chart_explore",
        }

    def _geo_map(self, term: str) -> dict[str, object]:
        """One term's map: each region's share, scaled to the top region, rounded."""
        assert self.regions is not None
        name = self._folded[term.casefold()]
        shares = self.regions[name]
        names = list(shares)
        values = np.array([shares[n] for n in names], dtype=np.float64)
        if self.noise_log_sd > 0:
            digest = hashlib.sha256(("map|" + name + str(self.seed)).encode()).digest()
            rng = np.random.default_rng(int.from_bytes(digest[:8], "big"))
            values = values * np.exp(rng.normal(0.0, self.noise_log_sd, size=values.shape))
        reported, below = google_round(100.0 * values / values.max(), self.cutoff)
        rows = []
        for name, value, low in zip(names, reported, below, strict=True):
            hidden = self.encoding == "has_data" and bool(low)
            rows.append(
                {
                    "geoCode": name,
                    "geoName": name,
                    "value": [int(value)],
                    "formattedValue": ["<1" if low and not hidden else str(int(value))],
                    "maxValueIndex": 0,
                    "hasData": [not hidden],
                }
            )
        return {"default": {"geoMapData": rows}}

    def _timeline(self, terms: Sequence[str]) -> dict[str, object]:
        reported, below, any_data = self._block(terms)
        points = []
        for k, day in enumerate(self.periods):
            stamp = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
            values, has_data, formatted = [], [], []
            for i in range(len(terms)):
                hidden = not any_data[i] or (self.encoding == "has_data" and below[i, k])
                values.append(int(reported[i, k]))
                has_data.append(not hidden)
                formatted.append("<1" if below[i, k] and not hidden else str(int(reported[i, k])))
            points.append(
                {
                    "time": str(stamp),
                    "formattedTime": day.isoformat(),
                    "value": values,
                    "hasData": has_data,
                    "formattedValue": formatted,
                }
            )
        return {"default": {"timelineData": points, "averages": []}}
