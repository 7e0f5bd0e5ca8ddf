"""Role and kind guesses on frames shaped like real survey, GA4 and Matomo exports."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import polars as pl
import pytest

from digistrat.errors import InputError
from digistrat.read import ColumnInfo
from digistrat.roles import KINDS, ROLES, guess_roles, infer_kind, with_roles

REAL_EXPORTS = Path(__file__).resolve().parents[2] / "shared" / "reference" / "real-exports"

# Header row and first rows of the GA4 traffic-acquisition export in
# shared/reference/real-exports/ga4_traffic_acquisition_channel__h2oplumbers.csv
GA4_CHANNEL_HEADER = [
    "Session primary channel group (Default Channel Group)", "Sessions", "Engaged sessions",
    "Engagement rate", "Average engagement time per session", "Events per session",
    "Event count", "Key events", "Session key event rate", "Total revenue",
]
GA4_CHANNEL_ROWS = [
    ("Paid Search", 4395, 1544, 0.35130830489192266, 34.91581342434585, 4.543117178612059, 19967, 0, 0, 0),
    ("Direct", 1679, 533, 0.31745086360929126, 16.194758784991066, 4.710541989279333, 7909, 0, 0, 0),
    ("Referral", 671, 619, 0.9225037257824144, 472.77496274217583, 10.8822652757079, 7302, 0, 0, 0),
    ("Organic Search", 463, 285, 0.6155507559395248, 57.73218142548596, 6.123110151187905, 2835, 0, 0, 0),
    ("Unassigned", 23, 0, 0.0, 34.130434782608695, 2.3043478260869565, 53, 0, 0, 0),
    ("Cross-network", 16, 12, 0.75, 45.625, 9.3125, 149, 0, 0, 0),
    ("Organic Social", 15, 8, 0.5333333333333333, 3.1333333333333333, 4.0, 60, 0, 0, 0),
]


def frame_of(header: list[str], rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=header, orient="row")


def assert_roles(guess, expected: dict[str, str]) -> None:
    assert {c: guess.roles[c] for c in expected} == expected


def test_ga4_traffic_acquisition_by_channel() -> None:
    guess = guess_roles(frame_of(GA4_CHANNEL_HEADER, GA4_CHANNEL_ROWS))
    assert guess.kind == "traffic_by_channel"
    expected = {c: "measure" for c in GA4_CHANNEL_HEADER}
    expected["Session primary channel group (Default Channel Group)"] = "channel"
    expected["Sessions"] = "count"
    assert guess.roles == expected
    assert guess.column_for("count") == "Sessions"
    assert "Session primary channel group" in str(guess.reasons[GA4_CHANNEL_HEADER[0]])


def test_header_typed_here_is_the_real_ga4_header() -> None:
    path = REAL_EXPORTS / "ga4_traffic_acquisition_channel__h2oplumbers.csv"
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header, *rows = list(csv.reader(lines))
    assert header == GA4_CHANNEL_HEADER
    assert [r[0] for r in rows] == [r[0] for r in GA4_CHANNEL_ROWS]


@pytest.mark.parametrize("name", [
    "ga4_traffic_acquisition_channel__h2oplumbers.csv",
    "ga4_traffic_acquisition_channel__burnsedia.csv",
    "ga4_user_acquisition_channel__h2oplumbers.csv",
])
def test_real_ga4_channel_exports(name: str) -> None:
    path = REAL_EXPORTS / name
    if not path.exists():
        pytest.fail("shared/reference/real-exports is not next to the repository: the tests read the real exports from ../shared, as CI has them")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header, *rows = list(csv.reader(lines))
    # Typed the way digistrat.read types them: the first column text, the metrics numbers.
    frame = pl.DataFrame(
        {h: [r[i] for r in rows] for i, h in enumerate(header)}
    ).with_columns(pl.col(header[1:]).cast(pl.Float64))
    guess = guess_roles(frame)
    assert guess.kind == "traffic_by_channel"
    assert guess.column_for("channel") == header[0]
    assert guess.column_for("count") in ("Sessions", "Total users")
    assert sorted(guess.roles.values()).count("count") == 1


def test_ga4_user_acquisition_counts_total_users_not_new_users() -> None:
    header = ["First user primary channel group (Default Channel Group)", "New users",
              "Total users", "Returning users", "Event count"]
    rows = [("Paid Search", 5125, 2650, 64, 19943), ("Direct", 1969, 1044, 35, 8086)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_channel"
    assert guess.column_for("count") == "Total users"
    assert guess.roles["New users"] == "measure"
    assert "Total users" in str(guess.reasons["New users"])


def test_sessions_win_the_count_over_users_and_visits_wherever_they_stand() -> None:
    header = ["Default channel group", "Total users", "Visits", "Sessions", "Engaged sessions"]
    rows = [("Direct", 10, 12, 14, 7), ("Referral", 3, 4, 5, 2)]
    guess = guess_roles(frame_of(header, rows))
    assert [c for c, r in guess.roles.items() if r == "count"] == ["Sessions"]


def test_ga4_source_medium_export() -> None:
    header = ["Session source / medium", "Sessions", "Engaged sessions", "Engagement rate"]
    rows = [("google / organic", 463, 285, 0.61), ("(direct) / (none)", 1679, 533, 0.31),
            ("google / cpc", 4395, 1544, 0.35), ("bing / organic", 20, 9, 0.45)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_source_medium"
    assert_roles(guess, {"Session source / medium": "source_medium", "Sessions": "count",
                         "Engaged sessions": "measure", "Engagement rate": "measure"})


def test_french_ga4_export_with_source_support_and_device() -> None:
    header = ["Source/Support de la session", "Catégorie d'appareil", "Sessions",
              "Sessions avec engagement", "Taux d'engagement", "Nombre d'événements"]
    rows = [("google / organic", "desktop", 120, 80, 0.66, 900),
            ("google / organic", "mobile", 95, 50, 0.52, 610),
            ("(direct) / (none)", "tablet", 12, 5, 0.41, 70)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_source_medium"
    assert guess.roles == {
        "Source/Support de la session": "source_medium", "Catégorie d'appareil": "device",
        "Sessions": "count", "Sessions avec engagement": "measure",
        "Taux d'engagement": "measure", "Nombre d'événements": "measure",
    }


@pytest.mark.parametrize("channel_header", [
    "Groupe de canaux principal de la session (Groupe de canaux par défaut)",
    "Groupe de canaux par défaut pour la session",
])
def test_french_ga4_channel_headers(channel_header: str) -> None:
    rows = [("Organic Search", 40, 22), ("Direct", 31, 10)]
    guess = guess_roles(frame_of([channel_header, "Sessions", "Sessions avec engagement"], rows))
    assert guess.kind == "traffic_by_channel"
    assert guess.roles[channel_header] == "channel"


def test_matomo_referrer_type_table_in_french() -> None:
    header = ["Type de canal", "Visites", "Visiteurs uniques", "Taux de rebond"]
    rows = [("Entrées directes", 310, 250, 41.0), ("Moteurs de recherche", 290, 240, 38.5),
            ("Sites web", 250, 200, 52.0), ("Réseaux sociaux", 150, 130, 60.0),
            ("Campagnes", 20, 18, 35.0)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_channel"
    assert guess.roles == {"Type de canal": "channel", "Visites": "count",
                           "Visiteurs uniques": "measure", "Taux de rebond": "measure"}


def test_matomo_raw_referrer_types_are_recognised_from_their_values() -> None:
    header = ["label", "nb_uniq_visitors", "nb_visits", "nb_actions"]
    rows = [("Direct Entry", 20, 25, 60), ("Search Engines", 14, 18, 40), ("Websites", 5, 6, 9)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_channel"
    assert_roles(guess, {"label": "channel", "nb_visits": "count", "nb_uniq_visitors": "measure"})
    assert "channel names" in str(guess.reasons["label"])


def french_survey(rows: int = 60, seed: int = 7) -> pl.DataFrame:
    rng = random.Random(seed)
    segments = ["Les nouvelles venues", "Les convaincues", "Les tenants de l'adaptation",
                "Les insatisfaits", "Les attentistes"]
    return pl.DataFrame({
        "Répondant": [f"R{i:04d}" for i in range(rows)],
        "Segment": [rng.choice(segments) for _ in range(rows)],
        "Pondération": [round(rng.uniform(0.5, 1.5), 3) for _ in range(rows)],
        "Taille d'entreprise": [rng.choice(["TPE", "PME", "ETI", "Grande entreprise"]) for _ in range(rows)],
        "Secteur d'activité": [rng.choice(["Industrie", "Commerce", "Services"]) for _ in range(rows)],
        "Note de satisfaction": [rng.randint(1, 10) for _ in range(rows)],
    })


def test_french_survey_export() -> None:
    guess = guess_roles(french_survey())
    assert guess.kind == "survey"
    assert guess.roles == {
        "Répondant": "id", "Segment": "segment", "Pondération": "weight",
        "Taille d'entreprise": "dimension", "Secteur d'activité": "dimension",
        "Note de satisfaction": "measure",
    }
    assert str(guess.reasons["Pondération"]) == "header 'Pondération' means Weight"


def test_survey_roles_come_from_values_when_headers_say_nothing() -> None:
    survey = french_survey().rename({
        "Répondant": "q0", "Segment": "q1", "Pondération": "q2", "Taille d'entreprise": "q3",
        "Secteur d'activité": "q4", "Note de satisfaction": "q5",
    })
    rng = random.Random(3)
    survey = survey.with_columns(
        pl.Series("q6", [rng.choice(["Ordinateur", "Smartphone", "Tablette"]) for _ in range(60)])
    )
    guess = guess_roles(survey)
    assert guess.kind == "survey"
    # numbers averaging 1 are only a hint of a weight without a header saying so: the user confirms
    assert guess.roles == {"q0": "id", "q1": "segment", "q2": "measure", "q3": "dimension",
                           "q4": "dimension", "q5": "measure", "q6": "device"}
    assert guess.unsure == {"q2"} and "weight" in str(guess.reasons["q2"])


def test_json_values_are_data_not_answers() -> None:
    # LimeSurvey stores an equation's JSON in a column; split at its commas it looked multi-answer
    rng = random.Random(5)
    names = ["Anna", "Bram", "Cas", "Dina"]
    groups = [{f"v{i}": {"group": rng.choice("AB"), "answers": rng.sample(names, 2)} for i in (1, 2)}
              for _ in range(30)]
    frame = pl.DataFrame({
        "intro": [json.dumps(g) for g in groups],
        "picked": [json.dumps(rng.sample(names, 2)) for _ in range(30)],
        "channels": [", ".join(rng.sample(["Email", "Phone", "Chat"], rng.randint(1, 2))) for _ in range(30)],
    })
    guess = guess_roles(frame, tool="limesurvey")
    assert guess.roles == {"intro": "ignore", "picked": "ignore", "channels": "multi"}
    assert "JSON" in str(guess.reasons["intro"]) and "JSON" in str(guess.reasons["picked"])


def session_log(rows: int = 200, seed: int = 11) -> dict[str, list]:
    rng = random.Random(seed)
    referrers = ["https://www.google.com/", "https://www.bing.com/", "https://www.facebook.com/",
                 "https://t.co/abc", "android-app://com.google.android.gm/", None]
    landings = ["https://www.example.fr/", "https://www.example.fr/offres",
                "https://www.example.fr/?utm_source=newsletter&utm_medium=email&utm_campaign=mars",
                "https://www.example.fr/blog?utm_source=linkedin&utm_medium=social"]
    return {
        "Date": [f"2025-03-{rng.randint(1, 31):02d}" for _ in range(rows)],
        "Referrer": [rng.choice(referrers) for _ in range(rows)],
        "Landing page": [rng.choice(landings) for _ in range(rows)],
        "Device category": [rng.choice(["desktop", "mobile", "tablet"]) for _ in range(rows)],
    }


def test_raw_session_log_with_named_headers() -> None:
    guess = guess_roles(pl.DataFrame(session_log()))
    assert guess.kind == "traffic"
    assert guess.roles == {"Date": "date", "Referrer": "referrer",
                           "Landing page": "landing_page", "Device category": "device"}


def test_raw_session_log_roles_from_url_values_and_dates() -> None:
    log = session_log()
    frame = pl.DataFrame({
        "quand": pl.Series(log["Date"]).str.to_date(),
        "url_a": log["Landing page"],
        "url_b": log["Referrer"],
        "terminal_utilise": log["Device category"],
    })
    guess = guess_roles(frame)
    assert guess.kind == "traffic"
    assert guess.roles == {"quand": "date", "url_a": "landing_page", "url_b": "referrer",
                           "terminal_utilise": "device"}


def test_a_single_url_column_spread_over_many_sites_is_a_referrer() -> None:
    frame = pl.DataFrame({"provenance": session_log()["Referrer"]})
    assert guess_roles(frame).roles == {"provenance": "referrer"}


def test_a_single_url_column_on_one_site_is_a_landing_page() -> None:
    frame = pl.DataFrame({"page": session_log()["Landing page"]})
    assert guess_roles(frame).roles == {"page": "landing_page"}


def test_article_like_visit_origin_table_is_a_survey_table() -> None:
    # FACTS.md §2: search engines 29 %, external links 40 %, direct access 31 %
    frame = pl.DataFrame({
        "Catégorie": ["Moteurs de recherche", "Liens externes (médias sociaux)", "Accès directs"],
        "Part": [29.0, 40.0, 31.0],
    })
    guess = guess_roles(frame)
    assert guess.kind == "survey_table"
    assert guess.roles["Part"] == "share"
    assert guess.roles["Catégorie"] == "channel"


def test_article_like_segment_table_is_a_survey_table() -> None:
    # FACTS.md §1: 6 / 7.75 / 10.5 / 21 / 54.75 %
    frame = pl.DataFrame({
        "Segment": ["Les nouvelles venues", "Les convaincues", "Les tenants de l'adaptation",
                    "Les insatisfaits", "Les attentistes"],
        "%": [6.0, 7.75, 10.5, 21.0, 54.75],
    })
    guess = guess_roles(frame)
    assert guess.kind == "survey_table"
    assert guess.roles == {"Segment": "segment", "%": "share"}


def test_article_like_device_table_with_counts_is_traffic_by_device() -> None:
    # FACTS.md §3 as counts of 100
    frame = pl.DataFrame({"Appareil": ["Ordinateur", "Mobile", "Tablette"], "Effectif": [58, 32, 10]})
    guess = guess_roles(frame)
    assert guess.kind == "traffic_by_device"
    assert guess.roles == {"Appareil": "device", "Effectif": "count"}


# Header vocabulary, English and French, GA4 and Matomo: header -> role, with values of the
# type such a column holds.
TEXT, NUMBER = ["a", "b", "a"], [3, 4, 5]
HEADERS = [
    ("Segment", TEXT, "segment"), ("PROFIL", TEXT, "segment"), ("Groupe", TEXT, "segment"),
    ("Weight", [1.1, 0.9, 1.0], "weight"), ("Poids", [1.1, 0.9, 1.0], "weight"),
    ("Pondération", [1.1, 0.9, 1.0], "weight"), ("ponderation", [1.1, 0.9, 1.0], "weight"),
    ("Id", TEXT, "id"), ("Respondent", TEXT, "id"), ("Répondant", TEXT, "id"),
    ("Identifiant", TEXT, "id"),
    ("Session primary channel group (Default Channel Group)", TEXT, "channel"),
    ("First user primary channel group (Default Channel Group)", TEXT, "channel"),
    ("Default channel group", TEXT, "channel"), ("Channel type", TEXT, "channel"),
    ("Referrer type", TEXT, "channel"), ("Type de canal", TEXT, "channel"),
    ("Type de référent", TEXT, "channel"), ("Channel", TEXT, "channel"), ("Canal", TEXT, "channel"),
    ("Session source / medium", TEXT, "source_medium"),
    ("Source/Support de la session", TEXT, "source_medium"),
    ("Source / medium", TEXT, "source_medium"), ("sessionSourceMedium", TEXT, "source_medium"),
    ("Session source", TEXT, "source"), ("Source", TEXT, "source"),
    ("Session medium", TEXT, "medium"), ("Medium", TEXT, "medium"), ("Support", TEXT, "medium"),
    ("Session campaign", TEXT, "campaign"), ("Campaign", TEXT, "campaign"),
    ("Campagne", TEXT, "campaign"),
    ("Referrer", TEXT, "referrer"), ("Referer", TEXT, "referrer"), ("Référent", TEXT, "referrer"),
    ("Page référente", TEXT, "referrer"),
    ("Landing page", TEXT, "landing_page"), ("Page de destination", TEXT, "landing_page"),
    ("Landing page + query string", TEXT, "landing_page"), ("URL", TEXT, "landing_page"),
    ("Device category", TEXT, "device"), ("Catégorie d'appareil", TEXT, "device"),
    ("Appareil", TEXT, "device"), ("Device type", TEXT, "device"),
    ("Type d'appareil", TEXT, "device"),
    ("Date", TEXT, "date"), ("Jour", TEXT, "date"), ("Day", TEXT, "date"),
    ("Sessions", NUMBER, "count"), ("Visits", NUMBER, "count"), ("Visites", NUMBER, "count"),
    ("Users", NUMBER, "count"), ("Utilisateurs", NUMBER, "count"), ("Total users", NUMBER, "count"),
    ("Count", NUMBER, "count"), ("Nombre", NUMBER, "count"), ("Effectif", NUMBER, "count"),
    ("nb_visits", NUMBER, "count"),
    ("Share", NUMBER, "share"), ("Part", NUMBER, "share"), ("Pourcentage", NUMBER, "share"),
    ("%", NUMBER, "share"), ("Percent", NUMBER, "share"),
    ("Engaged sessions", NUMBER, "measure"), ("Sessions avec engagement", NUMBER, "measure"),
    ("Engagement rate", [0.1, 0.2, 0.3], "measure"), ("Event count", NUMBER, "measure"),
]


@pytest.mark.parametrize(("header", "values", "role"), HEADERS)
def test_header_vocabulary(header: str, values: list, role: str) -> None:
    guess = guess_roles(pl.DataFrame({header: values}))
    assert guess.roles[header] == role


def test_a_count_header_over_text_values_is_not_a_count() -> None:
    guess = guess_roles(pl.DataFrame({"Sessions": ["beaucoup", "peu"]}))
    assert guess.roles["Sessions"] == "dimension"
    assert "not numbers" in str(guess.reasons["Sessions"])


def test_unique_labels_of_an_aggregated_table_are_a_dimension_not_an_id() -> None:
    rows = 30
    frame = pl.DataFrame({"Titre de page": [f"Page {i}" for i in range(rows)],
                          "Sessions": list(range(rows))})
    assert guess_roles(frame).roles["Titre de page"] == "dimension"


def test_free_text_of_row_level_data_is_ignored() -> None:
    comments = [f"commentaire {i % 300}" for i in range(600)]
    guess = guess_roles(pl.DataFrame({"Segment": ["attentiste"] * 600, "Verbatim": comments}))
    assert guess.roles["Verbatim"] == "ignore"


def test_every_column_gets_a_known_role_and_reason() -> None:
    frame = french_survey()
    guess = guess_roles(frame)
    assert list(guess.roles) == frame.columns
    assert set(guess.reasons) == set(frame.columns)
    assert set(guess.roles.values()) <= set(ROLES)
    assert guess.kind in KINDS


def test_only_the_first_ten_thousand_rows_are_sampled() -> None:
    # Unique until row 10 000, then repeated: the guess must only see the unique part.
    values = [f"R{i}" for i in range(10_000)] + ["R1"] * 5
    guess = guess_roles(pl.DataFrame({"code": values}))
    assert guess.roles["code"] == "id"


def test_overrides_change_roles_and_recompute_the_kind() -> None:
    guess = guess_roles(french_survey())
    as_dimension = with_roles(guess, {"Segment": "dimension"})
    assert as_dimension.kind == "survey"  # still weighted respondents, without a segment
    assert str(as_dimension.reasons["Segment"]) == "set by you"

    moved = with_roles(guess, {"Taille d'entreprise": "segment"})
    assert moved.kind == "survey"
    assert moved.roles["Taille d'entreprise"] == "segment"
    assert moved.roles["Segment"] == "dimension"
    assert moved.column_for("segment") == "Taille d'entreprise"


def test_a_weight_moved_away_from_a_numeric_column_leaves_a_measure() -> None:
    guess = guess_roles(french_survey())
    moved = with_roles(guess, {"Note de satisfaction": "weight"})
    assert moved.roles["Pondération"] == "measure"
    assert moved.column_for("weight") == "Note de satisfaction"


def test_overriding_the_channel_of_a_ga4_table_turns_it_into_a_category_table() -> None:
    guess = guess_roles(frame_of(GA4_CHANNEL_HEADER, GA4_CHANNEL_ROWS))
    overridden = with_roles(guess, {GA4_CHANNEL_HEADER[0]: "dimension"})
    assert overridden.kind == "survey_table"
    assert guess.kind == "traffic_by_channel"  # the original guess is unchanged


def test_overrides_with_unknown_columns_or_roles_are_refused() -> None:
    guess = guess_roles(french_survey())
    with pytest.raises(InputError, match="Segmnt"):
        with_roles(guess, {"Segmnt": "segment"})
    with pytest.raises(InputError, match="'poids'"):
        with_roles(guess, {"Pondération": "poids"})
    with pytest.raises(InputError, match="'Secteur d'activité'.*text"):
        with_roles(guess, {"Secteur d'activité": "count"})
    with pytest.raises(InputError, match="all set as Segment"):
        with_roles(guess, {"Segment": "segment", "Secteur d'activité": "segment"})


def test_a_count_chosen_by_the_user_makes_an_aggregated_table() -> None:
    frame = pl.DataFrame({"Canal": ["Direct", "Referral"], "Valeur": [10, 4], "Autre": [1, 2]})
    guess = with_roles(guess_roles(frame), {"Valeur": "count"})
    assert guess.kind == "traffic_by_channel"
    assert guess.roles == {"Canal": "channel", "Valeur": "count", "Autre": "measure"}


def test_categorical_text_is_read_like_text() -> None:
    frame = pl.DataFrame({"x": ["Les attentistes", "Newcomers", "Les attentistes"]},
                         schema={"x": pl.Categorical})
    assert guess_roles(frame).roles == {"x": "segment"}


@pytest.mark.parametrize(("roles", "kind"), [
    ({"a": "segment", "b": "weight", "c": "dimension"}, "survey"),
    ({"a": "segment", "b": "share"}, "survey_table"),
    ({"a": "segment", "b": "count", "c": "id"}, "survey"),
    ({"a": "channel", "b": "count", "c": "measure"}, "traffic_by_channel"),
    ({"a": "source_medium", "b": "count"}, "traffic_by_source_medium"),
    ({"a": "source", "b": "medium", "c": "count"}, "traffic_by_source_medium"),
    ({"a": "channel", "b": "source_medium", "c": "count"}, "traffic_by_source_medium"),
    ({"a": "channel", "b": "share"}, "survey_table"),
    ({"a": "dimension", "b": "count"}, "survey_table"),
    ({"a": "device", "b": "count", "c": "measure"}, "traffic_by_device"),
    ({"a": "device", "b": "share"}, "survey_table"),
    ({"a": "device", "b": "landing_page", "c": "count"}, "survey_table"),
    ({"a": "referrer", "b": "landing_page", "c": "device", "d": "date"}, "traffic"),
    ({"a": "source", "b": "medium", "c": "campaign"}, "traffic"),
    ({"a": "date", "b": "count"}, "unknown"),
    ({"a": "dimension", "b": "measure"}, "unknown"),
    ({}, "unknown"),
])
def test_infer_kind(roles: dict[str, str], kind: str) -> None:
    assert infer_kind(roles) == kind


def test_a_frame_without_columns_is_refused() -> None:
    with pytest.raises(InputError):
        guess_roles(pl.DataFrame())


# ---- exports seen in QA: sources without media, German Matomo, buckets, everyday counts, dates

def test_plausible_export_name_is_the_source_and_visitors_the_count() -> None:
    header = ["name", "visitors", "bounce_rate", "visit_duration"]
    rows = [("Direct / None", 500, 60, 30), ("Google", 400, 40, 60), ("Facebook", 100, 70, 20),
            ("lemonde.fr", 10, 30, 100), ("Newsletter", 5, 10, 100)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_source_medium"
    assert guess.roles == {"name": "source", "visitors": "count", "bounce_rate": "measure",
                           "visit_duration": "measure"}


@pytest.mark.parametrize(("header", "values"), [
    ("Source", ["Direct / None", "Google", "Facebook", "DuckDuckGo"]),       # Plausible UI
    ("Referrers", ["google.com", "www.facebook.com", "t.co", "chatgpt.com"]),  # Umami
    ("Referrer", ["google.com", "www.facebook.com", "t.co", "chatgpt.com"]),
    ("Nom du référent", ["google.com", "lemonde.fr", "t.co"]),                 # Matomo FR
    ("Website", ["lemonde.fr", "partner.example.com", "news.ycombinator.com"]),  # Matomo
    ("Site web", ["lemonde.fr", "partner.example.com"]),
    ("Social Network", ["Facebook", "LinkedIn", "Twitter", "YouTube"]),
    ("Réseaux sociaux", ["Facebook", "LinkedIn"]),                            # Matomo FR column
    ("Search engine", ["Google", "Bing"]),
    ("Moteur de recherche", ["Google", "Bing", "DuckDuckGo", "Qwant", "Ecosia"]),
    ("Suchmaschine", ["Google", "Bing"]),                                     # Matomo DE column
])
@pytest.mark.parametrize("count", ["Visitors", "Visits", "Visites", "Besuche", "Visiteurs"])
def test_source_tables_without_a_medium(header: str, values: list[str], count: str) -> None:
    guess = guess_roles(pl.DataFrame({header: values, count: list(range(len(values), 0, -1))}))
    assert guess.roles == {header: "source", count: "count"}
    assert guess.kind == "traffic_by_source_medium"


def test_a_referrer_column_of_urls_stays_a_referrer() -> None:
    guess = guess_roles(pl.DataFrame({"Referrers": ["https://www.google.com/", "https://t.co/x"],
                                      "Visitors": [3, 2]}))
    assert guess.roles["Referrers"] == "referrer"


def test_source_headers_need_an_aggregated_table_and_name_needs_source_values() -> None:
    # a "Website" column of a survey is a survey answer, not where visits come from
    survey = pl.DataFrame({"Segment": ["Les convaincues", "Les attentistes", "Les attentistes"],
                           "Website": ["acme.fr", "shop.example.com", "blog.example.org"]})
    assert guess_roles(survey).roles["Website"] != "source"
    products = pl.DataFrame({"name": ["Chaussures", "Chemises", "Pantalons"], "Visitors": [3, 2, 1]})
    assert guess_roles(products).roles["name"] == "dimension"


def test_one_main_count_sessions_then_visits_then_visitors_then_users() -> None:
    columns = {"Users": [1, 2], "Visitors": [3, 4], "Visits": [5, 6], "Sessions": [7, 8]}
    label = {"x": ["a", "b"]}
    for names, expected in ((["Users", "Visitors", "Visits", "Sessions"], "Sessions"),
                            (["Users", "Visitors", "Visits"], "Visits"),
                            (["Users", "Visitors"], "Visitors"),
                            (["Eindeutige Besucher", "Besuche"], "Besuche")):
        frame = pl.DataFrame({**label, **{n: columns.get(n, [1, 2]) for n in names}})
        guess = guess_roles(frame)
        assert guess.column_for("count") == expected
        assert [c for c, r in guess.roles.items() if r == "measure"] == [n for n in names if n != expected]


def test_german_matomo_channel_type_table() -> None:
    header = ["Kanaltyp", "Eindeutige Besucher", "Besuche", "Aktionen", "Absprungrate"]
    rows = [("Direkte Zugriffe", 900, 1000, 2000, 45.0), ("Suchmaschinen", 1800, 2000, 5000, 40.0),
            ("Websites", 400, 500, 700, 30.0), ("Soziale Netzwerke", 250, 300, 400, 60.0),
            ("Kampagnen", 80, 100, 150, 20.0), ("KI-Assistenten", 40, 50, 70, 10.0)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.kind == "traffic_by_channel"
    assert guess.roles == {"Kanaltyp": "channel", "Eindeutige Besucher": "measure", "Besuche": "count",
                           "Aktionen": "measure", "Absprungrate": "measure"}
    for name in ("Verweistyp", "Verweisart", "Kanal"):
        assert guess_roles(pl.DataFrame({name: ["x", "y"]})).roles[name] == "channel"
    # the German labels alone, under a header that says nothing, make a channel column
    assert guess_roles(frame_of(["Typ", "Besuche"], [(r[0], r[2]) for r in rows])).roles["Typ"] == "channel"


@pytest.mark.parametrize(("header", "labels"), [
    ("Origine des visites", ["Moteurs de recherche", "Liens externes et réseaux sociaux", "Accès direct"]),
    ("bucket", ["search", "external", "direct"]),  # data/reference_origins.csv
    ("Canal", ["Moteurs de recherche", "Réseaux sociaux et liens", "Accès directs"]),
    ("Provenance", ["Search engines", "External links", "Direct access"]),
])
def test_the_article_origin_table_in_other_words_has_a_channel_column(header: str, labels: list[str]) -> None:
    guess = guess_roles(pl.DataFrame({header: labels, "Part des visites": [29.0, 40.0, 31.0]}))
    assert guess.roles == {header: "channel", "Part des visites": "share"}
    assert guess.kind == "survey_table"


SEGMENTS_EN = ["Newcomers", "Convinced", "Adapters", "Dissatisfied", "Wait-and-see"]


@pytest.mark.parametrize("header", ["Nombre d'entreprises", "Entreprises", "Companies", "Number of companies",
                                    "Effectif", "Nb", "Total", "Nombre"])
def test_everyday_count_headers_of_an_aggregated_table(header: str) -> None:
    # FACTS.md §1 as whole counts of 400: 24 / 31 / 42 / 84 / 219
    guess = guess_roles(pl.DataFrame({"Segment": SEGMENTS_EN, header: [24, 31, 42, 84, 219]}))
    assert guess.roles == {"Segment": "segment", header: "count"}
    assert guess.kind == "survey_table"


@pytest.mark.parametrize("header", ["Total", "Nombre d'entreprises", "Effectif", "Nb"])
def test_everyday_count_headers_of_respondent_level_data_are_measures(header: str) -> None:
    rng = random.Random(5)
    with_id = pl.DataFrame({"Répondant": [f"R{i}" for i in range(40)],
                            "Segment": [rng.choice(SEGMENTS_EN) for _ in range(40)],
                            header: [rng.randint(1, 50) for _ in range(40)]})
    guess = guess_roles(with_id)
    assert guess.roles[header] == "measure" and guess.kind == "survey"
    # no id, but segments repeat: respondents all the same
    guess = guess_roles(with_id.drop("Répondant"))
    assert guess.roles[header] == "measure" and guess.kind == "survey"
    assert "respondents" in str(guess.reasons[header])
    # a timestamp differs on every row while the segment repeats
    stamped = with_id.drop("Répondant").with_columns(
        pl.Series("Horodateur", [f"2025/03/{i % 28 + 1:02d} 10:{i:02d}:00" for i in range(40)]))
    assert guess_roles(stamped).roles[header] == "measure"


@pytest.mark.parametrize("header", ["Horodateur", "Timestamp", "Horodatage", "Submitted at", "Date de soumission",
                                    "Submit Date (UTC)"])
def test_survey_tools_answer_times_are_dates_even_as_text(header: str) -> None:
    rng = random.Random(2)
    survey = pl.DataFrame({header: [f"2025/03/01 10:{i:02d}:00 UTC+1" for i in range(30)],
                           "Segment": [rng.choice(SEGMENTS_EN) for _ in range(30)]})
    guess = guess_roles(survey)
    assert guess.roles == {header: "date", "Segment": "segment"}
    assert guess.kind == "survey"


def test_redcap_record_id_survey_time_and_email_by_what_redcap_writes() -> None:
    # the record id is REDCap's first column whatever the project named it; the first survey's
    # timestamp is the answer time, the others and the status columns are the tool's; an e-mail field is contact data
    survey = pl.DataFrame({"participant_id": [1, 2, 3], "intake_timestamp": ["2025-03-01 10:00:00"] * 3,
                           "email": ["a@example.org", "", "c@example.org"], "size": [1, 2, 1],
                           "intake_complete": [2, 2, 0], "follow_up_timestamp": ["", "2025-04-01 10:00:00", ""]})
    metadata = ["participant_id", "intake_timestamp", "email", "intake_complete", "follow_up_timestamp"]
    guess = guess_roles(survey, tool="redcap", metadata=metadata)
    assert guess.roles == {"participant_id": "id", "intake_timestamp": "date", "email": "ignore", "size": "dimension",
                           "intake_complete": "ignore", "follow_up_timestamp": "ignore"}
    assert guess.kind == "survey"
    assert "contact" in str(guess.reasons["email"]) and "record id" in str(guess.reasons["participant_id"])


def test_the_submission_time_beats_the_start_time_which_beats_the_end_time() -> None:
    times = ["2025-03-01 10:00:00", "2025-03-01 10:05:00"]
    typeform = guess_roles(pl.DataFrame({"Start Date (UTC)": times, "Submit Date (UTC)": times}))
    assert typeform.roles == {"Start Date (UTC)": "dimension", "Submit Date (UTC)": "date"}
    monkey = guess_roles(pl.DataFrame({"End Date": times, "Start Date": times}))
    assert monkey.roles == {"End Date": "dimension", "Start Date": "date"}


def test_ga4_device_export_gives_device_and_sessions() -> None:
    header = ["Catégorie d'appareil", "Utilisateurs actifs", "Sessions", "Sessions avec engagement"]
    rows = [("desktop", 5800, 6000, 3000), ("mobile", 3200, 3500, 1500), ("tablet", 1000, 1100, 500),
            ("smart tv", 5, 7, 1)]
    guess = guess_roles(frame_of(header, rows))
    assert guess.roles == {"Catégorie d'appareil": "device", "Utilisateurs actifs": "measure",
                           "Sessions": "count", "Sessions avec engagement": "measure"}
    # a device split of sessions, shown on the channels page without channels
    assert guess.kind == "traffic_by_device"


def test_a_source_header_over_channel_names_is_a_channel() -> None:
    # FACTS.md §2 typed under the header a French user may give it
    frame = pl.DataFrame({"Source du trafic": ["Moteurs de recherche", "Liens externes", "Accès directs"],
                          "Part": [29.0, 40.0, 31.0]})
    guess = guess_roles(frame)
    assert guess.roles == {"Source du trafic": "channel", "Part": "share"}
    # GA4's own source column keeps its role, "(direct)" and all
    ga4 = pl.DataFrame({"Session source": ["google", "(direct)", "facebook.com"], "Sessions": [5, 3, 2]})
    assert guess_roles(ga4).roles["Session source"] == "source"


def test_option_columns_of_one_question_may_be_empty_even_all_of_them():
    def infos(*names: str) -> list[ColumnInfo]:
        return [ColumnInfo(n, "QID1", "Which foods?", n.upper()) for n in names]

    frame = pl.DataFrame({"ramen": ["1", None, "1"], "gyros": [None, None, None], "pizza": [None, "1", None],
                          "tacos": [None, None, None], "salad": [None, None, None]},
                         schema={c: pl.String for c in ("ramen", "gyros", "pizza", "tacos", "salad")})
    guess = guess_roles(frame, columns=infos("ramen", "gyros", "pizza"), tool="qualtrics")
    assert [guess.roles[c] for c in ("ramen", "gyros", "pizza")] == ["option"] * 3
    # a question nobody answered: the header names its options, so it stays one question (base 0)
    guess = guess_roles(frame, columns=infos("tacos", "salad"), tool="qualtrics")
    assert guess.roles["tacos"] == "option" and guess.roles["salad"] == "option"
    assert guess.groups["tacos"] == guess.groups["salad"]


def test_a_question_spread_over_columns_is_named_by_their_shared_stem_when_no_other_takes_it():
    frame = pl.DataFrame({c: ["1", None] for c in ("Q1_1", "Q1_2", "Q2_1", "Q2_2", "x_1", "y_2")})
    columns = [ColumnInfo(c, qid, "Which?", c[-1]) for c, qid in (
        ("Q1_1", "QID1"), ("Q1_2", "QID1"), ("Q2_1", "QID2"), ("Q2_2", "QID2"), ("x_1", "QID9"), ("y_2", "QID9"))]
    guess = guess_roles(frame, columns=columns, tool="qualtrics")
    assert guess.groups == {"Q1_1": "Q1", "Q1_2": "Q1", "Q2_1": "Q2", "Q2_2": "Q2", "x_1": "QID9", "y_2": "QID9"}
    # two questions whose columns share one stem keep their ids
    renamed = frame.rename({"Q2_1": "Q1_3", "Q2_2": "Q1_4"})
    columns = [ColumnInfo(n, qid, "Which?", n[-1]) for n, qid in
               (("Q1_1", "QID1"), ("Q1_2", "QID1"), ("Q1_3", "QID2"), ("Q1_4", "QID2"))]
    guess = guess_roles(renamed, columns=columns, tool="qualtrics")
    assert set(guess.groups.values()) == {"QID1", "QID2"}
