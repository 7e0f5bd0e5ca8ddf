from digistrat.i18n import format_number, format_percent, label, language_from_locale


def test_percentages_follow_the_language_and_keep_published_precision():
    assert format_percent(54.75, "en") == "54.75%"
    assert format_percent(54.75, "fr") == "54,75\u202f%"
    assert format_percent(6.0, "fr") == "6\u202f%"
    assert format_percent(10.5, "en") == "10.5%"
    assert format_percent(33.3333, "en", 1) == "33.3%"


def test_numbers_use_the_language_thousands_mark():
    assert format_number(1700, "en") == "1,700"
    assert format_number(1700, "fr") == "1\u202f700"
    assert format_number(1234.5, "fr", 1) == "1\u202f234,5"


def test_labels_exist_in_both_languages_and_fill_fields():
    assert label("bucket.search", "fr") == "Moteurs de recherche"
    assert label("bucket.search", "en") == "Search engines"
    assert label("filters.count", "en", n="3", total="4") == "n = 3 of 4 respondents"


def test_browser_locale_picks_the_language():
    assert language_from_locale("fr-CA") == "fr"
    assert language_from_locale("en-GB") == "en"
    assert language_from_locale("de-DE") == "en"
    assert language_from_locale(None) == "en"
