"""Exports a QA pass tried, end to end: file bytes -> datasets.load_bytes -> traffic.channel_mix.

Each file is written here the way the tool writes it (Plausible and Umami CSV, Matomo's
UTF-16 TSV, French Excel's Windows-1252 with ';'). Expected sessions are summed by hand from
the rows typed in each test, with GA4's rules: a search engine is organic search, a site in
GA4's social list is organic social, another site is a referral, "Direct / None" is direct.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from digistrat import datasets, traffic
from digistrat.channels import ChannelSettings
from digistrat.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data"


def utf16_tsv(lines: list[str]) -> bytes:
    """Matomo's 'TSV (Excel)' export: UTF-16 little-endian with a byte-order mark, CRLF."""
    return "\ufeff".encode("utf-16-le") + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def sessions(mix: traffic.ChannelMix, what: str = "channels") -> dict[str, float]:
    frame = getattr(mix, what)
    return dict(zip(frame["key"].to_list(), frame["sessions"].to_list()))


def mix_of(data: bytes, name: str, settings: ChannelSettings = ChannelSettings()) -> tuple[datasets.Dataset, traffic.ChannelMix]:
    dataset = datasets.load_bytes(data, name)
    return dataset, traffic.channel_mix(dataset, settings)


# ---- sources without a medium ---------------------------------------------------------------


def test_plausible_sources_from_its_dashboard():
    data = b"Source,Visitors\nDirect / None,500\nGoogle,400\nFacebook,100\nDuckDuckGo,20\n"
    dataset, mix = mix_of(data, "plausible_ui.csv")
    assert dataset.kind == "traffic_by_source_medium"
    assert mix.sessions == 500 + 400 + 100 + 20 == 1020
    assert sessions(mix) == {"direct": 500, "organic_social": 100, "organic_search": 400 + 20}
    assert sessions(mix, "buckets") == {"search": 420, "external": 100, "direct": 500}


def test_plausible_sources_csv_export():
    data = (b"name,visitors,bounce_rate,visit_duration\nDirect / None,500,60,30\nGoogle,400,40,60\n"
            b"Facebook,100,70,20\nTwitter,50,75,10\nchatgpt.com,30,20,90\nBing,20,45,50\n"
            b"lemonde.fr,10,30,100\nNewsletter,5,10,100\n")
    _, mix = mix_of(data, "plausible.csv")
    assert mix.sessions == 1115
    # chatgpt.com is a referral in strict GA4; "Newsletter" (a utm_source alone) is no known source
    assert sessions(mix) == {"direct": 500, "organic_social": 100 + 50, "organic_search": 400 + 20,
                             "referral": 30 + 10, "unassigned": 5}
    assert mix.unmatched["source"].to_list() == ["Newsletter"]
    _, with_ai = mix_of(data, "plausible.csv", ChannelSettings(ai_channel=True))
    assert sessions(with_ai)["ai_assistants"] == 30 and sessions(with_ai)["referral"] == 10


# Plausible's raw sessions (its ClickHouse dump, `fixture/markosaric_com_sessions_v2_…_dump.csv` in
# plausible/analytics): the header as it is; the rows composed in its shapes. `referrer` holds
# host names, an empty one for a direct visit; `entry_page` holds paths.
PLAUSIBLE_SESSIONS_HEADER = (
    '"session_id","sign","site_id","user_id","hostname","timestamp","start","is_bounce","entry_page",'
    '"exit_page","pageviews","events","duration","referrer","referrer_source","country_code","screen_size",'
    '"operating_system","browser","utm_medium","utm_source","utm_campaign","browser_version",'
    '"operating_system_version","subdivision1_code","subdivision2_code","city_geoname_id","utm_content",'
    '"utm_term","transferred_from","entry_meta.key","entry_meta.value","exit_page_hostname"'
)


def plausible_session(number: int, referrer: str, source: str, screen: str, page: str) -> str:
    return (f'{13227131451727599711 + number},1,2,{586265022800510758 + number},"markosaric.com",'
            f'"2024-04-{1 + number % 28:02d} 22:37:14","2024-04-{1 + number % 28:02d} 22:10:57",0,"{page}","{page}",'
            f'2,2,1577,"{referrer}","{source}","US","{screen}","Mac","Chrome","","","","123.0","10.15","US-CA","",'
            f'5368361,"","","","[\'author\']","[\'Marko Saric\']",""')


