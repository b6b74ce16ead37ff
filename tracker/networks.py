"""The alliance network on a day: states as nodes, and an edge between two states while both
are members of a treaty in force, from the same membership spells every view reads. The edges
are counted in SQL; only the layout, for a few hundred states at most, is worked out here."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tracker.frames import read_frame
from tracker.kinds.states import State
from tracker.kinds.treaties import Treaty, TreatyParty, in_force_on, member_on

NODE_COLUMNS = ["code", "name", "allies", "x", "y"]
EDGE_COLUMNS = ["state_a", "state_b", "treaties", "defence", "x", "y", "x2", "y2"]


def alliance_network(
    *, session: Session, on: date, states: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The states allied on day ON and the pairs between them: nodes (code, name, allies, and
    a position), edges (the two codes, how many treaties in force bind them, how many of those
    oblige defence, and the ends' positions). With STATES, only the pairs that involve one of
    them, and the states in those pairs."""
    first, second = aliased(TreatyParty), aliased(TreatyParty)
    pairs = (
        sa.select(
            first.state_code.label("state_a"),
            second.state_code.label("state_b"),
            sa.func.count(sa.distinct(Treaty.id)).label("treaties"),
            sa.func.count(sa.distinct(sa.case((Treaty.defense.is_(True), Treaty.id)))).label(
                "defence"
            ),
        )
        .join(
            second,
            sa.and_(second.treaty_id == first.treaty_id, first.state_code < second.state_code),
        )
        .join(Treaty, Treaty.id == first.treaty_id)
        .where(
            Treaty.retired_at.is_(None),
            in_force_on(on),
            member_on(on, first),
            member_on(on, second),
            *(
                [sa.or_(first.state_code.in_(states), second.state_code.in_(states))]
                if states
                else []
            ),
        )
        .group_by(first.state_code, second.state_code)
        .order_by(first.state_code, second.state_code)
    )
    edges = read_frame(session, pairs, EDGE_COLUMNS[:4])
    if edges.empty:
        return pd.DataFrame(columns=NODE_COLUMNS), pd.DataFrame(columns=EDGE_COLUMNS)
    graph = nx.Graph()
    graph.add_weighted_edges_from(edges[["state_a", "state_b", "treaties"]].itertuples(index=False))
    # Seeded, so the same day is drawn the same way every time; spread wider than networkx's
    # default, so that the blocs' members can be told apart.
    positions = nx.spring_layout(
        graph, seed=7, weight="weight", k=3 / len(graph) ** 0.5, iterations=100
    )
    names = dict(
        session.exec(
            sa.select(State.code, State.name).where(State.code.in_(list(graph.nodes)))
        ).all()
    )
    nodes = pd.DataFrame(
        [
            (code, names.get(code, code), graph.degree(code), *positions[code])
            for code in sorted(graph.nodes)
        ],
        columns=NODE_COLUMNS,
    )
    ends = {code: positions[code] for code in graph.nodes}
    edges[["x", "y"]] = [ends[code] for code in edges["state_a"]]
    edges[["x2", "y2"]] = [ends[code] for code in edges["state_b"]]
    return nodes, edges
