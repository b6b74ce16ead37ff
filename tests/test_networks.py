"""The alliance network on a day, from the same membership spells every view reads."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session
from support.treaties import add_treaty

from tracker.networks import alliance_network


def test_two_states_are_joined_while_both_are_members_of_a_treaty_in_force(
    seeded: Session,
) -> None:
    add_treaty(
        seeded,
        "North Atlantic Treaty",
        [
            {"state_code": "USA", "joined": "1949-08-24"},
            {"state_code": "GBR", "joined": "1949-08-24"},
            {"state_code": "FIN", "joined": "2023-04-04"},
        ],
        in_force="1949-08-24",
        defense=True,
    )
    add_treaty(
        seeded,
        "An entente",
        [{"state_code": "USA"}, {"state_code": "GBR"}],
        in_force="1990",
        defense=False,
    )
    nodes, edges = alliance_network(session=seeded, on=date(2000, 1, 1))
    pairs = {(row.state_a, row.state_b): (row.treaties, row.defence) for row in edges.itertuples()}
    assert pairs == {("GBR", "USA"): (2, 1)}  # Finland was not yet a member
    assert set(nodes["name"]) == {"United Kingdom", "United States"}
    later, _ = alliance_network(session=seeded, on=date(2024, 1, 1))
    assert set(later["code"]) == {"FIN", "GBR", "USA"}
    assert later.set_index("code").loc["FIN", "allies"] == 2
    # Every node has a place to be drawn, the same on every call.
    again, _ = alliance_network(session=seeded, on=date(2024, 1, 1))
    assert later[["x", "y"]].equals(again[["x", "y"]])


def test_one_state_shows_its_own_allies_only(seeded: Session) -> None:
    add_treaty(
        seeded,
        "A pact of three",
        [{"state_code": "USA"}, {"state_code": "GBR"}, {"state_code": "FRA"}],
        in_force="2000",
    )
    _, edges = alliance_network(session=seeded, on=date(2010, 1, 1), states=("FRA",))
    assert sorted(zip(edges["state_a"], edges["state_b"], strict=True)) == [
        ("FRA", "GBR"),
        ("FRA", "USA"),
    ]


def test_a_day_with_no_treaty_in_force_is_empty(seeded: Session) -> None:
    nodes, edges = alliance_network(session=seeded, on=date(1800, 1, 1))
    assert nodes.empty and edges.empty
