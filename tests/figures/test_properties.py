"""Properties of the headline definitions over random plans and reports: per-area figures plus the residu add up
to the regency's, and a child is never counted twice."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from coordinator.figures.areas import column
from coordinator.figures.children import children_returned
from coordinator.figures.late import ACTION, MILESTONE, late_reason

PERIOD, PERIOD_END = date(2026, 11, 1), date(2026, 11, 30)
KECAMATAN = {"K1": {"K1.1", "K1.2"}, "K2": {"K2.1"}, "K3": {"K3.1", "K3.2", "K3.3"}}
DESA = sorted(d for ds in KECAMATAN.values() for d in ds)
KODES = DESA + ["K1", "XX"]  # outcomes reported for a whole kecamatan, or for a code no table knows
MONTHS = ["2026-09-01", "2026-10-01", "2026-11-01"]
DAYS = st.integers(0, 120).map(lambda n: (date(2026, 8, 1) + timedelta(days=n)).isoformat())

outcome = st.tuples(st.sampled_from(KODES), st.sampled_from(MONTHS), st.integers(0, 40), st.integers(0, 30)).map(
    lambda t: [t[0], t[1], max(t[2], t[3]), t[3]])
actions = st.lists(st.lists(outcome, max_size=6), min_size=1, max_size=5).map(
    lambda lists: [{"id": i + 1, "outcomes": o} for i, o in enumerate(lists)])


@st.composite
def plan_and_returns(draw):
    plan = draw(actions)
    ids = [a["id"] for a in plan]
    returns = []
    for _child in range(draw(st.integers(0, 12))):
        cases = draw(st.lists(st.tuples(st.sampled_from(ids), DAYS), min_size=1, max_size=3, unique_by=lambda c: c[0]))
        cases = sorted([[a, d] for a, d in cases], key=lambda c: (c[1], c[0]))
        returns.append([draw(st.sampled_from(DESA)), cases])
    return plan, returns


@settings(max_examples=150, deadline=None)
@given(plan_and_returns())
def test_areas_plus_residu_add_up_to_the_regency_and_each_child_counts_once(data):
    plan, returns = data
    regency = children_returned(plan, returns, {}, PERIOD, PERIOD_END)
    # Each child of the list once, however many actions returned it
    assert regency.by_name == len(returns)
    assert regency.by_name_month == sum(1 for _d, cases in returns if cases[0][1] >= PERIOD.isoformat())
    assert regency.distinct_total == regency.by_name + regency.reported_only
    assert sum(regency.by_area.values()) == regency.distinct_total
    assert sum(regency.by_area_action.values()) == regency.distinct_total  # each child behind one action
    # Per kecamatan (its desa and reports for the kecamatan itself), plus what no kecamatan holds
    per_kecamatan = [children_returned(plan, returns, {}, PERIOD, PERIOD_END, desa=desa | {kec})
                     for kec, desa in KECAMATAN.items()]
    residu = regency.by_area.get("XX", 0)
    assert sum(k.distinct_total for k in per_kecamatan) + residu == regency.distinct_total
    # An agency's part never exceeds the whole, and the agencies' list children partition the list
    parts = [children_returned([a], returns, {}, PERIOD, PERIOD_END, credited_to={a["id"]}) for a in plan]
    assert sum(p.by_name for p in parts) == regency.by_name
    assert all(p.distinct_total <= regency.distinct_total for p in parts)
    # The aggregates never go below zero and never exceed what was reported
    reported = sum(o[3] for a in plan for o in a["outcomes"])
    assert 0 <= regency.reported_only <= reported


@given(st.lists(st.one_of(st.none(), st.integers(0, 10_000)), max_size=20), st.integers(0, 200_000))
def test_a_column_with_its_residu_adds_up_to_its_total(values, total):
    sums = column(values, total)
    assert (sums.rows or 0) + sums.residu == total == sums.total


@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.integers(-60, 60)), max_size=5), st.integers(-60, 60))
def test_a_late_action_names_the_item_late_longest(milestones, action_offset):
    today = date(2026, 11, 27)
    ms = [(title, today + timedelta(days=d)) for title, d in milestones]
    due = today + timedelta(days=action_offset)
    passed = [d for _t, d in ms if d < today] + ([due] if due < today else [])
    if not passed:
        return
    reason = late_reason(due, ms, today)
    assert reason.due == min(passed) and reason.days == (today - min(passed)).days > 0
    assert reason.kind == (MILESTONE if any(d == min(passed) for _t, d in ms) else ACTION)