def test_plausible_raw_sessions_read_the_referrer_and_an_empty_one_is_direct():
    visits = ([("google.com", "Google", "Desktop")] * 5 + [("duckduckgo.com", "DuckDuckGo", "Mobile")] * 2
              + [("", "", "Desktop")] * 4 + [("news.ycombinator.com", "Hacker News", "Tablet")]
              + [("lemonde.fr", "lemonde.fr", "Mobile")] * 3)
    lines = [PLAUSIBLE_SESSIONS_HEADER] + [plausible_session(i, *visit, page=f"/post-{i % 4}/")
                                           for i, visit in enumerate(visits)]
    dataset, mix = mix_of(("\n".join(lines) + "\n").encode(), "sessions_dump.csv")
    assert dataset.roles.column_for("referrer") == "referrer"
    assert mix.sessions == len(visits) == 15
    # news.ycombinator.com is in GA4's social list; lemonde.fr is a referral
    assert sessions(mix) == {"organic_search": 5 + 2, "direct": 4, "organic_social": 1, "referral": 3}
    assert sessions(mix, "devices") == {"desktop": 5 + 4, "mobile": 2 + 3, "tablet": 1}


def matomo_scheduled_report() -> bytes:
    """Matomo's scheduled e-mail report as CSV (layout of matomo-org/matomo's system-test
    expectation `…_scheduled_report_in_csv__ScheduledReports.generateReport_month.original.csv`):
    each table's title on a line of its own, then its header, tables apart by a blank line, an
    empty report written "No data available". The figures are composed."""
    return "\n".join([
        "All Websites dashboard",
        "label,nb_visits,nb_actions,nb_pageviews,revenue,visits_evolution",
        "Site 1,40,120,110,$ 0,100%",
        "",
        "Custom Variables",
        "No data available",
        "",
        "Device type",
        "label,nb_visits,nb_actions,nb_actions_per_visit,avg_time_on_site,bounce_rate,revenue",
        "Desktop,25,80,3.2,00:05:01,20%,$ 0",
        "Smartphone,15,40,2.7,00:03:12,40%,$ 0",
        "",
        "Referrer Type",
        "label,nb_visits,nb_actions,nb_actions_per_visit,avg_time_on_site,bounce_rate,revenue",
        "Search Engines,18,50,2.8,00:04:00,30%,$ 0",
        "Websites,12,40,3.3,00:06:00,25%,$ 0",
        "Direct Entry,10,30,3,00:02:00,50%,$ 0",
        "",
        "Social Networks",
        "No data available",
        "",
    ]).encode()


def test_a_matomo_scheduled_report_splits_into_its_titled_tables():
    data = matomo_scheduled_report()
    dataset = datasets.load_bytes(data, "report_month.csv")
    tables = dataset.read.tables
    assert [(t.title, t.rows) for t in tables] == [
        ("All Websites dashboard", 1), ("Custom Variables", 0), ("Device type", 2), ("Referrer Type", 3),
        ("Social Networks", 0)]
    assert tables[2].columns[:2] == ("label", "nb_visits")
    # table 0 gives no channels: the refusal names the one that does, by its title
    with pytest.raises(InputError) as refused:
        traffic.channel_mix(dataset)
    assert "table 3 has one" in str(refused.value)
    referrers = datasets.load_bytes(data, "report_month.csv", datasets.LoadSettings(table=3))
    mix = traffic.channel_mix(referrers)
    assert mix.sessions == 18 + 12 + 10
    assert sessions(mix, "buckets") == {"search": 18, "external": 12, "direct": 10}


def test_umami_referrers():
    data = (b"Referrers,Visitors\ngoogle.com,400\nwww.facebook.com,100\nt.co,50\n"
            b"news.ycombinator.com,25\nchatgpt.com,10\n")
    _, mix = mix_of(data, "umami.csv")
    # t.co is Twitter's; news.ycombinator.com is social in GA4's source categories
    assert sessions(mix) == {"organic_social": 100 + 50 + 25, "organic_search": 400, "referral": 10}


def test_matomo_websites_report():
    data = utf16_tsv(["Website\tUnique visitors\tVisits\tActions", "lemonde.fr\t10\t12\t20",
                      "partner.example.com\t5\t6\t9", "news.ycombinator.com\t3\t4\t4"])
    dataset, mix = mix_of(data, "websites.tsv")
    assert dataset.roles.column_for("source") == "Website" and dataset.roles.column_for("count") == "Visits"
    assert sessions(mix) == {"organic_social": 4, "referral": 12 + 6}


