"""Signals over stored events: dyad series, the say–do gap, claims against denials, alerts.

Every function takes and returns pandas DataFrames (``pip install 'tocsin[signals]'``),
so analysts can chain them. :func:`load_events` reads the store into the frame the
others expect; tests build such frames by hand.

Which events count
    *Factual* events are affirmed and reported as ``actual`` or ``claimed`` (a
    claim is how news reports most events). Negated and denied events feed only
    :func:`contradictions`; events that are merely intended, demanded,
    conditional or hypothetical are left out of series and gaps (their verbal
    side — a promise, a threat, a demand — is coded as its own AGREE, THREATEN or
    REQUEST event, which does count).

Corroboration weight
    An event's weight is ``num_sources / num_mentions`` of its cluster, so every
    event cluster adds up to the number of independent sources that report it
    (syndicated copies count once). ``weighted=False`` counts each event once.

Actor levels
    ``country`` (RUS), ``sector`` (RUS-MIL) or ``actor`` (the KB id or name:
    vladimir-putin); an actor with no country rolls up to its group or name.
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from .dedup import date_range
from .errors import ConfigError

VERBAL_COOP, MATERIAL_COOP, VERBAL_CONFLICT, MATERIAL_CONFLICT = 1, 2, 3, 4
FACTUAL = ("actual", "claimed")
COLUMNS = (
    "id", "story_id", "date", "event_type", "quad_class", "intensity", "actor_country", "actor_sector",
    "actor_name", "actor_kb_id", "recipient_country", "recipient_sector", "recipient_name", "recipient_kb_id", "mode",
    "asserted_country", "polarity", "modality", "cluster_id", "num_mentions", "num_sources", "sentence",
    "date_precision", "asserted_name", "outlet", "well_formed", "trigger",
)  # fmt: skip


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:
        raise ConfigError("signals need pandas and matplotlib: `pip install 'tocsin[signals]'`") from exc
    return pd


def frame(rows: list[dict[str, Any]]) -> Any:
    """A DataFrame of events with the columns the signal functions expect (missing ones empty)."""
    pd = _pandas()
    data = pd.DataFrame(rows, columns=list(COLUMNS))
    data["date"] = pd.to_datetime(data["date"])
    for column in ("num_mentions", "num_sources"):
        data[column] = data[column].fillna(1).astype(int)
    data["well_formed"] = data["well_formed"].astype("boolean").fillna(True).astype(bool)
    data["intensity"] = data["intensity"].astype(float).fillna(0.0)
    data["quad_class"] = data["quad_class"].fillna(0).astype(int)
    return data


def load_events(db: str | Engine = "tocsin.db", **filters: Any) -> Any:
    """Stored events as the signal frame (see :data:`COLUMNS`); filters as in ``tocsin.store.Filters``.

    ``db`` is a path or URL, or an open engine (the server passes its read-only one).
    """
    from .store import Filters, opened, read_events

    rows = []
    with contextlib.nullcontext(db) if isinstance(db, Engine) else opened(db) as engine:
        for record in read_events(engine, Filters(**filters)):
            actor, recipient = record.get("actor") or {}, record.get("recipient") or {}
            rows.append(
                {
                    "id": record["id"], "story_id": record["story_id"], "date": record.get("date"),
                    "event_type": record["event_type"], "mode": record.get("mode"),
                    "quad_class": record.get("quad_class"),
                    "intensity": record.get("intensity"), "actor_country": actor.get("country"),
                    "actor_sector": ";".join(actor.get("sector") or []), "actor_name": actor.get("name"),
                    "actor_kb_id": actor.get("kb_id"), "recipient_country": recipient.get("country"),
                    "recipient_sector": ";".join(recipient.get("sector") or []),
                    "recipient_name": recipient.get("name"), "recipient_kb_id": recipient.get("kb_id"),
                    "asserted_country": (record.get("asserted_by") or {}).get("country"),
                    "polarity": record.get("polarity"), "modality": record.get("modality"),
                    "cluster_id": record.get("cluster_id"), "num_mentions": record.get("num_mentions"),
                    "num_sources": record.get("num_sources"), "sentence": record.get("sentence"),
                    "date_precision": record.get("date_precision"),
                    "asserted_name": (record.get("asserted_by") or {}).get("text"),
                    "outlet": record.get("outlet") or record.get("publisher"),
                    "well_formed": record.get("well_formed", True), "trigger": record.get("trigger"),
                }
            )  # fmt: skip
    return frame(rows)


def _who(data: Any, side: str, level: str) -> Any:
    """The actor (or recipient) label at a roll-up level."""
    country = data[f"{side}_country"]
    fallback = data[f"{side}_kb_id"].fillna(data[f"{side}_name"])
    if level == "country":
        return country.fillna(fallback)
    if level == "sector":
        sector = data[f"{side}_sector"].fillna("").str.split(";").str[0]
        return (country.fillna(fallback) + "-" + sector).str.rstrip("-")
    if level == "actor":
        return data[f"{side}_kb_id"].fillna(data[f"{side}_name"]).fillna(country)
    raise ConfigError(f"unknown actor level {level!r}: use country, sector or actor")


def factual(data: Any) -> Any:
    """Affirmed events reported as actual or claimed."""
    return data[(data["polarity"] == "affirmed") & data["modality"].isin(FACTUAL)]


def weights(data: Any, weighted: bool = True) -> Any:
    """Each event's corroboration weight: num_sources / num_mentions of its cluster (or 1)."""
    if not weighted:
        return data["num_sources"] * 0 + 1.0
    return data["num_sources"] / data["num_mentions"].clip(lower=1)


