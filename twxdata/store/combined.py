"""The provenance of rows that came from several writes: a dataset grown by appends, files
merged by ``compact``. Each file keeps the record of the run that wrote it; a table made of
many files (or one file made of many) is described by their records combined: counts
summed over the distinct runs, lists joined, time ranges widened. Pure: records in, a record
out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Fields that describe one file, not the run that wrote it: a run's files share the rest.
_PER_FILE = ("table", "rows", "written_at", "runs", "per_run", "compacted_from")
_SUMMED = ("pages", "items", "partial_errors")
_JOINED = ("endpoints", "queries", "streams")


def combined(
    records: Iterable[Mapping[str, Any]], *, table: str, rows: int, keep_runs: bool = False
) -> dict[str, Any]:
    """One record for ``rows`` rows of ``table`` written from several files' ``records``.
    With ``keep_runs`` it lists the runs it sums (``per_run``), so that combining it again
    with other files' records (a compacted file beside new ones) counts each run once.

    >>> a = {"table": "tweets", "rows": 2, "pages": 1, "queries": ["a"], "sources": [{"file": "a"}]}
    >>> b = {"table": "tweets", "rows": 1, "pages": 3, "queries": ["b"], "sources": [{"file": "b"}]}
    >>> c = combined([a, a, b], table="tweets", rows=3)
    >>> c["pages"], c["queries"], [s["file"] for s in c["sources"]], c["runs"]
    (4, ['a', 'b'], ['a', 'b'], 2)
    >>> combined([combined([a, b], table="tweets", rows=3, keep_runs=True), b],
    ...          table="tweets", rows=3)["pages"]
    4
    """
    runs: dict[str, dict[str, Any]] = {}
    for record in records:
        for run in _runs_of(record):
            key = json.dumps({k: v for k, v in run.items() if k != "written_at"},
                             sort_keys=True, default=str)  # fmt: skip
            runs.setdefault(key, run)
    distinct = sorted(runs.values(), key=lambda r: str(r.get("written_at") or ""))
    if not distinct:
        return {}
    latest = distinct[-1]
    out: dict[str, Any] = {**latest, "table": table, "rows": rows}
    if len(distinct) == 1:
        return out
    out["runs"] = len(distinct)
    if keep_runs:
        out["per_run"] = distinct
    for name in _SUMMED:
        out[name] = sum(_int(r.get(name)) for r in distinct)
    for name in _JOINED:
        out[name] = list(dict.fromkeys(v for r in distinct for v in r.get(name) or ()))
    specs = [r.get("collection") for r in distinct]
    out["collection"] = specs[0] if all(s == specs[0] for s in specs) else None
    out["time_window"] = _windows([r.get("time_window") or {} for r in distinct])
    out["retrieved"] = _span([r.get("retrieved") or {} for r in distinct])
    out["api_meta"] = _api_meta([r.get("api_meta") or {} for r in distinct])
    out["sources"] = _sources([r.get("sources") for r in distinct])
    if any("complete" in r for r in distinct):
        out["complete"] = all(r.get("complete") is True for r in distinct)
    total = _cost(distinct)
    if total is None:
        out.pop("cost", None)
    else:
        out["cost"] = {"usd_low": total, "from": "the runs' records, summed"}
    return out


CUMULATIVE = "the collection's checkpoint, all its runs"  # ``twxdata flatten``'s cost record


def _cost(runs: Sequence[Mapping[str, Any]]) -> float | None:
    """What the runs' rows cost, if every run says. A cost read from a collection's
    checkpoint is that collection's total so far: the runs that flattened one archive as it
    grew (a live collection) count its latest total once, not each total again.

    >>> grown = {"collection": {"kind": "stream"}, "sources": [{"file": "live.jsonl"}]}
    >>> _cost([{**grown, "cost": {"usd_low": 0.1, "from": CUMULATIVE}},
    ...        {**grown, "cost": {"usd_low": 0.2, "from": CUMULATIVE}},
    ...        {"cost": {"usd_low": 0.05}}])
    0.25
    """
    latest: dict[str, float] = {}
    for number, run in enumerate(runs):
        cost = run.get("cost")
        if not isinstance(cost, Mapping) or not isinstance(cost.get("usd_low"), (int, float)):
            return None
        key = str(number)
        if cost.get("from") == CUMULATIVE:
            files = sorted(str(s.get("file")) for s in run.get("sources") or ()
                           if isinstance(s, Mapping))  # fmt: skip
            key = json.dumps([run.get("collection"), files], sort_keys=True, default=str)
        latest[key] = max(latest.get(key, 0.0), float(cost["usd_low"]))
    return round(sum(latest.values()), 6)


def _runs_of(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The runs a file's record stands for: its own, or those a combined record lists."""
    listed = record.get("per_run")
    if isinstance(listed, list):
        return [dict(r) for r in listed if isinstance(r, Mapping)]
    run = {k: v for k, v in record.items() if k not in _PER_FILE}
    if "written_at" in record:
        run["written_at"] = record["written_at"]
    return [run]


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _windows(windows: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Each parameter's values (``start_time``...) over every run: one value, or the list."""
    values: dict[str, set[str]] = {}
    for window in windows:
        for name, value in window.items():
            found = value if isinstance(value, list) else [value]
            values.setdefault(name, set()).update(str(v) for v in found if v is not None)
    return {k: sorted(v)[0] if len(v) == 1 else sorted(v) for k, v in values.items()}


def _span(spans: list[Mapping[str, Any]]) -> dict[str, Any]:
    firsts = [s["first"] for s in spans if isinstance(s.get("first"), str)]
    lasts = [s["last"] for s in spans if isinstance(s.get("last"), str)]
    return {"first": min(firsts, default=None), "last": max(lasts, default=None)}


def _api_meta(metas: list[Mapping[str, Any]]) -> dict[str, Any]:
    newest = [int(m["newest_id"]) for m in metas if str(m.get("newest_id") or "").isdigit()]
    oldest = [int(m["oldest_id"]) for m in metas if str(m.get("oldest_id") or "").isdigit()]
    totals = [m["total_tweet_count"] for m in metas if isinstance(m.get("total_tweet_count"), int)]
    return {
        "newest_id": str(max(newest)) if newest else None,
        "oldest_id": str(min(oldest)) if oldest else None,
        "result_count": sum(_int(m.get("result_count")) for m in metas),
        "total_tweet_count": sum(totals) if totals else None,
    }


def _sources(lists: list[Any]) -> Any:
    """Every run's input files, each once; or, where a run lists them in the dataset's
    manifest (too many for a footer), that many inputs in the manifest."""
    listed = [s for s in lists if isinstance(s, Mapping)]
    if listed:
        inputs = sum(_int(s.get("inputs")) for s in listed) + sum(
            len(s) for s in lists if isinstance(s, list)
        )
        return {"inputs": inputs, "listed_in": listed[0].get("listed_in")}
    seen: dict[str, Mapping[str, Any]] = {}
    for sources in lists:
        for source in sources or ():
            if isinstance(source, Mapping):
                key = f"{source.get('file')} {source.get('sha256')}"
                seen.setdefault(key, source)
    return list(seen.values())
