"""The one label catalog (French and English) and language-aware number formatting."""

from __future__ import annotations

import math

LANGUAGES: tuple[str, ...] = ("fr", "en")
DEFAULT_LANGUAGE = "en"

# key -> (English, French)
_CATALOG: dict[str, tuple[str, str]] = {
    # channels (GA4 default channel group, plus the project's own additions)
    "channel.direct": ("Direct", "Accès direct"),
    "channel.cross_network": ("Cross-network", "Multiréseau"),
    "channel.paid_shopping": ("Paid Shopping", "Shopping payant"),
    "channel.paid_search": ("Paid Search", "Recherche payante"),
    "channel.paid_social": ("Paid Social", "Réseaux sociaux payants"),
    "channel.paid_video": ("Paid Video", "Vidéo payante"),
    "channel.display": ("Display", "Display"),
    "channel.paid_other": ("Paid Other", "Autre payant"),
    "channel.organic_shopping": ("Organic Shopping", "Shopping naturel"),
    "channel.organic_social": ("Organic Social", "Réseaux sociaux naturels"),
    "channel.organic_video": ("Organic Video", "Vidéo naturelle"),
    "channel.organic_search": ("Organic Search", "Recherche naturelle"),
    "channel.referral": ("Referral", "Sites référents"),
    "channel.email": ("Email", "E-mail"),
    "channel.affiliates": ("Affiliates", "Affiliation"),
    "channel.audio": ("Audio", "Audio"),
    "channel.sms": ("SMS", "SMS"),
    "channel.mobile_push_notifications": ("Mobile Push Notifications", "Notifications push mobiles"),
    "channel.unassigned": ("Unassigned", "Non attribué"),
    "channel.ai_assistants": ("AI assistants", "Assistants IA"),
    "channel.campaigns": ("Campaigns", "Campagnes"),
    # the article's three buckets
    "bucket.search": ("Search engines", "Moteurs de recherche"),
    "bucket.external": ("External links (social media)", "Liens externes (médias sociaux)"),
    "bucket.direct": ("Direct access", "Accès directs"),
    "bucket.unassigned": ("Unassigned", "Non attribué"),
    # push / pull
    "strategy.push": ("Push", "Push"),
    "strategy.pull": ("Pull", "Pull"),
    # devices
    "device.desktop": ("Computer", "Ordinateur"),
    "device.mobile": ("Mobile", "Mobile"),
    "device.tablet": ("Tablet", "Tablette"),
    "device.other": ("Other", "Autre"),
}


def label(key: str, lang: str) -> str:
    """The label of a catalog key in `lang`; the key itself if the catalog lacks it."""
    pair = _CATALOG.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "fr" else pair[0]


def catalog_keys() -> tuple[str, ...]:
    return tuple(_CATALOG)


def format_number(value: float, lang: str, decimals: int = 0) -> str:
    """1234.5 -> '1,234.5' (en) or '1 234,5' (fr, narrow no-break space as thousands mark)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_percent(value: float, lang: str, decimals: int = 1) -> str:
    """A percentage given in points (54.75) -> '54.75%' (en) or '54,75 %' (fr)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = format_number(value, lang, decimals)
    return f"{number}\u202f%" if lang == "fr" else f"{number}%"