def dyad_series(data: Any, freq: str = "W", level: str = "country", weighted: bool = True) -> Any:
    """Per dyad (actor → recipient) and period: weighted counts per event type and quad
    class, and summed intensity. Index: actor, recipient, period (the period's start).

    Example:
        >>> series = dyad_series(load_events("tocsin.db"), freq="W")
        >>> series.loc[("RUS", "UKR")]["q4"]   # weekly material conflict, Russia → Ukraine

    Events with no date cannot be placed in a period: ``series.attrs["undated"]``
    says how many factual events between two actors were left out for that.
    """
    pd = _pandas()
    events = factual(data).copy()
    events = events[events["recipient_country"].notna() | events["recipient_name"].notna()]
    out = _series(pd, events, ["actor", "recipient"], freq, level, weighted)
    out.attrs["undated"] = int(events["date"].isna().sum())
    return out


def actor_series(data: Any, freq: str = "W", level: str = "country", weighted: bool = True) -> Any:
    """The same as :func:`dyad_series`, per actor whatever the recipient (``attrs["undated"]`` too)."""
    pd = _pandas()
    events = factual(data).copy()
    out = _series(pd, events, ["actor"], freq, level, weighted)
    out.attrs["undated"] = int(events["date"].isna().sum())
    return out


def left_out(
    data: Any, actor: str | None = None, recipient: str | None = None, level: str = "country"
) -> dict[str, int]:
    """How many events of an actor (and recipient) the series and plots leave out, and why:
    ``undated`` (factual, but no date) and ``not_factual`` (negated, denied, intended,
    demanded, conditional or hypothetical), with the ``total``."""
    chosen = data
    if actor is not None:
        chosen = chosen[_who(chosen, "actor", level) == actor]
    if recipient is not None:
        chosen = chosen[_who(chosen, "recipient", level) == recipient]
    facts = factual(chosen)
    return {"total": len(chosen), "undated": int(facts["date"].isna().sum()), "not_factual": len(chosen) - len(facts)}