def test_matomo_social_networks_report():
    data = utf16_tsv(["Social Network\tUnique visitors\tVisits\tActions", "Facebook\t10\t12\t20",
                      "LinkedIn\t5\t6\t9", "Twitter\t3\t4\t4", "YouTube\t2\t2\t2", "Réseau Inconnu\t1\t1\t1"])
    _, mix = mix_of(data, "socials.tsv")
    assert sessions(mix) == {"organic_social": 12 + 6 + 4 + 2 + 1}


def test_matomo_french_search_engines_report():
    data = utf16_tsv(["Moteur de recherche\tVisiteurs uniques\tVisites", "Google\t100\t120", "Bing\t10\t12",
                      "DuckDuckGo\t5\t6", "Qwant\t3\t4", "Ecosia\t1\t1", "Moteur Inconnu\t1\t2"])
    _, mix = mix_of(data, "moteurs.tsv")
    assert sessions(mix) == {"organic_search": 120 + 12 + 6 + 4 + 1 + 2}
    assert sessions(mix, "buckets") == {"search": 145}


def test_a_medium_column_with_values_keeps_ga4s_unassigned_for_empty_rows():
    data = b"Source,Medium,Sessions\ngoogle,organic,10\nlemonde.fr,,3\nnewsletter,email,2\n"
    _, mix = mix_of(data, "source_medium.csv")
    assert sessions(mix) == {"organic_search": 10, "email": 2, "unassigned": 3}


# ---- German Matomo ----------------------------------------------------------------------------


def test_german_matomo_channel_types_utf16():
    data = utf16_tsv([
        "Kanaltyp\tEindeutige Besucher\tBesuche\tAktionen\tAbsprungrate",
        "Direkte Zugriffe\t900\t1000\t2000\t45 %", "Suchmaschinen\t1800\t2000\t5000\t40 %",
        "Websites\t400\t500\t700\t30 %", "Soziale Netzwerke\t250\t300\t400\t60 %",
        "Kampagnen\t80\t100\t150\t20 %", "KI-Assistenten\t40\t50\t70\t10 %",
    ])
    dataset, mix = mix_of(data, "matomo_de.tsv")
    assert dataset.kind == "traffic_by_channel"
    assert dataset.roles.column_for("channel") == "Kanaltyp" and dataset.roles.column_for("count") == "Besuche"
    assert sessions(mix) == {"direct": 1000, "organic_search": 2000, "referral": 500, "organic_social": 300,
                             "campaigns": 100, "ai_assistants": 50}
    assert sessions(mix, "buckets") == {"search": 2000, "external": 500 + 300 + 100 + 50, "direct": 1000}


# ---- the article's origins table in other words ----------------------------------------------

ARTICLE_BUCKETS = {"search": 29.0, "external": 40.0, "direct": 31.0}  # FACTS.md §2


def test_french_origins_table_from_excel():
    text = ("Origine des visites;Part des visites\r\nMoteurs de recherche;29 %\r\n"
            "Liens externes et réseaux sociaux;40 %\r\nAccès direct;31 %\r\n")
    dataset, mix = mix_of(text.encode("cp1252"), "origines.csv")
    assert dataset.roles.column_for("channel") == "Origine des visites"
    assert sessions(mix, "buckets") == ARTICLE_BUCKETS


def test_the_bundled_reference_origins_file_gives_the_article_buckets():
    dataset, mix = mix_of((DATA / "reference_origins.csv").read_bytes(), "reference_origins.csv")
    assert dataset.roles.roles == {"bucket": "channel", "share": "share"}
    assert sessions(mix, "buckets") == ARTICLE_BUCKETS


@pytest.mark.parametrize("external", ["Liens externes", "Réseaux sociaux et liens", "external",
                                      "Liens externes (médias sociaux)", "External links and social media"])
def test_bucket_names_in_other_words(external):
    data = f"bucket,share\nsearch,29\n{external},40\ndirect,31\n".encode()
    _, mix = mix_of(data, "buckets.csv")
    assert sessions(mix, "buckets") == ARTICLE_BUCKETS


# ---- counts with everyday headers, survey dates, device-only exports -------------------------


@pytest.mark.parametrize(("header", "separator"), [("Companies", ","), ("Nombre d'entreprises", ";"),
                                                   ("Effectif", ";"), ("Total", ",")])
