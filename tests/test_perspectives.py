"""What each perspective says about one record, side by side, and which say nothing."""

from __future__ import annotations

from sqlmodel import Session, select

from tracker.kinds.deployments import Deployment
from tracker.kinds.engagements import Engagement
from tracker.perspectives import what_each_perspective_says


def test_the_digest_s_perspectives_on_the_call_are_set_side_by_side(seeded: Session) -> None:
    call = seeded.exec(select(Engagement).where(Engagement.title == "Putin–Kim phone call")).one()
    found = what_each_perspective_says(session=seeded, kind="engagement", record_id=call.id)
    said = found.frame()
    assert found.record == "Putin–Kim phone call"
    by_perspective = said.groupby("perspective")["originator"].apply(set).to_dict()
    assert by_perspective["Pro-Kremlin or Russia-friendly"] == {
        "Yeni Şafak",
        "South China Morning Post",
        "The Moscow Times",
    }
    assert by_perspective["Ukrainian-aligned"] == {"Kyiv Post"}
    assert by_perspective["Russian state"] == {"Kremlin"}
    western = said[said["perspective"] == "Mainstream Western"]
    assert set(western["classified_by"]) == {"Unnamed multi-perspective news digest"}
    assert western["says"].str.startswith("Report the call as a worrying deepening").all()
    # The Kremlin's perspective is the analyst's own assessment, not the digest's.
    assert said[said["originator"] == "Kremlin"]["classified_by"].isna().all()
    assert "South Korean government" in found.silent


def test_a_deployment_s_perspectives_include_its_estimates(seeded: Session) -> None:
    troops = seeded.exec(
        select(Deployment).where(Deployment.name == "North Korean troops in Russia (Kursk)")
    ).one()
    said = what_each_perspective_says(
        session=seeded, kind="deployment", record_id=troops.id
    ).frame()
    korean = said[said["perspective"] == "South Korean government"]
    assert korean["about"].str.contains("roughly 15,000 cumulative sent in Russia").any()
    assert set(korean["via"].dropna()) >= {"Unnamed multi-perspective news digest"}
    assert said.iloc[-1]["perspective"] == "not assessed"  # the unassessed come last