def _series(pd: Any, events: Any, keys: list[str], freq: str, level: str, weighted: bool) -> Any:
    events["actor"] = _who(events, "actor", level)
    if "recipient" in keys:
        events["recipient"] = _who(events, "recipient", level)
    events = events[events["actor"].notna() & events["date"].notna()]
    events["weight"] = weights(events, weighted)
    events["period"] = events["date"].dt.to_period(freq).dt.start_time
    events["weighted_intensity"] = events["intensity"] * events["weight"]
    group = [*keys, "period"]
    types = events.pivot_table(index=group, columns="event_type", values="weight", aggfunc="sum", fill_value=0.0)
    quads = events.pivot_table(index=group, columns="quad_class", values="weight", aggfunc="sum", fill_value=0.0)
    quads = quads.rename(columns=lambda q: f"q{q}")
    for q in ("q1", "q2", "q3", "q4"):
        if q not in quads:
            quads[q] = 0.0
    totals = events.groupby(group).agg(
        events=("weight", "sum"), intensity=("weighted_intensity", "sum"), mentions=("id", "count")
    )
    out = totals.join(quads[["q1", "q2", "q3", "q4"]]).join(types)
    out.columns.name = None
    return out.sort_index()


def say_do_gap(data: Any, window: str = "30D", by: str = "actor", level: str = "country", weighted: bool = True) -> Any:
    """The say–do gap per actor (or dyad) over rolling windows ending at each period.

    Formula, over the window::

        say = verbal cooperation / (verbal cooperation + verbal conflict)      quad 1 / (1 + 3)
        do  = material cooperation / (material cooperation + material conflict) quad 2 / (2 + 4)
        gap = say - do

    Units: a difference of two shares, from -1 to +1 (read ×100 as percentage
    points). **Positive**: the actor talks more cooperatively than it acts (peace
    talk, war on the ground); **negative**: it acts more cooperatively than it
    talks. NaN when the window has no verbal or no material events. Counts are
    corroboration-weighted; only factual events count (see the module docstring).
    Columns: say, do, gap, and the four weighted quad counts.
    """
    pd = _pandas()
    keys = ["actor"] if by == "actor" else ["actor", "recipient"]
    events = factual(data).copy()
    events["actor"] = _who(events, "actor", level)
    if by != "actor":
        events["recipient"] = _who(events, "recipient", level)
        events = events[events["recipient"].notna()]
    events = events[events["actor"].notna() & events["date"].notna()]
    events["weight"] = weights(events, weighted)
    rows = []
    for key, group in events.groupby(keys):
        daily = group.pivot_table(index="date", columns="quad_class", values="weight", aggfunc="sum", fill_value=0.0)
        for q in (1, 2, 3, 4):
            if q not in daily:
                daily[q] = 0.0
        daily = daily[[1, 2, 3, 4]].sort_index()
        full = daily.asfreq("D", fill_value=0.0)
        rolled = full.rolling(window, min_periods=1).sum().loc[daily.index]
        for day, row in rolled.iterrows():
            verbal, material = row[1] + row[3], row[2] + row[4]
            say = row[1] / verbal if verbal else float("nan")
            do = row[2] / material if material else float("nan")
            rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True)), "date": day,
                         "say": say, "do": do, "gap": say - do, "q1": row[1], "q2": row[2], "q3": row[3],
                         "q4": row[4]})  # fmt: skip
    columns = [*keys, "date", "say", "do", "gap", "q1", "q2", "q3", "q4"]
    return pd.DataFrame(rows, columns=columns).set_index([*keys, "date"]).sort_index()


CONTRADICTION_COLUMNS = (
    "event_type", "actor", "recipient", "claim_id", "claim_by", "claim_date", "claim_sentence", "claim_cluster",
    "denial_id", "denial_by", "denial_date", "denial_sentence", "denial_cluster", "denial_polarity",
    "denial_modality",
)  # fmt: skip
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|none|nobody|nothing|without|deny|denies|denied|denying|reject|rejects|"
    r"rejected|dismiss|dismissed|dismisses|refute|refuted|false|untrue)\b|n't\b",
    re.IGNORECASE,
)
# the negation sits inside a question, an explanation or a condition: "has not explained why they were not
# deported", "if they accept it we do not reject it", "whether troops had not withdrawn"
_EMBEDDED = re.compile(r"\b(?:why|whether|if|unless|how|until|what|explain|explained|wonder|asked)\b", re.IGNORECASE)


