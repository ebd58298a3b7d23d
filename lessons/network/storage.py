"""A pilot's network analysed once per change of the network and kept in ``analysis_results`` (compressed JSON)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlite_utils import Database

from lessons.network.graph import _check_period, _pilot_id, edge_frame, pilot_graph
from lessons.network.layouts import layout
from lessons.network.metrics import _measure
from lessons.store import data_version
from lessons.stored import decode as _decode
from lessons.stored import encode as _encode
from lessons.stored import frame_from_json as _frame_from_json
from lessons.stored import frame_payload, payload_frame, stored_or_computed
from lessons.stored import frame_to_json as _frame_to_json
from lessons.stored import plain as _plain


@dataclass(eq=False)
class NetworkAnalysis:
    """A pilot network analysed, with the time it took and the data version it came from.

    ``metrics`` (:func:`network_metrics`), ``actors`` (:func:`actor_metrics`), ``edges`` (:func:`edge_frame`),
    ``layout`` (id, x, y of every stakeholder of the pilot: the stable layout of its whole network), ``approximate``
    (betweenness and closeness estimated from sampled sources), ``seconds`` (time to compute) and the ``data_version``
    of the network it was computed from.
    """

    pilot: str
    period: str
    relations: tuple[str, ...]
    metrics: dict
    actors: pd.DataFrame
    edges: pd.DataFrame
    layout: pd.DataFrame
    approximate: bool = False
    seconds: float = 0.0
    data_version: int = -1
    computed_at: str | None = field(default=None, compare=False)

    def to_bytes(self) -> bytes:
        """Serialise as zlib-compressed JSON: no pickle, so a stored result can never run code when loaded."""
        return _encode(
            {
                "pilot": self.pilot,
                "period": self.period,
                "relations": list(self.relations),
                "metrics": _plain(self.metrics),
                "actors": _frame_to_json(self.actors),
                "edges": _frame_to_json(self.edges),
                "layout": _frame_to_json(self.layout),
                "approximate": bool(self.approximate),
                "seconds": float(self.seconds),
                "data_version": int(self.data_version),
            }
        )

    @classmethod
    def from_bytes(cls, payload: bytes) -> NetworkAnalysis:
        """Read an analysis back from the bytes :meth:`to_bytes` wrote."""
        obj = _decode(payload)
        actors = _frame_from_json(obj["actors"])
        actors.attrs["approximate"] = obj["approximate"]
        return cls(
            pilot=obj["pilot"],
            period=obj["period"],
            relations=tuple(obj["relations"]),
            metrics=obj["metrics"],
            actors=actors,
            edges=_frame_from_json(obj["edges"]),
            layout=_frame_from_json(obj["layout"]),
            approximate=obj["approximate"],
            seconds=obj["seconds"],
            data_version=obj["data_version"],
        )


def analysis_name(pilot: str, period: str = "end", relations: Sequence[str] = ()) -> str:
    """Return the ``analysis_results.name`` of a pilot's analysis.

    >>> analysis_name("tampere", "end", ["information", "advice"])
    'network:tampere:end:advice,information'
    """
    return f"network:{pilot}:{period}:{','.join(sorted(set(relations)))}"


def pilot_layout(db: Database, pilot: str, *, store: bool = True) -> pd.DataFrame:
    """Return the stable layout of a pilot: :func:`layout` of its whole network (every period and relation).

    It is stored per data version of the network, so positions do not move when the user switches period or relation.
    """
    name = f"network-layout:{pilot}"
    version = data_version(db, "network")
    return stored_or_computed(
        db, name, version, lambda: layout(pilot_graph(db, pilot, period="all")),
        dump=frame_payload, load=payload_frame, store=store,
    )  # fmt: skip


def _compute_analysis(db: Database, pilot: str, relations: tuple[str, ...], period: str) -> NetworkAnalysis:
    started = time.perf_counter()
    G = pilot_graph(db, pilot, relations=relations, period=period)
    actors, metrics = _measure(G)
    positions = pilot_layout(db, pilot)
    return NetworkAnalysis(
        pilot=pilot,
        period=period,
        relations=relations,
        metrics=metrics,
        actors=actors,
        edges=edge_frame(G),
        layout=positions,
        approximate=bool(metrics["approximate"]),
        seconds=time.perf_counter() - started,
    )


def analysis(
    db: Database, pilot: str, *, relations: Sequence[str] = (), period: str = "end", store: bool = True
) -> NetworkAnalysis:
    """Return the analysis of one pilot's network (slug; chosen relations — all when empty — and period).

    The stored one when it is for the current network data version, else computed now and (when ``store`` and the store
    is writable) kept in ``analysis_results`` under :func:`analysis_name` for the next caller.
    """
    _check_period(period)
    relations = tuple(sorted(set(relations)))
    name = analysis_name(pilot, period, relations)
    version = data_version(db, "network")

    def compute() -> NetworkAnalysis:
        _pilot_id(db, pilot)
        result = _compute_analysis(db, pilot, relations, period)
        result.data_version = version
        return result

    return stored_or_computed(
        db, name, version, compute, dump=NetworkAnalysis.to_bytes, load=NetworkAnalysis.from_bytes, store=store
    )
