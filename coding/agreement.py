"""Agreement between coders: Cohen's kappa and Krippendorff's alpha (nominal), pure Python.

The archive uses them per code (a value or a theme) over the units of a story (its transcript
segments, or the sentences of a text story): each coder either applied the code to a unit or
did not, so every unit gets one of two categories from every coder. The functions below are
general, though: any hashable categories, and alpha allows missing values (None).

When every coder put every unit in the same single category, chance agreement is total and
both coefficients are 0/0: undefined. They return None then, and callers show the observed
agreement (which is 1.0) with a word on why there is no coefficient.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from itertools import permutations


def observed_agreement(ratings: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Share of agreeing pairs among all pairs of coders' values within units.

    `ratings[c][u]` is coder c's value for unit u (None when missing). Units with fewer than two
    values do not count. For two coders with no missing values this is the percentage of units
    on which they agree.
    """
    agree = pairs = 0
    for values in _units(ratings):
        counts = Counter(values)
        m = len(values)
        pairs += m * (m - 1)
        agree += sum(n * (n - 1) for n in counts.values())
    return agree / pairs if pairs else None


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa for two coders who each rated the same units.

    kappa = (p_o - p_e) / (1 - p_e), where p_o is the share of units they agree on and p_e the
    agreement expected by chance from each coder's own category shares. None when p_e = 1.
    """
    if len(a) != len(b):
        raise ValueError("Both coders must rate the same units.")
    n = len(a)
    if n == 0:
        return None
    p_o = sum(1 for x, y in zip(a, b, strict=True) if x == y) / n
    count_a, count_b = Counter(a), Counter(b)
    p_e = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if p_e == 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def chance_agreement(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """The agreement two coders would reach by chance alone, from how often each used each
    category (kappa's p_e). None for no units."""
    n = len(a)
    if n == 0 or len(b) != n:
        return None
    count_a, count_b = Counter(a), Counter(b)
    return sum(count_a[c] * count_b[c] for c in count_a) / (n * n)


def kappa_in_words(
    observed: float | None, chance: float | None, kappa: float | None, *, unit: str
) -> str:
    """Kappa said in plain words, beside the number: what agreement there is, what chance alone
    would give, and what is left (why 80% agreement can mean kappa 0)."""
    if observed is None or chance is None:
        return ""
    if kappa is None:
        return (
            f"Both coders made the same choice on every {unit}, so there is no variation to "
            "compare with chance: kappa cannot be worked out."
        )
    if kappa <= 0.0:
        verdict = "no better than chance"
    elif kappa < 0.2:
        verdict = "slight agreement beyond chance"
    elif kappa < 0.4:
        verdict = "fair agreement beyond chance"
    elif kappa < 0.6:
        verdict = "moderate agreement beyond chance"
    elif kappa < 0.8:
        verdict = "substantial agreement beyond chance"
    else:
        verdict = "almost perfect agreement beyond chance"
    return (
        f"They agree on {observed:.0%} of the {unit}s; chance alone, given how often each of "
        f"them used this code, would give {chance:.0%}. Kappa counts only the agreement beyond "
        f"that: {verdict}."
    )


def krippendorff_alpha(ratings: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    Built from the coincidence matrix: within each unit with m >= 2 values, every ordered pair
    of values from different coders adds 1/(m-1) to o[c][k]. With n_c the row sums and n the
    total, alpha = 1 - (n - 1) * sum_{c!=k} o[c][k] / sum_{c!=k} n_c * n_k.
    None when there is nothing to pair or all pairable values are of one category.
    """
    coincidences: defaultdict[tuple[Hashable, Hashable], float] = defaultdict(float)
    for values in _units(ratings):
        weight = 1 / (len(values) - 1)
        for x, y in permutations(values, 2):
            coincidences[(x, y)] += weight
    if not coincidences:
        return None
    totals: defaultdict[Hashable, float] = defaultdict(float)
    for (x, _y), o in coincidences.items():
        totals[x] += o
    n = sum(totals.values())
    disagreement = sum(o for (x, y), o in coincidences.items() if x != y)
    expected = sum(totals[c] * totals[k] for c in totals for k in totals if c != k)
    if expected == 0:
        return None
    return 1 - (n - 1) * disagreement / expected


def _units(ratings: Sequence[Sequence[Hashable | None]]):
    """Each unit's present values, for units with at least two."""
    if not ratings:
        return
    width = len(ratings[0])
    if any(len(row) != width for row in ratings):
        raise ValueError("Every coder needs a value (or None) for every unit.")
    for u in range(width):
        values = [row[u] for row in ratings if row[u] is not None]
        if len(values) >= 2:
            yield values
