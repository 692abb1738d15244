"""The joint solve behind calibration: every batch's scale and every value, from intervals.

Google reports ``round(100 * x / max)`` per request; a reported ``v >= 1`` means the scaled
value lies in ``[v - 0.5, v + 0.5)`` (100 means ``[99.5, 100]``), and ``"<1"`` or a
``hasData: false`` point of a term that has data elsewhere in the request means ``[0, 1)``:
a censored observation, used as an upper bound, never dropped.

On the log scale each positive observation says ``log x_tp + u_b`` lies in a known interval
(``u_b``: the log scale of batch ``b``). Taking the interval's log-midpoint with the uniform
rounding variance (plus any sampling noise, estimated from the residuals) makes this a
weighted least squares problem. Eliminating the unknown ``x_tp`` of every (term, point)
seen in several batches leaves a graph Laplacian system in the batch scales: the exact
joint solution over all batches, not one path. The solution of every scale difference does
not depend on which batch is held fixed, so choosing another reference term only rescales.

Bounds are 95% intervals: ``exp(log x +- 1.96 se)`` with ``se`` from rounding, sampling
noise and the scales' covariance. A value known only as below a bound ("<1" everywhere it
was seen) gets ``[0, bound)`` and the status ``censored``.

Pure numpy: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

Z95 = 1.959963984540054
"""Two-sided 95% normal quantile: the stated meaning of every calibrated bound."""


@dataclass(frozen=True)
class Observations:
    """One (geo, window) group as integer-coded arrays, one entry per reported value."""

    batch: IntArray
    term: IntArray
    point: IntArray
    value: FloatArray
    """Google's integer, 0 for "<1"; NaN where the term has no data in that request."""
    partial: BoolArray
    batch_names: list[str]
    term_names: list[str]
    exact: BoolArray
    """The one 100 of its batch: Google divided by exactly this value, so it is exact."""

    def subset(self, keep: BoolArray) -> Observations:
        return Observations(
            self.batch[keep], self.term[keep], self.point[keep], self.value[keep],
            self.partial[keep], self.batch_names, self.term_names, self.exact[keep],
        )  # fmt: skip


def exact_maxima(batch: IntArray, value: FloatArray) -> BoolArray:
    """Flag each batch's maximum when it is the only 100 of that batch."""
    hundred = value >= 100
    counts = np.bincount(batch[hundred], minlength=int(batch.max(initial=-1)) + 1)
    return np.asarray(hundred & (counts[batch] == 1), dtype=bool)


LINK_MIN_VALUE = 3.0
"""A term links batches through a request only if its median reading there is at least 3
(gtab also ignores low readings); its "<1" points never link. The choice is made per
(request, term), never per point: picking points by their own reading (say, those >= 10)
picks the ones rounded up, which biased links by 1.6% in a test. Low readings still count
for the value of their own point."""


LINK_MIN_PEAK = 10.0
"""...or if it peaks at 10 or more there (gtab links by maxima of at least 10): a spiky
real term, positive in a few weeks only, still ties its requests together."""


def linkable(obs: Observations) -> BoolArray:
    """Observations that may link batches: stable points of well-read (request, term) pairs.

    A fallback through terms read at 1-2 across a gap in the catalogue was tried and
    dropped: it placed whole groups 44% off with confident bounds. Such groups are reported
    as disconnected instead, with the request that would link them.
    """
    return _linkable(obs, LINK_MIN_VALUE)


