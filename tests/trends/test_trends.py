"""Adherence, pain and PSFS figures (rehab.trends): exact figures, window edges, caps."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

from rehab.trends import Day, Psfs, adherence, chart_svg, current_items, pain_series, psfs_by_activity, trend_words

TODAY = dt.date(2026, 3, 31)


def item(slug, per_day=2, days_per_week=7, name=None):
    return {"exercise_id": slug, "name": name or slug.replace("_", " ").title(),
            "dosage": {"per_day": per_day, "days_per_week": days_per_week}}


def plan(*items, later=()):
    return {"allowed": True, "current_phase": "P2_x",
            "phases": [{"id": "P2_x", "items": list(items)}, {"id": "P3_y", "items": list(later)}]}


def days_back(n):
    return TODAY - dt.timedelta(days=n)


PLAN = plan(item("bridge", per_day=2), item("walk", per_day=1, days_per_week=3),
            later=[item("nordic", per_day=1)])
LONG_AGO = dt.date(2026, 1, 1)


def test_only_the_current_phase_counts():
    assert [i["exercise_id"] for i in current_items(PLAN)] == ["bridge", "walk"]
    assert current_items({**PLAN, "allowed": False}) == []
    assert current_items({"allowed": True, "current_phase": "P9", "phases": []}) == []
    assert current_items({"allowed": False, "phases": [{"id": "P1", "items": [item("x")]}]}) == []


def test_only_what_the_patient_ticks_counts():
    """The tracking sheet's rule (rehab.pdf.plan.tracked), which the patient's page follows."""
    advice = {"exercise_id": "rest", "category": "ergonomics_education", "dosage": {"per_day": 1}}
    ice = {"exercise_id": "ice", "category": "ergonomics_education", "dosage": {"per_day": 3, "duration_min": 15}}
    bridge = item("bridge")
    assert [i["exercise_id"] for i in current_items(plan(advice, bridge, ice, bridge))] == ["bridge", "ice"]
    assert [i["exercise_id"] for i in current_items(plan(advice))] == ["rest"]  # nothing else: the advice
    no_phase = {"allowed": True, "current_phase": None, "phases": [{"id": "P1", "items": [bridge]}]}
    assert [i["exercise_id"] for i in current_items(no_phase)] == ["bridge"]
    assert adherence(plan(advice, bridge), LONG_AGO, [], TODAY, 7).expected == 14


def test_no_log_is_zero_percent_of_what_was_expected():
    week = adherence(PLAN, LONG_AGO, [], TODAY, 7)
    assert week.days == 7 and week.days_logged == 0
    bridge, walk = week.items
    assert bridge.expected == 14 and bridge.done == 0 and bridge.percent == 0
    assert walk.expected == 3 and walk.percent == 0  # 1 a day, 3 days a week: 3 in 7 days
    assert week.expected == 17 and week.percent == 0


def test_exact_figures_for_a_week():
    log = [Day(days_back(0), {"bridge": 2, "walk": 1}), Day(days_back(1), {"bridge": 1}),
           Day(days_back(2), {"bridge": 2, "walk": 1}), Day(days_back(5), {"bridge": 2})]
    week = adherence(PLAN, LONG_AGO, log, TODAY, 7)
    bridge, walk = week.items
    assert (bridge.done, bridge.expected, bridge.percent) == (7, 14, 50)
    assert (walk.done, walk.expected, walk.percent) == (2, 3, 67)
    assert (week.done, week.expected, week.percent) == (9, 17, 53)  # 9/17 = 52.9%
    assert week.days_logged == 4


def test_over_ticking_is_capped_per_day_and_rest_days_at_the_expected():
    log = [Day(days_back(n), {"bridge": 5, "walk": 3}) for n in range(7)]
    bridge, walk = adherence(PLAN, LONG_AGO, log, TODAY, 7).items
    assert bridge.done == 14 and bridge.percent == 100  # 5 ticks a day count as per_day = 2
    assert walk.done == 3 and walk.percent == 100  # daily walks on a 3-days-a-week dose: 100%, not 233%


def test_rest_days_are_not_held_against_the_patient():
    log = [Day(days_back(n), {"walk": 1}) for n in (0, 2, 4)]
    walk = adherence(PLAN, LONG_AGO, log, TODAY, 7).items[1]
    assert walk.percent == 100


def test_window_edges_at_7_and_28_days():
    log = [Day(days_back(6), {"bridge": 2}), Day(days_back(7), {"bridge": 2}),
           Day(days_back(27), {"bridge": 2}), Day(days_back(28), {"bridge": 2})]
    week = adherence(PLAN, LONG_AGO, log, TODAY, 7)
    month = adherence(PLAN, LONG_AGO, log, TODAY, 28)
    assert week.items[0].done == 2  # 6 days back is in the week, 7 days back is not
    assert month.items[0].done == 6  # 27 days back is in the 28 days, 28 days back is not
    assert month.days == 28 and month.items[0].expected == 56
    assert month.items[1].expected == 12  # 1 x 28 days x 3/7


def test_days_before_the_version_was_saved_are_not_counted_and_the_window_is_prorated():
    saved = days_back(2)  # 3 days: saved_on, yesterday, today
    log = [Day(days_back(3), {"bridge": 2}), Day(days_back(2), {"bridge": 2}), Day(days_back(0), {"bridge": 2})]
    for window in (7, 28):
        result = adherence(PLAN, saved, log, TODAY, window)
        bridge, walk = result.items
        assert result.days == 3 and result.days_logged == 2
        assert (bridge.done, bridge.expected, bridge.percent) == (4, 6, 67)
        assert walk.expected == Fraction(9, 7)


def test_a_version_saved_today():
    result = adherence(PLAN, TODAY, [Day(TODAY, {"bridge": 1, "walk": 1})], TODAY, 7)
    bridge, walk = result.items
    assert result.days == 1
    assert (bridge.done, bridge.expected, bridge.percent) == (1, 2, 50)
    assert walk.expected == Fraction(3, 7) and walk.done == Fraction(3, 7) and walk.percent == 100
    assert adherence(PLAN, TODAY, [], TODAY, 28).percent == 0


def test_future_days_and_unknown_exercises_and_bad_ticks_are_ignored():
    log = [Day(TODAY + dt.timedelta(days=1), {"bridge": 2}), Day(TODAY, {"ghost": 4, "bridge": -3})]
    bridge, walk = adherence(PLAN, LONG_AGO, log, TODAY, 7).items
    assert bridge.done == 0 and walk.done == 0


def test_missing_dose_means_once_a_day_every_day():
    result = adherence(plan({"exercise_id": "ice", "name": "Ice", "dosage": {"per_day": None}}),
                       LONG_AGO, [Day(TODAY, {"ice": 1})], TODAY, 7)
    assert result.items[0].expected == 7 and result.items[0].done == 1 and result.percent == 14


def test_a_refused_plan_has_no_adherence():
    result = adherence({"allowed": False, "phases": []}, LONG_AGO, [Day(TODAY, {"x": 1})], TODAY, 7)
    assert result.items == [] and result.percent is None


def test_pain_series_in_date_order_within_the_window():
    log = [Day(days_back(1), pain=4), Day(days_back(3), pain=6), Day(days_back(2)), Day(days_back(40), pain=9)]
    assert pain_series(log, days_back(27), TODAY) == [(days_back(3), 6), (days_back(1), 4)]
    assert trend_words([6, 4]) == "lower" and trend_words([3, 3.5]) == "about the same"
    assert trend_words([2, 5]) == "higher" and trend_words([5]) == ""


def test_psfs_mean_and_per_activity():
    first = Psfs(days_back(20), "clinic", [{"activity": "Running", "score": 2}, {"activity": "Sitting", "score": 5},
                                           {"activity": "Stairs", "score": 6}])
    later = Psfs(days_back(6), "patient", [{"activity": " running ", "score": 5}, {"activity": "Sitting", "score": 7}])
    assert first.mean == 4.3 and later.mean == 6.0
    assert Psfs(TODAY, "clinic", []).mean is None
    assert psfs_by_activity([later, first]) == {
        "Running": [(days_back(20), 2), (days_back(6), 5)],
        "Sitting": [(days_back(20), 5), (days_back(6), 7)],
        "Stairs": [(days_back(20), 6)]}


def test_chart_is_labelled_svg_without_script():
    svg = str(chart_svg([(days_back(3), 6), (days_back(1), 4)], [(days_back(2), 5.5)], days_back(27), TODAY))
    assert svg.startswith("<svg") and "<script" not in svg
    assert "<title" in svg and "Pain logged on 2 day(s), from 6/10 on 28 Mar to 4/10 on 30 Mar." in svg
    assert "PSFS mean from 5.5 to 5.5 out of 10." in svg
    assert svg.count('class="mark-pain"') == 2 and svg.count('class="mark-psfs"') == 1
    assert svg.count("<polyline") == 1  # one PSFS point draws no line
    labels = re.findall(r'text-anchor="(middle|end)">(\d+ [A-Z][a-z]+)<', svg)
    assert labels == [("middle", "4 Mar"), ("middle", "11 Mar"), ("middle", "18 Mar"), ("middle", "25 Mar"),
                      ("end", "31 Mar")]
    assert re.findall(r'text-anchor="end">(\d+)<', svg) == ["0", "2", "4", "6", "8", "10"]
    # pain 6 sits 60% up a plot 194 high drawn from y=12: 12 + 194 x 0.4
    assert re.search(r'class="mark-pain" cx="[\d.]+" cy="89.6"', svg)


def test_chart_escapes_nothing_it_did_not_make():
    svg = str(chart_svg([], [], TODAY, TODAY))
    assert "No pain logged." in svg and "NaN" not in svg