def really_denies(sentence: str, trigger: str | None, modality: str | None) -> bool:
    """Whether a negated or denied event's own sentence denies it: a negation or denial
    word ("not", "no sign of", "denied", "rejected reports"), and no question,
    explanation or condition ("why", "whether", "if") between the start of the
    sentence and the event's trigger. Used by :func:`contradictions`.

    Example:
        >>> really_denies("NATO said Russia has not withdrawn its troops.", "withdraw", "actual")
        True
        >>> really_denies("Nobody has explained why they were not deported.", "deport", "actual")
        False
    """
    text = sentence if isinstance(sentence, str) else ""  # a missing value in a frame is NaN
    low = text.lower()
    word = trigger.lower().split()[0] if isinstance(trigger, str) and trigger.strip() else ""
    stem = word[: max(4, len(word) - 3)] if word else ""
    at = low.find(stem) if stem else -1
    before = low[:at] if at >= 0 else low
    if _EMBEDDED.search(before):
        return False
    if modality == "denied":
        return True
    negations = list(_NEGATION.finditer(before if at >= 0 else low)) or list(_NEGATION.finditer(low))
    if not negations:
        return False
    # "a drug war, not a trade war": a contrast between two things, not a denial that something happened
    return not re.match(r"\s+(?:a|an|the|just|only|merely)\b", low[negations[-1].end() :])


def _side(data: Any, side: str) -> Any:
    """One side's identity for matching: its country, else ``kb:`` its KB id (None when neither)."""
    kb = data[f"{side}_kb_id"].astype(object)  # an all-empty column is float: "kb:" + NaN would fail
    country = data[f"{side}_country"].astype(object)
    return country.where(country.notna(), ("kb:" + kb.fillna("")).where(kb.notna()))


def _asserter(data: Any) -> Any:
    """Who asserts each event, for display and comparison: a country, else the words naming
    the source ("officials"), else the outlet in its own voice."""
    by = data["asserted_country"].astype(object)
    by = by.where(by.notna(), data["asserted_name"].astype(object))
    outlet = data["outlet"].astype(object)
    by = by.where(by.notna(), outlet.where(outlet.notna(), "the outlet"))
    return by.astype(str)


