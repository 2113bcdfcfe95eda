"""The monthly report's most and least effective actions, from the month's facts alone (so a closed month keeps
them): the same computation as /hasil-intervensi (figures/effects.py), with the children, money and ATS counts
as they stood at the month's end. Only actions that report children reached or returned are ranked: an action
that builds a database or trains teachers is not meant to return a child and is not "least effective"."""
from __future__ import annotations

from datetime import date
from typing import Any

from coordinator.figures.budget import action_realised
from coordinator.figures.children import ChildrenReturned
from coordinator.figures.effects import ActionEffect, ActionInput, AtsPeriod, effects_from, top_and_bottom


def _ats(facts: dict[str, Any]) -> AtsPeriod | None:
    base, latest = facts["ats"].get("baseline"), facts["ats"].get("latest")
    if not base or not latest or base["as_of"] == latest["as_of"]:
        return None
    return AtsPeriod(date.fromisoformat(base["as_of"]), date.fromisoformat(latest["as_of"]),
                     {k: int(c["total"]) for k, c in base["kecamatan"].items()},
                     {k: int(c["total"]) for k, c in latest["kecamatan"].items()},
                     int(base["total"]["total"]), int(latest["total"]["total"]))


def month_top_and_bottom(facts: dict[str, Any], status: dict[int, str], children: ChildrenReturned,
                         n: int = 5) -> tuple[list[ActionEffect], list[ActionEffect]]:
    names = {a["id"]: a["short_name"] for a in facts["agencies"]}
    returned: dict[int, int] = {}
    for (_kode, action_id), count in children.by_area_action.items():
        returned[action_id] = returned.get(action_id, 0) + count
    reached = {a["id"]: sum(int(o[2]) for o in a["outcomes"]) for a in facts["actions"]}
    ranked = [a for a in facts["actions"] if reached[a["id"]] or returned.get(a["id"])]
    inputs = [ActionInput(a["id"], a["code"], a["title"], names.get(a["lead"], ""), status.get(a["id"], ""),
                          date.fromisoformat(a["start"]), list(a["areas"])) for a in ranked]
    areas = facts["areas"]
    effects = effects_from(inputs, reached, returned, {a["id"]: action_realised(a) for a in ranked}, _ats(facts),
                           {x["kode"]: x["parent"] for x in areas}, {x["kode"]: x["nama"] for x in areas})
    return top_and_bottom(effects, n)
