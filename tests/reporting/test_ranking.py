"""The ranking's arithmetic, recomputed by hand (pure functions, no database)."""

from datetime import date
from decimal import Decimal as D

from reporting.ranking.score import CountyFigures, Rule, assign_ranks, rank_counties, round_score, score, tie_groups

JUNE = date(2026, 6, 1)  # half the year elapsed
RULE = Rule(
    weight_progress=D(60), weight_growth=D(25), weight_on_time=D(15), ratio_cap=D("1.5"),
    growth_codes=("members_new", "mutualaid_premiums"), eligibility_code="mutualaid_premiums",
)  # fmt: skip


def county(code, name, *, ytd, before, targets, on_time):
    return CountyFigures(county_id=int(code), code=code, name=name, ytd=ytd, ytd_before=before, targets=targets,
                         on_time=on_time)  # fmt: skip


def four_counties():
    return [
        # 互助金 60,000 of 100,000 by June: 60000 / (100000 × 6/12) = 1.2 → 120; 新增会员 450 / 500 = 0.9 → 90.
        # P = (120 + 90) / 2 = 105. G: 60000/50000 = 1.2 → 120, 450/500 = 0.9 → 90, G = 105. On time: T = 100.
        # Score = (60 × 105 + 25 × 105 + 15 × 100) / 100 = 104.25. Premiums 60000 × 12 ≥ 100000 × 6: eligible.
        county("611002", "商州区", ytd={"mutualaid_premiums": D(60000), "members_new": D(450)},
               before={"mutualaid_premiums": D(50000), "members_new": D(500)},
               targets={"mutualaid_premiums": D(100000), "members_new": D(1000)}, on_time=True),
        # P: 30000 / 40000 = 0.75 → 75; 700 / 500 = 1.4 → 140; P = 107.5. G: premiums have no base a year
        # before → 100; 700 / 350 = 2 → capped at 1.5 → 150; G = 125. Late: T = 0.
        # Score = (60 × 107.5 + 25 × 125 + 15 × 0) / 100 = 95.75. 30000 × 12 < 80000 × 6: not eligible.
        county("611021", "洛南县", ytd={"mutualaid_premiums": D(30000), "members_new": D(700)},
               before={"members_new": D(350)},
               targets={"mutualaid_premiums": D(80000), "members_new": D(1000)}, on_time=False),
        # No target: P = 0. G: level on both → 100. T = 100. Score = (0 + 2500 + 1500) / 100 = 40.00. Not judged.
        county("611022", "丹凤县", ytd={"mutualaid_premiums": D(10000), "members_new": D(100)},
               before={"mutualaid_premiums": D(10000), "members_new": D(100)}, targets={}, on_time=True),
        # P: 47500 / 50000 = 0.95 → 95. G: 47500/50000 → 95, 95/100 → 95; G = 95. T = 100.
        # Score = (60 × 95 + 25 × 95 + 15 × 100) / 100 = 95.75: equal to 洛南县. 47500 × 12 < 100000 × 6.
        county("611023", "商南县", ytd={"mutualaid_premiums": D(47500), "members_new": D(95)},
               before={"mutualaid_premiums": D(50000), "members_new": D(100)},
               targets={"mutualaid_premiums": D(100000)}, on_time=True),
    ]  # fmt: skip


def test_ranking_recomputed_by_hand():
    standings = rank_counties(four_counties(), RULE, JUNE)
    table = [(s.rank, s.name, s.score, s.progress, s.growth, s.on_time, s.eligible) for s in standings]
    assert table == [
        (1, "商州区", D("104.25"), D(105), D(105), D(100), True),
        (2, "洛南县", D("95.75"), D("107.5"), D(125), D(0), False),
        (2, "商南县", D("95.75"), D(95), D(95), D(100), False),
        (4, "丹凤县", D("40.00"), D(0), D(100), D(100), None),
    ]
    luonan = standings[1]
    progress = [(p.code, p.points) for p in luonan.progress_parts]
    assert progress == [("members_new", D(140)), ("mutualaid_premiums", D(75))]
    assert [(p.code, p.base, p.points) for p in luonan.growth_parts] == [
        ("members_new", D(350), D(150)),  # 2.0 capped at 1.5
        ("mutualaid_premiums", None, D(100)),  # no base: level
    ]
    assert luonan.completion == D("0.375")


def test_equal_scores_share_the_rank_and_the_next_rank_is_skipped():
    standings = rank_counties(four_counties(), RULE, JUNE)
    groups = tie_groups(standings)
    assert [[s.name for s in group] for group in groups] == [["洛南县", "商南县"]]
    assert standings[1].tied_with == ["商南县"] and standings[2].tied_with == ["洛南县"]
    assert standings[0].tied_with == [] and standings[3].rank == 4


def test_mutual_aid_flag_follows_the_elapsed_share_and_needs_100_percent_in_december():
    on_schedule = county("611002", "商州区", ytd={"mutualaid_premiums": D(50000)}, before={},
                         targets={"mutualaid_premiums": D(100000)}, on_time=True)  # fmt: skip
    assert rank_counties([on_schedule], RULE, JUNE)[0].eligible is True  # exactly half by June
    assert rank_counties([on_schedule], RULE, date(2026, 7, 1))[0].eligible is False  # behind 7/12
    full = county("611002", "商州区", ytd={"mutualaid_premiums": D("99999.99")}, before={},
                  targets={"mutualaid_premiums": D(100000)}, on_time=True)  # fmt: skip
    assert rank_counties([full], RULE, date(2026, 12, 1))[0].eligible is False
    done = county("611002", "商州区", ytd={"mutualaid_premiums": D(100000)}, before={},
                  targets={"mutualaid_premiums": D(100000)}, on_time=True)  # fmt: skip
    assert rank_counties([done], RULE, date(2026, 12, 1))[0].eligible is True


def test_the_score_is_rounded_once_half_up():
    thirds = Rule(weight_progress=D(1), weight_growth=D(1), weight_on_time=D(1))
    assert score(D(100), D(100), D(0), thirds) == D("66.67")  # 200 / 3
    assert round_score(D("0.125")) == D("0.13") and round_score(D("0.124999")) == D("0.12")


def test_weights_need_not_add_up_to_100():
    doubled = Rule(weight_progress=D(120), weight_growth=D(50), weight_on_time=D(30), ratio_cap=D("1.5"),
                   growth_codes=RULE.growth_codes, eligibility_code=RULE.eligibility_code)  # fmt: skip
    assert [s.score for s in rank_counties(four_counties(), doubled, JUNE)] == [
        s.score for s in rank_counties(four_counties(), RULE, JUNE)
    ]


def test_on_time_only_weights_put_the_late_county_last():
    on_time_only = Rule(weight_progress=D(0), weight_growth=D(0), weight_on_time=D(1))
    standings = rank_counties(four_counties(), on_time_only, JUNE)
    assert [(s.rank, s.name) for s in standings] == [(1, "商州区"), (1, "丹凤县"), (1, "商南县"), (4, "洛南县")]


def test_assign_ranks_lists_tied_counties_by_code():
    standings = rank_counties(four_counties(), RULE, JUNE)
    reversed_input = assign_ranks(list(reversed(standings)))
    assert [s.code for s in reversed_input] == ["611002", "611021", "611023", "611022"]