def test_segment_counts_with_everyday_headers(header, separator):
    # FACTS.md §1 as whole counts of 400: 24 / 31 / 42 / 84 / 219
    rows = [("Newcomers", 24), ("Convinced", 31), ("Adapters", 42), ("Dissatisfied", 84), ("Wait-and-see", 219)]
    text = f"Segment{separator}{header}\n" + "".join(f"{s}{separator}{n}\n" for s, n in rows)
    dataset = datasets.load_bytes(text.encode(), "segments.csv")
    assert dataset.kind == "survey_table"
    assert dataset.roles.column_for("count") == header
    total = dataset.frame[header].sum()
    assert total == 400
    assert dataset.frame.filter(dataset.frame["segment"] == "wait_and_see")[header].item() / total == 0.5475


def test_google_forms_timestamp_is_the_date_not_an_id():
    lines = ["Horodateur,Adresse e-mail,Comment décririez-vous votre satisfaction ?,Taille de l'entreprise"]
    segments = ["Nouveau venu", "Convaincu", "Attentiste", "Insatisfait", "Adaptateur"]
    lines += [f"2025/03/{i + 1:02d} 10:{i:02d}:00 UTC+1,p{i}@ex.fr,{segments[i % 5]},1-9" for i in range(20)]
    dataset = datasets.load_bytes("\n".join(lines).encode(), "google_forms.csv")
    assert dataset.kind == "survey"
    assert dataset.roles.column_for("date") == "Horodateur"
    assert dataset.roles.roles["Horodateur"] != "id"
    assert dataset.frame["segment"].value_counts().sort("segment")["count"].to_list() == [4] * 5


GA4_DEVICE = """# ----------------------------------------
# Acquisition de trafic : Groupe de canaux principal de la session (Groupe de canaux par défaut)
# Propriété : www.atelier-exemple.fr
# ----------------------------------------
Catégorie d'appareil,Utilisateurs actifs,Sessions,Sessions avec engagement
desktop,5800,6000,3000
mobile,3200,3500,1500
tablet,1000,1100,500
smart tv,5,7,1
"""


def test_ga4_device_export_gives_the_device_split_without_channels():
    dataset = datasets.load_bytes(GA4_DEVICE.encode(), "ga4_device.csv")
    assert dataset.roles.column_for("device") == "Catégorie d'appareil"
    assert dataset.roles.column_for("count") == "Sessions"
    assert dataset.kind == "traffic_by_device"
    mix = traffic.channel_mix(dataset)
    # "smart tv" is none of desktop / mobile / tablet: other
    assert sessions(mix, "devices") == {"desktop": 6000, "mobile": 3500, "tablet": 1100, "other": 7}
    assert mix.sessions == 6000 + 3500 + 1100 + 7
    assert mix.channels.is_empty() and mix.buckets.is_empty() and mix.unmatched.is_empty()


GA4_LANDING = """# ----------------------------------------
# Traffic acquisition: Session source / medium
# Property: www.demo.com
# ----------------------------------------
Landing page + query string,Sessions,Active users
/,500,400
/contact,100,90
(not set),5,5
"""


def test_ga4_landing_page_report_is_refused_not_called_direct():
    dataset = datasets.load_bytes(GA4_LANDING.encode(), "ga4_landing.csv")
    assert dataset.roles.column_for("landing_page") == "Landing page + query string"
    with pytest.raises(InputError, match="no channel, source / medium or referrer column"):
        traffic.channel_mix(dataset)


def test_ga4_landing_page_report_with_one_tagged_page_calls_the_rest_unknown():
    data = GA4_LANDING.replace("(not set),5,5", "/?utm_source=x,10,10\n(not set),5,5").encode()
    _, mix = mix_of(data, "ga4_landing.csv")
    # utm_source without utm_medium is Unassigned in GA4 too: nothing here is Direct
    assert sessions(mix) == {"unassigned": 500 + 100 + 10 + 5}


def test_segment_tables_count_their_count_or_share_column():
    shares_only = "Segment;Part\nNouveaux venus;6 %\nConvaincus;7,75 %\nAdaptateurs;10,5 %\nInsatisfaits;21 %\nAttentistes;54,75 %\n"
    table = datasets.segment_shares(datasets.load_bytes(shares_only.encode(), "segments_fr.csv"))
    assert table.base is None and table.rows["count"].null_count() == 5
    assert table.rows["share"].to_list() == pytest.approx([0.06, 0.0775, 0.105, 0.21, 0.5475])
