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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from .errors import ConfigError

VERBAL_COOP, MATERIAL_COOP, VERBAL_CONFLICT, MATERIAL_CONFLICT = 1, 2, 3, 4
FACTUAL = ("actual", "claimed")
COLUMNS = (
    "id", "story_id", "date", "event_type", "quad_class", "intensity", "actor_country", "actor_sector",
    "actor_name", "actor_kb_id", "recipient_country", "recipient_sector", "recipient_name", "recipient_kb_id", "mode",
    "asserted_country", "polarity", "modality", "cluster_id", "num_mentions", "num_sources", "sentence",
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
    """
    pd = _pandas()
    events = factual(data).copy()
    events = events[events["recipient_country"].notna() | events["recipient_name"].notna()]
    return _series(pd, events, ["actor", "recipient"], freq, level, weighted)


def actor_series(data: Any, freq: str = "W", level: str = "country", weighted: bool = True) -> Any:
    """The same as :func:`dyad_series`, per actor whatever the recipient."""
    pd = _pandas()
    return _series(pd, factual(data).copy(), ["actor"], freq, level, weighted)


def _series(pd: Any, events: Any, keys: list[str], freq: str, level: str, weighted: bool) -> Any:
    events["actor"] = _who(events, "actor", level)
    if "recipient" in keys:
        events["recipient"] = _who(events, "recipient", level)
    events = events[events["actor"].notna()]
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


def contradictions(data: Any, window_days: int = 3) -> Any:
    """Claims matched against negations or denials of the same kind of event by others.

    A *claim* is an affirmed, factual event with a known actor. A *denial* is a
    negated event reported as actual or claimed, or one reported as ``denied``, asserted by someone (not the
    outlet's own voice), of the same type and mode and dated within ``window_days``
    of the claim, whose asserter differs from the claim's and whose recipient, when
    both are known, is the claim's. Its actor must be the claim's
    actor, or be unstated ("we have seen no withdrawal") in the same story or with
    the same recipient. One row per pair: both events' ids, sentences, asserters
    and dates.
    """
    pd = _pandas()
    claims = factual(data)
    claims = claims[claims["actor_country"].notna()]
    # a denial says something did not happen: not "if they are not rounded up", not "could fail to agree"
    negated = (data["polarity"] == "negated") & data["modality"].isin(FACTUAL)
    denials = data[(negated | (data["modality"] == "denied")) & data["asserted_country"].notna()]
    rows = []
    window = pd.Timedelta(days=window_days)
    for _, claim in claims.iterrows():
        same = denials[denials["event_type"] == claim["event_type"]]
        if pd.notna(claim["mode"]):  # the same kind of event: an annexation is not a deportation
            same = same[same["mode"].isna() | (same["mode"] == claim["mode"])]
        if pd.notna(claim["recipient_country"]):
            same = same[same["recipient_country"].isna() | (same["recipient_country"] == claim["recipient_country"])]
        if pd.notna(claim["date"]):
            same = same[(same["date"] - claim["date"]).abs() <= window]
        else:  # no date to compare: only the claim's own story can contradict it
            same = same[same["story_id"] == claim["story_id"]]
        unstated = same["actor_country"].isna() & (
            (same["story_id"] == claim["story_id"])
            | (same["recipient_country"].notna() & (same["recipient_country"] == claim["recipient_country"]))
        )
        actor_ok = unstated | (same["actor_country"] == claim["actor_country"])
        other = same["asserted_country"].fillna("(outlet)") != _or(claim["asserted_country"], "(outlet)")
        for _, denial in same[actor_ok & other].iterrows():
            rows.append({
                "event_type": claim["event_type"], "actor": claim["actor_country"],
                "claim_id": claim["id"], "claim_by": claim["asserted_country"], "claim_date": claim["date"],
                "claim_sentence": claim["sentence"], "claim_cluster": claim["cluster_id"],
                "denial_id": denial["id"], "denial_by": denial["asserted_country"], "denial_date": denial["date"],
                "denial_sentence": denial["sentence"], "denial_polarity": denial["polarity"],
                "denial_modality": denial["modality"],
            })  # fmt: skip
    columns = [
        "event_type",
        "actor",
        "claim_id",
        "claim_by",
        "claim_date",
        "claim_sentence",
        "claim_cluster",
        "denial_id",
        "denial_by",
        "denial_date",
        "denial_sentence",
        "denial_polarity",
        "denial_modality",
    ]
    return pd.DataFrame(rows, columns=columns)


def _or(value: Any, default: str) -> Any:
    return default if value is None or value != value else value  # NaN is not equal to itself


def cluster_status(data: Any, found: Any | None = None) -> Any:
    """Every event cluster's status: ``disputed`` (a claim in it is contradicted),
    ``corroborated`` (two or more independent sources report it), or ``unverified``.

    Columns: cluster_id, event_type, num_sources, status.
    """
    found = contradictions(data) if found is None else found
    disputed = set(found["claim_cluster"].dropna())
    clusters = data.groupby("cluster_id").agg(event_type=("event_type", "first"), num_sources=("num_sources", "max"))
    clusters["status"] = "unverified"
    clusters.loc[clusters["num_sources"] >= 2, "status"] = "corroborated"
    clusters.loc[clusters.index.isin(disputed), "status"] = "disputed"
    return clusters.reset_index()


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Escalation alert thresholds: z-score against the dyad's own trailing baseline."""

    freq: str = "W"  # period of the series
    baseline: int = 8  # periods in the trailing baseline
    min_baseline: int = 3  # fewest baseline periods before alerting
    z: float = 2.0  # alert when conflict is this many standard deviations above the baseline mean
    min_events: float = 2.0  # and at least this much (weighted) conflict in the period


def alerts(data: Any, settings: AlertSettings | None = None, level: str = "country") -> Any:
    """Escalation alerts per dyad: periods whose conflict (weighted quad 3 + quad 4
    events) stands ``z`` standard deviations above the mean of the dyad's previous
    ``baseline`` periods (periods with no events count as zero). Each alert lists the
    ids of the conflict events that drove it.

    Columns: actor, recipient, period, conflict, baseline_mean, baseline_std, z, events.
    """
    pd = _pandas()
    settings = settings or AlertSettings()
    series = dyad_series(data, freq=settings.freq, level=level)
    rows = []
    events = factual(data).copy()
    events["actor"] = _who(events, "actor", level)
    events["recipient"] = _who(events, "recipient", level)
    events["period"] = events["date"].dt.to_period(settings.freq).dt.start_time
    for (actor, recipient), group in series.groupby(level=["actor", "recipient"]):
        conflict = (group["q3"] + group["q4"]).droplevel(["actor", "recipient"])
        # every period between the first and the last, quiet ones as zero (by period, so weeks start on Mondays)
        periods = pd.period_range(conflict.index.min(), conflict.index.max(), freq=settings.freq).start_time
        conflict = conflict.reindex(periods, fill_value=0.0)
        for i, (period, value) in enumerate(conflict.items()):
            history = conflict.iloc[max(0, i - settings.baseline) : i]
            if len(history) < settings.min_baseline or value < settings.min_events:
                continue
            mean, std = float(history.mean()), float(history.std(ddof=0))
            z = (value - mean) / std if std > 0 else (float("inf") if value > mean else 0.0)
            if z >= settings.z:
                driving = events[(events["actor"] == actor) & (events["recipient"] == recipient)
                                 & (events["period"] == period) & events["quad_class"].isin([3, 4])]  # fmt: skip
                rows.append({"actor": actor, "recipient": recipient, "period": period, "conflict": value,
                             "baseline_mean": mean, "baseline_std": std, "z": z,
                             "events": sorted(driving["id"])})  # fmt: skip
    columns = ["actor", "recipient", "period", "conflict", "baseline_mean", "baseline_std", "z", "events"]
    return pd.DataFrame(rows, columns=columns)


def plot_dyad(
    data: Any, actor: str, recipient: str, out: Path, freq: str = "W", settings: AlertSettings | None = None
) -> list[Path]:
    """Plots for one dyad, each as PNG and SVG in ``out``: intensity over time with
    alerts marked, quad-class stacked bars, and the say–do gap. Returns the files."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    pd = _pandas()
    out.mkdir(parents=True, exist_ok=True)
    series = dyad_series(data, freq=freq)
    if (actor, recipient) not in series.index.droplevel("period"):
        raise ConfigError(f"no factual events from {actor} to {recipient} in the store")
    dyad = series.loc[(actor, recipient)]
    found = alerts(data, settings or AlertSettings(freq=freq))
    marks = found[(found["actor"] == actor) & (found["recipient"] == recipient)]
    gap = say_do_gap(data, by="dyad")
    name = f"{actor}-{recipient}"
    files: list[Path] = []

    def save(fig: Any, stem: str) -> None:
        for suffix in ("png", "svg"):
            path = out / f"{name}-{stem}.{suffix}"
            fig.savefig(path, dpi=110, bbox_inches="tight")
            files.append(path)
        plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = pd.Timedelta(days=5 if freq.startswith("W") else 0.8)
    shades = ["#c0392b" if v < 0 else "#1f618d" for v in dyad["intensity"]]
    ax.bar(dyad.index, dyad["intensity"], width=width, color=shades)  # bars: no line across quiet periods
    ax.axhline(0, color="#999", linewidth=0.8)
    for period in marks["period"]:
        ax.axvline(period, color="#c0392b", linestyle="--", linewidth=1)
    ax.set_title(f"{actor} → {recipient}: summed intensity per period (alerts dashed)")
    ax.set_ylabel("Goldstein-style intensity")
    save(fig, "intensity")

    fig, ax = plt.subplots(figsize=(8, 3.2))
    quads = dyad[["q1", "q2", "q3", "q4"]]
    bottom = pd.Series(0.0, index=quads.index)
    labels = {"q1": "verbal cooperation", "q2": "material cooperation", "q3": "verbal conflict",
              "q4": "material conflict"}  # fmt: skip
    colors = {"q1": "#7fb3d5", "q2": "#1f618d", "q3": "#f0b27a", "q4": "#c0392b"}
    for q in quads:
        ax.bar(quads.index, quads[q], bottom=bottom, width=width, label=labels[q], color=colors[q])
        bottom = bottom + quads[q]
    ax.legend(fontsize=7, ncols=4, loc="upper left")
    ax.set_title(f"{actor} → {recipient}: events per quad class (corroboration-weighted)")
    save(fig, "quads")

    fig, ax = plt.subplots(figsize=(8, 3.2))
    if (actor, recipient) in gap.index.droplevel("date"):
        line = gap.loc[(actor, recipient)]["gap"]
        ax.plot(line.index, line.values, marker="o", linestyle="none", color="#6c3483")
    ax.axhline(0, color="#999", linewidth=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_title(f"{actor} → {recipient}: say–do gap (+: talks more cooperatively than it acts)")
    save(fig, "say-do")
    return files