def contradictions(data: Any) -> Any:
    """Claims matched against denials of *the same* event by someone else.

    A *claim* is an affirmed event reported as actual or claimed. A *denial* is a
    negated event reported as actual or claimed, or one reported as ``denied``,
    asserted by someone (not the outlet's own voice), whose own sentence really
    denies it (:func:`really_denies`). A pair needs: the same type, the same mode
    (or one unknown), the same actor (country or KB id, never empty), a compatible
    recipient (the same, or one unstated), overlapping date ranges given each
    date's precision (two undated events only within one story), and different
    asserters.

    Columns (:data:`CONTRADICTION_COLUMNS`): event_type, actor, recipient, both
    events' ids, asserters (``claim_by`` / ``denial_by``: a country, the source's
    words, or the outlet; never empty), dates, sentences and clusters, and the
    denial's polarity and modality. One row per pair of events.
    """
    pd = _pandas()
    data = data.assign(actor_key=_side(data, "actor"), recipient_key=_side(data, "recipient"), by=_asserter(data))
    data = data[data["actor_key"].notna()]
    claims = factual(data)
    negated = (data["polarity"] == "negated") & data["modality"].isin(FACTUAL)
    asserted = data["asserted_country"].notna() | data["asserted_name"].notna()  # someone, not the outlet, denies
    denials = data[(negated | (data["modality"] == "denied")) & asserted]
    cues = [really_denies(s, t, m) for s, t, m in zip(denials["sentence"], denials["trigger"], denials["modality"],
                                                         strict=True)]  # fmt: skip
    denials = denials[pd.Series(cues, index=denials.index, dtype=bool)]
    pairs = claims.merge(denials, on=["event_type", "actor_key"], suffixes=("_c", "_d"))
    if pairs.empty:
        return pd.DataFrame(columns=list(CONTRADICTION_COLUMNS))
    mode = pairs["mode_c"].isna() | pairs["mode_d"].isna() | (pairs["mode_c"] == pairs["mode_d"])
    recipient = (pairs["recipient_key_c"].isna() | pairs["recipient_key_d"].isna()
                 | (pairs["recipient_key_c"] == pairs["recipient_key_d"]))  # fmt: skip
    other = pairs["by_c"].str.lower() != pairs["by_d"].str.lower()
    pairs = pairs[mode & recipient & other & (pairs["id_c"] != pairs["id_d"])]
    dated = [_overlap(row) for row in pairs[["date_c", "date_precision_c", "date_d", "date_precision_d",
                                             "story_id_c", "story_id_d"]].itertuples(index=False)]  # fmt: skip
    pairs = pairs[pd.Series(dated, index=pairs.index, dtype=bool)]
    out = pd.DataFrame({
        "event_type": pairs["event_type"], "actor": pairs["actor_key"],
        "recipient": pairs["recipient_key_c"].fillna(pairs["recipient_key_d"]),
        "claim_id": pairs["id_c"], "claim_by": pairs["by_c"], "claim_date": pairs["date_c"],
        "claim_sentence": pairs["sentence_c"], "claim_cluster": pairs["cluster_id_c"],
        "denial_id": pairs["id_d"], "denial_by": pairs["by_d"], "denial_date": pairs["date_d"],
        "denial_sentence": pairs["sentence_d"], "denial_cluster": pairs["cluster_id_d"],
        "denial_polarity": pairs["polarity_d"], "denial_modality": pairs["modality_d"],
    }, columns=list(CONTRADICTION_COLUMNS))  # fmt: skip
    return out.sort_values(["claim_date", "claim_id", "denial_id"], na_position="last").reset_index(drop=True)


def _overlap(row: Any) -> bool:
    claim_date, claim_precision, denial_date, denial_precision, claim_story, denial_story = row
    if claim_date is None or denial_date is None or claim_date != claim_date or denial_date != denial_date:
        # no date to compare (NaT is not equal to itself): only one story can tell they are the same event
        return bool(claim_story == denial_story and (claim_date != claim_date) and (denial_date != denial_date))
    left = date_range(claim_date.date(), _text(claim_precision))
    right = date_range(denial_date.date(), _text(denial_precision))
    return left is not None and right is not None and left[0] <= right[1] and right[0] <= left[1]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def cluster_status(data: Any, found: Any | None = None) -> Any:
    """Every event cluster's status: ``disputed`` (a claim in it is contradicted),
    ``corroborated`` (well-formed, and two or more independent outlets report it),
    or ``unverified``.

    Columns: cluster_id, event_type, num_sources, well_formed, status.
    """
    found = contradictions(data) if found is None else found
    disputed = set(found["claim_cluster"].dropna())
    clusters = data.groupby("cluster_id").agg(
        event_type=("event_type", "first"), num_sources=("num_sources", "max"), well_formed=("well_formed", "all")
    )
    clusters["status"] = "unverified"
    clusters.loc[(clusters["num_sources"] >= 2) & clusters["well_formed"], "status"] = "corroborated"
    clusters.loc[clusters.index.isin(disputed), "status"] = "disputed"
    return clusters.reset_index()


