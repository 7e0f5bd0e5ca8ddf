"""The illustrative samples: reproducible, and exact on the published shares (FACTS.md)."""

from collections import Counter
from fractions import Fraction

import polars as pl

from digistrat import sample

DATA = sample.DATA_DIR


def test_committed_samples_are_what_the_seeded_generator_writes():
    assert (DATA / sample.PANEL_FILE).read_bytes() == sample.to_csv_bytes(sample.generate_panel())
    assert (DATA / sample.SESSIONS_FILE).read_bytes() == sample.to_csv_bytes(sample.generate_sessions())


def test_panel_segment_counts_are_the_published_shares_of_400():
    panel = pl.read_csv(DATA / sample.PANEL_FILE)
    assert panel.height == 400
    # FACTS.md: 6 / 7.75 / 10.5 / 21 / 54.75 % are whole counts of 400
    assert Counter(panel["segment"].to_list()) == {
        "newcomers": 24, "convinced": 31, "adapters": 42, "dissatisfied": 84, "wait_and_see": 219,
    }


def test_panel_weights_keep_the_published_shares_exactly():
    panel = pl.read_csv(DATA / sample.PANEL_FILE)
    weights = [Fraction(str(w)) for w in panel["weight"].to_list()]
    assert min(weights) > 0 and len(set(weights)) > 1, "a real weight column, not all ones"
    totals: dict[str, Fraction] = {}
    for segment, weight in zip(panel["segment"].to_list(), weights):
        totals[segment] = totals.get(segment, Fraction(0)) + weight
    grand = sum(totals.values())
    shares = {k: v / grand * 100 for k, v in totals.items()}
    assert shares == {
        "newcomers": Fraction(6), "convinced": Fraction(775, 100), "adapters": Fraction(105, 10),
        "dissatisfied": Fraction(21), "wait_and_see": Fraction(5475, 100),
    }


def test_panel_visit_origins_are_whole_percentages_summing_to_100():
    panel = pl.read_csv(DATA / sample.PANEL_FILE)
    totals = panel.select(pl.sum_horizontal("search_share", "external_share", "direct_share"))
    assert totals.to_series().unique().to_list() == [100]


def test_sessions_devices_are_58_32_10():
    sessions = pl.read_csv(DATA / sample.SESSIONS_FILE)
    assert sessions.height == 10_000
    assert Counter(sessions["device"].to_list()) == {"desktop": 5800, "mobile": 3200, "tablet": 1000}


def test_exact_counts_sum_to_total_and_follow_shares():
    counts = sample.exact_counts(1700, (6.0, 7.75, 10.5, 21.0, 54.75))
    assert counts.sum() == 1700
    # 7.75 % of 1,700 = 131.75 (FACTS.md): largest remainders round it to 132
    assert counts.tolist() == [102, 132, 178, 357, 931]


def test_generator_scales_and_stays_exact():
    panel = sample.generate_panel(rows=10_000, seed=7)
    assert panel["segment"].value_counts().sort("segment")["count"].to_list() == [1050, 775, 2100, 600, 5475]
    sessions = sample.generate_sessions(rows=20_000, seed=7)
    assert sessions["device"].value_counts().sort("device")["count"].to_list() == [11600, 6400, 2000]