def _linkable(obs: Observations, min_median: float) -> BoolArray:
    """Stable points of (request, term) pairs read at a median of ``min_median`` or more."""
    frame_key = obs.batch * (len(obs.term_names) + 1) + obs.term
    _, pair = np.unique(frame_key, return_inverse=True)
    n_pairs = int(pair.max(initial=-1)) + 1
    values = np.where(np.isnan(obs.value), -1.0, obs.value)
    peaks = np.full(n_pairs, -1.0)
    np.maximum.at(peaks, pair, values)
    medians = np.zeros(n_pairs)
    order = np.lexsort((values, pair))
    bounds = np.searchsorted(pair[order], np.arange(n_pairs + 1))
    for k in range(n_pairs):
        chunk = values[order[bounds[k] : bounds[k + 1]]]
        medians[k] = chunk[chunk.size // 2] if chunk.size else 0.0
    good = (medians >= min_median) | (peaks >= LINK_MIN_PEAK)
    return np.asarray(good[pair] & ~obs.partial & (obs.value >= 1), dtype=bool)


EFFECTIVE_POINTS = 26
"""Independent points a (request, term) pair is worth for the scales' uncertainty.

Rounding errors are not independent: the same term at the same scale rounds the same way
in every request, and a slowly moving series repeats its errors week after week; counting
260 weekly points as 260 independent ones made the bounds 3x too narrow. The estimate
uses every point; only the covariance is inflated by ``points per pair / 26``."""

EXACT_VARIANCE = 1e-10
"""Log variance given to a batch's unique 100 (exact, but a finite weight keeps the
system well conditioned)."""


@dataclass(frozen=True)
class NoiseModel:
    """Google's sampling noise beyond rounding, as a log variance per reading.

    Google answers from a sample of searches, so a reading is a count with Poisson-like
    noise: the fewer searches behind it, the noisier. On gtab's real frames the excess
    variance of readings of 1-3 is 4-20 times that of readings of 50-100, so one constant
    variance gives the many small, noisy readings the weight that belongs to the peaks.
    The searches behind a reading are proportional to its level on the common scale (not
    to the reading, which depends on its request's top), so the model is
    ``constant + per_unit / level`` with ``level`` the calibrated value where the
    component's top linking level is 100. It holds both a flat noise (as in a simulator)
    and the counting noise; both are estimated from the residuals, never set by hand.
    """

    constant: float = 0.0
    per_unit: float = 0.0

    def variance(self, level: FloatArray) -> FloatArray:
        return np.asarray(self.constant + self.per_unit / np.maximum(level, LEVEL_FLOOR))


LEVEL_FLOOR = 1e-3
"""Smallest level (top = 100) the counting noise is evaluated at: a bound on the variance
for levels far under anything Google reports."""


def common_levels(log_reading: FloatArray, scale: FloatArray, top: float) -> FloatArray:
    """Levels on the common scale, the top linking level at 100 (gauge-free)."""
    return np.asarray(100.0 * np.exp(log_reading - scale - top), dtype=np.float64)


@dataclass(frozen=True)
class PointEstimates:
    """Per (term, point) of the solved component, on the log scale of the solve."""

    term: IntArray
    point: IntArray
    log_value: FloatArray
    log_se: FloatArray
    """Standard error of ``log_value`` (NaN for censored-only points)."""
    log_upper: FloatArray
    """Upper 95% bound of log value (for censored points: the bound itself, widened)."""
    censored: BoolArray
    partial: BoolArray
    n_batches: IntArray


@dataclass(frozen=True)
class Solution:
    points: PointEstimates
    noise_log_sd: float
    """Typical sampling noise beyond rounding (root mean variance over the linking
    readings), estimated from the residuals (0 when rounding explains the disagreement
    between batches)."""
    batches: IntArray
    """Batches (codes into ``batch_names``) that the solve covered."""
    noise: NoiseModel = NoiseModel()
    """The estimated noise per reading behind ``noise_log_sd``."""


def intervals(value: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Bounds of the unrounded scaled value behind each reported integer."""
    positive = value >= 1
    low = np.where(positive, value - 0.5, 0.0)
    high = np.where(positive, np.minimum(value + 0.5, 100.0), 1.0)
    return low, high


def log_observations(
    value: FloatArray, exact: BoolArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of log(s) for each positive reading, s log-uniform on its interval.

    Search volumes are scale quantities, so within a reading's interval lower values are
    likelier (density ~ 1/s); the log-uniform prior makes log(s) uniform on the interval.
    Measured on links through readings of 5-15, it was 0.1% off where a uniform s was
    0.3-0.8% off.
    """
    low, high = intervals(np.where(value >= 1, value, 1.0))
    log_low, log_high = np.log(low), np.log(high)
    mean = 0.5 * (log_low + log_high)
    variance = np.maximum((log_high - log_low) ** 2 / 12.0, 1e-12)
    if exact is None:
        return mean, variance
    return np.where(exact, math.log(100.0), mean), np.where(exact, EXACT_VARIANCE, variance)


def _group_ids(term: IntArray, point: IntArray) -> tuple[IntArray, IntArray]:
    """Order (stable) and dense group id per observation for (term, point)."""
    key = term * (int(point.max(initial=0)) + 1) + point
    order = np.argsort(key, kind="stable")
    _, inverse = np.unique(key[order], return_inverse=True)
    return order, inverse.astype(np.int64)


def _pairs(group: IntArray) -> tuple[IntArray, IntArray]:
    """All ordered pairs (i, j), i != j, of positions sharing a group (group is sorted)."""
    firsts: list[IntArray] = []
    seconds: list[IntArray] = []
    n = group.size
    offset = 1
    while offset < n:
        same = group[:-offset] == group[offset:]
        if not same.any():
            break
        i = np.flatnonzero(same)
        firsts.extend([i, i + offset])
        seconds.extend([i + offset, i])
        offset += 1
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def link_components(obs: Observations) -> list[list[int]]:
    """Groups of batches joined by a term that links them (see ``linkable``)."""
    return _components_of(obs, linkable(obs))


def _components_of(obs: Observations, usable: BoolArray) -> list[list[int]]:
    parent = list(range(len(obs.batch_names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if usable.any():
        sub = obs.subset(usable)
        order, group = _group_ids(sub.term, sub.point)
        first, second = _pairs(group)
        batches = sub.batch[order]
        links = {
            (int(a), int(b)) for a, b in zip(batches[first], batches[second], strict=True) if a < b
        }
        for a, b in sorted(links):
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    present = sorted(set(obs.batch.tolist()))
    groups: dict[int, list[int]] = {}
    for b in present:
        groups.setdefault(find(b), []).append(b)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


class _ScaleSystem:
    """The Laplacian system of batch log scales for one connected set of batches."""

    def __init__(self, obs: Observations, local: IntArray, n: int) -> None:
        link = linkable(obs)
        y, v = log_observations(obs.value[link], obs.exact[link])
        order, group = _group_ids(obs.term[link], obs.point[link])
        self.y = y[order]
        self.v = v[order]
        self.level = np.asarray(np.maximum(obs.value[link][order], 1.0), dtype=np.float64)
        """Each reading's level on the common scale: the readings until a fit exists."""
        self.batch = local[link][order]
        self.group = group
        self.first, self.second = _pairs(group)
        self.n = n
        self.n_groups = int(group.max(initial=-1)) + 1
        pairs = self.batch * (len(obs.term_names) + 1) + obs.term[link][order]
        _, per_pair = np.unique(pairs, return_counts=True)
        mean_pair = float(np.mean(per_pair)) if pairs.size else 1.0
        self.inflation = max(1.0, mean_pair / EFFECTIVE_POINTS)
        sizes = np.bincount(group, minlength=self.n_groups)
        self.shared = sizes[group] > 1
        self.leverage = np.where(self.shared, sizes[group] / np.maximum(sizes[group] - 1, 1), 0.0)

    def solve(self, noise: NoiseModel, gauge: int) -> tuple[FloatArray, FloatArray, float, int]:
        """Scales (u[gauge] = 0), their covariance, the weighted residual sum and its df."""
        u, covariance, residual, w, df = self._fit(noise.variance(self.level), gauge)
        return u, covariance, float((w * residual**2).sum()), df

    def _fit(
        self, extra: FloatArray, gauge: int
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int]:
        n = self.n
        w = 1.0 / (self.v + extra)
        total = np.bincount(self.group, weights=w, minlength=self.n_groups)
        mean = np.bincount(self.group, weights=w * self.y, minlength=self.n_groups) / np.where(
            total > 0, total, 1.0
        )
        laplacian = np.zeros((n, n))
        rhs = np.zeros(n)
        np.add.at(laplacian, (self.batch, self.batch), w - w**2 / total[self.group])
        np.add.at(rhs, self.batch, w * (self.y - mean[self.group]))
        i, j = self.first, self.second
        np.add.at(laplacian, (self.batch[i], self.batch[j]), -w[i] * w[j] / total[self.group[i]])
        keep = np.array([b for b in range(n) if b != gauge], dtype=np.int64)
        u = np.zeros(n)
        covariance = np.zeros((n, n))
        if keep.size:
            reduced = laplacian[np.ix_(keep, keep)]
            inverse = np.linalg.pinv(reduced, hermitian=True)
            u[keep] = inverse @ rhs[keep]
            covariance[np.ix_(keep, keep)] = inverse * self.inflation
        x = np.bincount(
            self.group, weights=w * (self.y - u[self.batch]), minlength=self.n_groups
        ) / np.where(total > 0, total, 1.0)
        residual = self.y - u[self.batch] - x[self.group]
        sizes = np.bincount(self.group, minlength=self.n_groups)
        df = int((sizes[sizes > 1] - 1).sum()) - (n - 1)
        return u, covariance, residual, w, df

    def noise(self, floor: float) -> NoiseModel:
        """Sampling noise beyond rounding, ``constant + per_unit / level``, from the residuals.

        The shape (how the excess variance falls with the level) comes from a weighted
        regression of the squared residuals on ``1 / level``; its size from the moment
        equation residual sum = degrees of freedom (DerSimonian-Laird, generalised to a
        known shape), so the bounds keep the calibration the flat estimate had.
        """
        model = NoiseModel(floor**2, 0.0)
        if not self.shared.any():
            return model
        for _ in range(3):
            u, _, _, _, _ = self._fit(model.variance(self.level), 0)
            self.level = common_levels(self.y, u[self.batch], self.top_of(u))
            shape = self._shape(model)
            model = self._sized(shape, floor)
        return model

    def top_of(self, u: FloatArray) -> float:
        """The top linking log level under scales ``u``: the origin of ``common_levels``."""
        return float((self.y - u[self.batch]).max()) if self.y.size else 0.0

    def _shape(self, model: NoiseModel) -> tuple[float, float]:
        """Relative weights of the flat and the counting term, from squared residuals."""
        extra = model.variance(self.level)
        _, _, residual, w, _ = self._fit(extra, 0)
        s = self.shared
        excess = self.leverage[s] * residual[s] ** 2 - self.v[s]
        design = np.column_stack(
            [np.ones(int(s.sum())), 1.0 / np.maximum(self.level[s], LEVEL_FLOOR)]
        )
        weight = w[s] ** 2
        best: tuple[float, float] = (1.0, 0.0)
        best_loss = math.inf
        for columns in ((0, 1), (0,), (1,)):
            sub = design[:, columns]
            gram = sub.T @ (sub * weight[:, None])
            if np.linalg.matrix_rank(gram) < len(columns):
                continue
            coef = np.linalg.solve(gram, sub.T @ (weight * excess))
            if (coef < 0).any():
                continue
            loss = float((weight * (excess - sub @ coef) ** 2).sum())
            if loss < best_loss:
                full = np.zeros(2)
                full[list(columns)] = coef
                best, best_loss = (float(full[0]), float(full[1])), loss
        norm = best[0] + best[1]
        return (best[0] / norm, best[1] / norm) if norm > 0 else (1.0, 0.0)

    def _sized(self, shape: tuple[float, float], floor: float) -> NoiseModel:
        """Scale the shape until the weighted residual sum equals its degrees of freedom."""
        unit = shape[0] + shape[1] / np.maximum(self.level, LEVEL_FLOOR)
        size = 0.0
        base = floor**2
        for _ in range(30):
            _, _, residual, w, df = self._fit(base + size * unit, 0)
            q = float((w * residual**2).sum())
            if df <= 0 or q <= df:
                break
            step = (q - df) / float((w * unit).sum())
            size += step
            if step < 1e-10:
                break
        return NoiseModel(base + size * shape[0], size * shape[1])


def solve_component(
    obs: Observations,
    batches: list[int],
    *,
    reference_term: int | None = None,
    extra_log_sd: float = 0.0,
) -> Solution:
    """Scales and values of one connected set of batches, with 95% bounds on the log scale.

    The log scale's origin is arbitrary (the caller normalises to a reference term), so
    every result is exactly equivariant to the choice of reference.
    """
    in_component = np.isin(obs.batch, np.asarray(batches, dtype=np.int64))
    sub = obs.subset(in_component & ~np.isnan(obs.value))
    local_of = {b: i for i, b in enumerate(batches)}
    local = np.array([local_of[int(b)] for b in sub.batch], dtype=np.int64)
    system = _ScaleSystem(sub, local, len(batches))
    noise = system.noise(extra_log_sd)
    u, _, _, _ = system.solve(noise, 0)
    points = _points(sub, local, u, None, noise, system.top_of(u))
    # the covariance is taken with the batch that carries the top value held fixed: that
    # value becomes the reference (100), so its scale's uncertainty belongs to the others
    candidates = np.where(points.censored, -np.inf, points.log_value)
    if reference_term is not None and (points.term == reference_term).any():
        candidates = np.where(points.term == reference_term, candidates, -np.inf)
    stable = np.where(points.partial, -np.inf, candidates)
    top = int(np.argmax(stable if np.isfinite(stable).any() else candidates))
    gauge = _heaviest_batch(sub, local, points.term[top], points.point[top], noise)
    u, covariance, _, _ = system.solve(noise, gauge)
    points = _points(sub, local, u, covariance, noise, system.top_of(u))
    typical = noise.variance(system.level) if system.level.size else np.array([noise.constant])
    return Solution(
        points, math.sqrt(float(np.mean(typical))), np.asarray(batches, dtype=np.int64), noise
    )


def _heaviest_batch(
    obs: Observations, local: IntArray, term: int, point: int, noise: NoiseModel
) -> int:
    rows = np.flatnonzero((obs.term == term) & (obs.point == point) & (obs.value >= 1))
    _, v = log_observations(obs.value[rows], obs.exact[rows])
    # one (term, point): one level, so the same noise in every row; rounding decides
    return int(local[rows[np.argmin(v)]])


CAP_MIN_VARIANCE = 1e-4
"""Log variance of a "<1" cap when the noise estimate is 0: close to a hard bound, yet
smooth enough for Newton steps."""


def _censored_means(
    x: FloatArray,
    var: FloatArray,
    total: FloatArray,
    conflicted: BoolArray,
    group: IntArray,
    cap: FloatArray,
    cap_noise: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Maximum likelihood log value where positive readings and "<1" caps disagree.

    Google samples searches: a week can read 16 in one request and "<1" in another. A cap
    is then evidence with the noise of a reading near 1 (a censored normal, as in a Tobit
    model), not a hard bound that crushes every positive reading of that week: taking the
    tightest cap as exact put spiky small terms several times too low on gtab's frames.
    Newton steps on the per-(term, point) log-likelihood; its curvature gives the variance.
    ``cap_noise`` is the noise variance at each cap's own level.
    """
    n_groups = x.size
    rows = np.flatnonzero(conflicted[group] & np.isfinite(cap))
    g, c = group[rows], cap[rows]
    cap_sd = np.sqrt(np.maximum(cap_noise[rows], CAP_MIN_VARIANCE))
    est = x.copy()
    curvature = total.copy()
    for _ in range(50):
        z = (c - est[g]) / cap_sd
        log_cdf = norm_logcdf(z)
        ratio = np.exp(norm_logpdf(z) - log_cdf)  # pdf / cdf, the inverse Mills ratio
        grad_c = -ratio / cap_sd
        hess_c = ratio * (z + ratio) / cap_sd**2
        grad = total * (x - est) + np.bincount(g, weights=grad_c, minlength=n_groups)
        curvature = total + np.bincount(g, weights=hess_c, minlength=n_groups)
        step = np.where(conflicted, grad / np.maximum(curvature, 1e-12), 0.0)
        est = est + np.clip(step, -1.0, 1.0)
        if np.abs(step).max() < 1e-9:
            break
    scale_part = var - 1.0 / np.where(total > 0, total, 1.0)
    new_var = np.where(conflicted, 1.0 / np.maximum(curvature, 1e-12) + scale_part, var)
    return np.where(conflicted, est, x), new_var


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def norm_logcdf(z: FloatArray) -> FloatArray:
    """log Phi(z), with the asymptotic series far in the lower tail (no underflow)."""
    z = np.asarray(z, dtype=np.float64)
    safe = np.maximum(z, -8.0)
    erfc = np.asarray(_ERFC(-safe / math.sqrt(2.0)), dtype=np.float64)
    direct = np.log(np.maximum(0.5 * erfc, 1e-300))
    tail = np.minimum(z, -8.0)
    series = (
        -0.5 * tail * tail - np.log(-tail) - 0.5 * math.log(2.0 * math.pi)
        + np.log1p(-1.0 / tail**2 + 3.0 / tail**4)
    )  # fmt: skip
    return np.asarray(np.where(z < -8.0, series, direct), dtype=np.float64)


def norm_logpdf(z: FloatArray) -> FloatArray:
    return np.asarray(-0.5 * z * z - 0.5 * math.log(2.0 * math.pi), dtype=np.float64)


def _points(
    obs: Observations,
    local: IntArray,
    u: FloatArray,
    covariance: FloatArray | None,
    noise: NoiseModel,
    top: float,
) -> PointEstimates:
    """Combine every observation of each (term, point): positives by weight, censored as caps."""
    positive = obs.value >= 1
    order, group = _group_ids(obs.term, obs.point)
    n_groups = int(group.max(initial=-1)) + 1
    term = np.zeros(n_groups, dtype=np.int64)
    point = np.zeros(n_groups, dtype=np.int64)
    term[group] = obs.term[order]
    point[group] = obs.point[order]
    b = local[order]
    pos = positive[order]
    stable = ~obs.partial[order]
    value = obs.value[order]
    # per group, use the stable observations if any, else the partial ones
    has_stable = np.bincount(group, weights=(pos & stable).astype(float), minlength=n_groups) > 0
    use = pos & (stable | ~has_stable[group])
    y, v = log_observations(np.where(use, value, 1.0), obs.exact[order] & use)
    w = np.where(use, 1.0 / (v + noise.variance(common_levels(y, u[b], top))), 0.0)
    total = np.bincount(group, weights=w, minlength=n_groups)
    safe_total = np.where(total > 0, total, 1.0)
    x = np.bincount(group, weights=w * (y - u[b]), minlength=n_groups) / safe_total
    var = 1.0 / safe_total
    if covariance is not None:
        a = w / safe_total[group]
        scale_var = np.bincount(group, weights=a * a * covariance[b, b], minlength=n_groups)
        i, j = _pairs(group)
        if i.size:
            scale_var += np.bincount(
                group[i], weights=a[i] * a[j] * covariance[b[i], b[j]], minlength=n_groups
            )
        var = var + np.clip(scale_var, 0.0, None)
    # censored observations: x < -u_b, the tightest cap wins
    cap_of = np.where(~pos, -u[b], np.inf)
    cap = np.full(n_groups, np.inf)
    np.minimum.at(cap, group, cap_of)
    cap_var = np.zeros(n_groups)
    if covariance is not None:
        tight = np.flatnonzero(~pos & (cap_of == cap[group]))
        cap_var[group[tight]] = covariance[b[tight], b[tight]]
    has_positive = total > 0
    censored = ~has_positive
    clipped = has_positive & (x > cap)
    if clipped.any():
        x, var = _censored_means(
            x,
            var,
            np.asarray(total, dtype=np.float64),
            clipped,
            group,
            np.where(~pos, -u[b], np.nan),
            noise.variance(common_levels(np.zeros_like(y), u[b], top)),
        )
    # a conflicted point's caps are inside its likelihood already: no second, hard clip
    hard_cap = np.where(clipped, np.inf, cap)
    se = np.sqrt(var)
    upper = np.where(has_positive, x + Z95 * se, cap + Z95 * np.sqrt(cap_var))
    log_value = np.where(has_positive, np.minimum(x, hard_cap), cap + math.log(0.5))
    partial = np.bincount(group, weights=stable.astype(float), minlength=n_groups) == 0
    n_batches = np.bincount(group, minlength=n_groups).astype(np.int64)
    return PointEstimates(
        term=term,
        point=point,
        log_value=log_value,
        log_se=np.where(has_positive, se, np.nan),
        log_upper=upper,
        censored=censored,
        partial=partial,
        n_batches=n_batches,
    )