def mark_disputes(db: str | Engine) -> Any:
    """Find the store's contradictions and flag exactly the clusters of their claims as
    disputed; return the contradictions. ``tocsin run`` calls it after writing."""
    from .store import mark_disputed, opened

    found = contradictions(load_events(db))
    with contextlib.nullcontext(db) if isinstance(db, Engine) else opened(db) as engine:
        mark_disputed(engine, {int(c) for c in found["claim_cluster"].dropna()})
    return found


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Escalation alerts: a dyad's conflict in a period against a count model of its past.

    The dyad's conflict per period is taken as Poisson with an unknown rate, with a
    gamma prior on the rate of mean ``prior_mean`` worth ``prior_periods`` periods;
    after its last ``baseline`` periods (the quiet ones count as zero) the expected
    count is negative-binomial. A period alerts when what it holds is that unlikely.
    """

    freq: str = "W"  # period of the series: D, W or M
    baseline: int = 8  # past periods the model learns from
    min_periods: int = 4  # fewest past periods the store covers before a dyad can alert
    prior_mean: float = 0.5  # prior conflict events per period
    prior_periods: float = 2.0  # how many periods of evidence the prior is worth
    probability: float = 0.01  # alert when P(this much conflict or more) is below this
    min_events: float = 2.0  # and at least this much (weighted) conflict in the period


ALERT_COLUMNS = (
    "dyad", "actor", "recipient", "period", "observed", "expected", "probability", "baseline_periods", "event_ids",
)  # fmt: skip


def tail_probability(observed: float, events: float, periods: int, prior_mean: float, prior_periods: float) -> float:
    """P(X >= observed) for the next period's count X, when the past ``periods`` periods
    held ``events`` in all: the negative binomial of a Poisson rate with a gamma prior
    (shape ``prior_mean * prior_periods``, rate ``prior_periods``).

    Example:
        >>> tail_probability(4, events=0, periods=8, prior_mean=0.5, prior_periods=2) < 0.001
        True
    """
    shape, rate = prior_mean * prior_periods + events, prior_periods + periods
    p = rate / (rate + 1.0)
    wanted = math.ceil(observed - 1e-9)
    below = sum(
        math.exp(math.lgamma(shape + k) - math.lgamma(shape) - math.lgamma(k + 1) + shape * math.log(p)
                 + k * math.log1p(-p))
        for k in range(max(0, wanted))
    )  # fmt: skip
    return max(0.0, 1.0 - below)


def alerts(data: Any, settings: AlertSettings | None = None, level: str = "country") -> Any:
    """Escalation alerts per dyad: periods whose conflict (weighted verbal and material
    conflict events) is improbable under the dyad's own past (see :class:`AlertSettings`).

    Only periods the store covers count as past (a period with no dated event at all
    is a gap in the news, not a quiet week), and a dyad alerts only after
    ``min_periods`` of them. Columns (:data:`ALERT_COLUMNS`): dyad ("RUS-UKR"), actor,
    recipient, period (its start), observed (weighted conflict), expected (the
    model's mean), probability (of that much or more), baseline_periods, and
    event_ids (the conflict events of the period).
    """
    pd = _pandas()
    settings = settings or AlertSettings()
    series = dyad_series(data, freq=settings.freq, level=level)
    columns = list(ALERT_COLUMNS)
    dated = data["date"].dropna()
    if series.empty or dated.empty:
        return pd.DataFrame(columns=columns)
    covered = sorted(set(dated.dt.to_period(settings.freq).dt.start_time))
    events = factual(data).copy()
    events["actor"] = _who(events, "actor", level)
    events["recipient"] = _who(events, "recipient", level)
    events["period"] = events["date"].dt.to_period(settings.freq).dt.start_time
    rows = []
    for (actor, recipient), group in series.groupby(level=["actor", "recipient"]):
        conflict = (group["q3"] + group["q4"]).droplevel(["actor", "recipient"]).reindex(covered, fill_value=0.0)
        for i, (period, value) in enumerate(conflict.items()):
            history = conflict.iloc[max(0, i - settings.baseline) : i]
            if len(history) < settings.min_periods or value < settings.min_events:
                continue
            total, n = float(history.sum()), len(history)
            chance = tail_probability(value, total, n, settings.prior_mean, settings.prior_periods)
            if chance < settings.probability:
                expected = (settings.prior_mean * settings.prior_periods + total) / (settings.prior_periods + n)
                driving = events[(events["actor"] == actor) & (events["recipient"] == recipient)
                                 & (events["period"] == period) & events["quad_class"].isin([3, 4])]  # fmt: skip
                rows.append({"dyad": f"{actor}-{recipient}", "actor": actor, "recipient": recipient,
                             "period": period, "observed": float(value), "expected": expected,
                             "probability": chance, "baseline_periods": n,
                             "event_ids": sorted(driving["id"])})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


PLOT_KINDS = ("intensity", "quads", "say-do")
_PERIOD = {"D": ("day", 0.8), "W": ("week (starting Monday)", 5.0), "M": ("month", 24.0)}
_QUAD_LABELS = {"q1": "verbal cooperation", "q2": "material cooperation", "q3": "verbal conflict",
                "q4": "material conflict"}  # fmt: skip
_QUAD_COLORS = {"q1": "#7fb3d5", "q2": "#1f618d", "q3": "#f0b27a", "q4": "#c0392b"}


def dyad_figures(
    data: Any, actor: str, recipient: str, freq: str = "W", settings: AlertSettings | None = None
) -> dict[str, Any]:
    """The plots of one dyad as matplotlib figures, by kind (:data:`PLOT_KINDS`):
    summed intensity per period with alerts marked, events per quad class (stacked),
    and the say–do gap. Axes are in time (a quiet period is a gap), bars are as wide
    as most of their period, every bar carries its count, the legend sits outside
    the data, and a caption says which of the dyad's events were left out.

    Raises:
        ConfigError: no dated factual events from ``actor`` to ``recipient``.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    pd = _pandas()
    key = freq[:1].upper()
    if key not in _PERIOD:
        raise ConfigError(f"unknown period {freq!r}: use D, W or M")
    series = dyad_series(data, freq=key)
    if series.empty or (actor, recipient) not in series.index.droplevel("period"):
        raise ConfigError(f"no dated factual events from {actor} to {recipient} in the store")
    dyad = series.loc[(actor, recipient)]
    found = alerts(data, settings or AlertSettings(freq=key))
    marks = found[(found["actor"] == actor) & (found["recipient"] == recipient)]
    skipped = left_out(data, actor, recipient)
    period_name, width_days = _PERIOD[key]
    span = dyad.index.max() - dyad.index.min()
    # most of a period wide, and never thinner than 1% of the axis, so a lone day among years still shows
    width = max(pd.Timedelta(days=width_days), span / 100)
    pad = max(pd.Timedelta(days=max(width_days, 1.0)), span * 0.03)
    limits = (dyad.index.min() - pad, dyad.index.max() + pad + width)
    shortest = pd.Timedelta(days=7 * {"D": 1, "W": 7, "M": 30}[key])  # a few periods: ticks fall on whole periods
    if limits[1] - limits[0] < shortest:
        middle = limits[0] + (limits[1] - limits[0]) / 2
        limits = (middle - shortest / 2, middle + shortest / 2)
    caption = (f"{_events(skipped['total'])} {actor} → {recipient}; left out: {skipped['undated']} without a date, "
               f"{skipped['not_factual']} not reported as fact (negated, denied, intended, demanded, "
               "conditional).")  # fmt: skip

    def figure(title: str, ylabel: str) -> tuple[Any, Any]:
        fig, ax = plt.subplots(figsize=(9, 3.6), layout="constrained")
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(period_name)
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        ax.set_xlim(*limits)
        fig.supxlabel(caption, fontsize=7, color="#555")
        return fig, ax

    figures: dict[str, Any] = {}
    left = dyad.index  # bars start at the period's start and fill most of it
    fig, ax = figure(f"{actor} → {recipient}: summed intensity per {period_name.split()[0]} "
                     f"({_events(dyad['mentions'].sum())})", "Goldstein-style intensity")  # fmt: skip
    shades = ["#c0392b" if v < 0 else "#1f618d" for v in dyad["intensity"]]
    bars = ax.bar(left, dyad["intensity"], width=width, align="edge", color=shades)
    if len(dyad) <= 40:
        ax.bar_label(bars, labels=[f"{n}" for n in dyad["mentions"]], fontsize=7, padding=2)
    ax.axhline(0, color="#999", linewidth=0.8)
    for i, period in enumerate(marks["period"]):
        ax.axvline(period + width / 2, color="#c0392b", linestyle="--", linewidth=1,
                   label="alert" if i == 0 else None)  # fmt: skip
    _headroom(ax, dyad["intensity"])
    if len(marks):
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figures["intensity"] = fig

    fig, ax = figure(f"{actor} → {recipient}: events per quad class (corroboration-weighted)", "events")
    quads = dyad[["q1", "q2", "q3", "q4"]]
    bottom = pd.Series(0.0, index=quads.index)
    for q in quads:
        ax.bar(left, quads[q], bottom=bottom, width=width, align="edge", label=_QUAD_LABELS[q],
               color=_QUAD_COLORS[q])  # fmt: skip
        bottom = bottom + quads[q]
    if len(dyad) <= 40:
        for x, total in zip(left, bottom, strict=True):
            ax.annotate(f"{total:g}", (x + width / 2, total), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")  # fmt: skip
    _headroom(ax, bottom)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    figures["quads"] = fig

    fig, ax = figure(f"{actor} → {recipient}: say–do gap over 30 days (+: talks more cooperatively than it acts)",
                     "say − do")  # fmt: skip
    ax.set_xlabel("last day of the 30-day window")
    gap = say_do_gap(data, by="dyad")
    if (actor, recipient) in gap.index.droplevel("date"):
        line = gap.loc[(actor, recipient)]["gap"].dropna()
        ax.plot(line.index, line.values, marker="o", markersize=4, linewidth=1, color="#6c3483")
        if len(line):
            ax.set_xlim(min(limits[0], line.index.min() - pad), max(limits[1], line.index.max() + pad))
    if not ax.lines:
        ax.text(0.5, 0.5, "no 30-day window with both verbal and material events", transform=ax.transAxes,
                ha="center", va="center", color="#555")  # fmt: skip
    ax.axhline(0, color="#999", linewidth=0.8)
    ax.set_ylim(-1.1, 1.1)
    figures["say-do"] = fig
    return figures


def _events(n: int) -> str:
    return f"{n} event" if n == 1 else f"{n} events"


def _headroom(ax: Any, values: Any) -> None:
    """Room above and below the bars for their count labels."""
    top, low = max(0.0, float(values.max())), min(0.0, float(values.min()))
    span = (top - low) or 1.0
    ax.set_ylim(low - (0.12 * span if low < 0 else 0), top + 0.15 * span)


def plot_dyad(
    data: Any, actor: str, recipient: str, out: Path, freq: str = "W", settings: AlertSettings | None = None
) -> list[Path]:
    """:func:`dyad_figures` written to ``out`` as PNG and SVG (``RUS-UKR-intensity.png``...).
    Returns the files."""
    import matplotlib.pyplot as plt

    figures = dyad_figures(data, actor, recipient, freq, settings)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for kind, fig in figures.items():
        for suffix in ("png", "svg"):
            path = out / f"{actor}-{recipient}-{kind}.{suffix}"
            fig.savefig(path, dpi=110)
            files.append(path)
        plt.close(fig)
    return files
