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
    # application
    "app.title": ("digistrat — digital strategy explorer", "digistrat — explorer la stratégie digitale"),
    "app.language": ("Language", "Langue"),
    "lang.en": ("English", "English"),
    "lang.fr": ("Français", "Français"),
    "page.overview": ("Reference study", "Étude de référence"),
    "page.segments": ("Segments", "Segments"),
    "page.channels": ("Channels", "Canaux"),
    "overview.intro": (
        "A study of 1,700 North American companies split into five segments by how satisfied they are with "
        "the return of their social-media marketing, and where French companies' web visits come from. "
        "Explore the figures as published, then filter the illustrative samples or compare your own data.",
        "Une étude de 1 700 entreprises nord-américaines réparties en cinq segments selon leur satisfaction "
        "quant au retour de leur marketing sur les médias sociaux, et l'origine des visites des sites "
        "d'entreprises françaises. Explorez les chiffres tels que publiés, puis filtrez les échantillons "
        "illustratifs ou comparez vos propres données.",
    ),
    "overview.segments_heading": ("Five segments of companies", "Cinq segments d'entreprises"),
    "overview.traffic_heading": ("Where visits come from, on which device", "D'où viennent les visites, sur quel appareil"),
    "overview.push_pull": (
        "Push: commercial marketing that sends one message to a broad target (ads, mailing, e-mailing). "
        "Pull: social / inbound marketing that answers precise questions (search, social media, the site itself).",
        "Push : marketing commercial qui envoie un message à une cible large (publicité, mailing, e-mailing). "
        "Pull : marketing social / inbound qui répond à des questions précises (référencement, médias sociaux, le site lui-même).",
    ),
    "source.line": ("Source: {source}", "Source : {source}"),
    "source.population": ("Population: {population}", "Population : {population}"),
    "source.published_n": ("Published base: {n}", "Base publiée : {n}"),
    "source.date": ("Date: {date}", "Date : {date}"),
    "source.caveats": ("Caveats", "Précautions"),
    "column.segment": ("Segment", "Segment"),
    "column.description": ("What defines them", "Ce qui les caractérise"),
    "column.share": ("Share", "Part"),
    "column.interval": ("95 % interval", "Intervalle à 95 %"),
    "column.base": ("Base (n)", "Base (n)"),
    "column.channel": ("Channel", "Canal"),
    "column.device": ("Device", "Appareil"),
    "column.sessions": ("Sessions", "Visites"),
    "column.reference": ("Reference", "Référence"),
    "column.company_size": ("Company size", "Taille d'entreprise"),
    "column.sector": ("Sector", "Secteur d'activité"),
    "column.country": ("Country", "Pays"),
    "column.tools_used": ("Social tools used", "Outils sociaux utilisés"),
    "column.option": ("Option", "Option"),
    "series.reference": ("Reference study", "Étude de référence"),
    "series.data": ("This dataset", "Ce jeu de données"),
    "sample.illustrative": (
        "Illustrative, synthetic data: {title}. Only the published shares come from the study.",
        "Données illustratives, synthétiques : {title}. Seules les parts publiées viennent de l'étude.",
    ),
    "filters.heading": ("Filters", "Filtres"),
    "filters.segments": ("Segments", "Segments"),
    "filters.clear": ("Clear all filters", "Effacer tous les filtres"),
    "filters.any": ("All", "Tous"),
    "filters.count": ("n = {n} of {total} respondents", "n = {n} sur {total} répondants"),
    "filters.empty": (
        "No respondent matches these filters. Remove a filter or clear them all.",
        "Aucun répondant ne correspond à ces filtres. Retirez un filtre ou effacez-les tous.",
    ),
    "segments.chart": ("Share of each segment", "Part de chaque segment"),
    "segments.chart_help": (
        "Click a segment to focus the other charts on it; click it again to show all segments.",
        "Cliquez sur un segment pour y restreindre les autres graphiques ; cliquez à nouveau pour tout afficher.",
    ),
    "segments.focus": ("Focus: {segment}", "Sélection : {segment}"),
    "segments.all": ("all segments", "tous les segments"),
    "segments.weighted": (
        "Weighted shares (weight column: {weight}); effective base {n_eff}.",
        "Parts pondérées (colonne de poids : {weight}) ; base effective {n_eff}.",
    ),
    "segments.size_chart": ("Company size — {focus}", "Taille d'entreprise — {focus}"),
    "segments.tools_chart": ("Social tools used — {focus}", "Outils sociaux utilisés — {focus}"),
    "segments.tools_base": (
        "Share of respondents who answered (base {n}); several answers possible.",
        "Part des répondants ayant répondu (base {n}) ; plusieurs réponses possibles.",
    ),
    "segments.origins_chart": ("Visit origins of these companies — {focus}", "Origine des visites de ces entreprises — {focus}"),
    "segments.origins_note": (
        "Mean of each company's own shares, next to the estatweb reference.",
        "Moyenne des parts propres à chaque entreprise, à côté de la référence estatweb.",
    ),
    "channels.buckets_chart": ("Where visits come from", "D'où viennent les visites"),
    "channels.devices_chart": ("Devices", "Appareils"),
    "channels.total": ("{n} sessions", "{n} visites"),
    "channels.settings": ("Classification settings", "Réglages de classement"),
    "channels.own_domains": ("Your own domains (one per line)", "Vos propres domaines (un par ligne)"),
    "channels.own_domains_help": (
        "Visits referred by these sites count as direct, not as referrals.",
        "Les visites venant de ces sites comptent comme accès directs, pas comme sites référents.",
    ),
    "channels.ai": ("Separate AI assistants channel", "Canal séparé pour les assistants IA"),
    "channels.detail": ("Detailed channels", "Canaux détaillés"),
    "channels.detail_chart": ("Channels (GA4 default channel group)", "Canaux (groupes de canaux GA4 par défaut)"),
    # --- upload and data sources (issue 3)
    # --- segments explorer (issue 4)
    # --- channels explorer (issue 5)
    "strategy.unassigned": ("Unassigned", "Non attribué"),
    "channels.mode": ("Rules", "Règles"),
    "channels.mode.strict": ("Strict GA4", "GA4 strict"),
    "channels.mode.enriched": ("Enriched", "Enrichi"),
    "channels.mode_help": (
        "Enriched also maps webmail and Android-app referrers (Gmail app → Email, Facebook app → Organic Social).",
        "Enrichi classe aussi les webmails et les applis Android référentes (appli Gmail → E-mail, appli Facebook → Réseaux sociaux naturels).",
    ),
    "channels.affiliates": ("Affiliates count as", "L'affiliation compte comme"),
    "channels.view": ("Show", "Afficher"),
    "channels.view.bucket": ("The article's three buckets", "Les trois familles de l'article"),
    "channels.view.channel": ("Detailed channels", "Canaux détaillés"),
    "channels.mix_chart": ("Channels next to the reference buckets", "Canaux à côté des familles de référence"),
    "channels.unassigned_apart": (
        "{n} sessions ({share}) are Unassigned: they are left out of these shares and listed at the bottom of the page.",
        "{n} visites ({share}) sont non attribuées : elles sont exclues de ces parts et listées en bas de page.",
    ),
    "channels.push_pull_chart": ("Push vs pull", "Push ou pull"),
    "channels.push_pull_help": (
        "Push: the company sends the message (paid, e-mail, SMS, display, campaigns). Pull: the visitor comes (organic, direct, referral, AI). Affiliates: {affiliates}.",
        "Push : l'entreprise envoie le message (payant, e-mail, SMS, display, campagnes). Pull : le visiteur vient (naturel, direct, sites référents, IA). Affiliation : {affiliates}.",
    ),
    "channels.no_device": (
        "This dataset has no device column, so there is no device chart.",
        "Ce jeu de données n'a pas de colonne d'appareil : pas de graphique des appareils.",
    ),
    "channels.heatmap_chart": ("Devices within each channel", "Appareils dans chaque canal"),
    "channels.heatmap_help": (
        "Each row adds up to 100 %: how that channel's sessions split across devices.",
        "Chaque ligne fait 100 % : la répartition des visites du canal entre appareils.",
    ),
    "channels.trend": ("Over time", "Dans le temps"),
    "channels.no_date": (
        "This dataset has no date column, so there is no trend or period comparison.",
        "Ce jeu de données n'a pas de colonne de date : pas d'évolution ni de comparaison de périodes.",
    ),
    "channels.granularity": ("Time step", "Pas de temps"),
    "channels.granularity.day": ("Day", "Jour"),
    "channels.granularity.week": ("Week", "Semaine"),
    "channels.granularity.month": ("Month", "Mois"),
    "channels.trend_chart": ("Share of sessions per period", "Part des visites par période"),
    "channels.trend_too_long": (
        "Too many points to draw at this time step; pick a longer step.",
        "Trop de points à tracer avec ce pas de temps ; choisissez un pas plus long.",
    ),
    "channels.periods": ("Compare periods", "Comparer des périodes"),
    "channels.period_mode": ("Compare", "Comparer"),
    "channels.period_mode.previous": ("This period vs the previous one", "Cette période et la précédente"),
    "channels.period_mode.ranges": ("Two chosen periods", "Deux périodes choisies"),
    "channels.period_this": ("This period", "Cette période"),
    "channels.period_first": ("First period", "Première période"),
    "channels.period_second": ("Second period", "Seconde période"),
    "channels.period_range": ("{start} – {end}", "du {start} au {end}"),
    "channels.period_previous": ("Previous period: {period}", "Période précédente : {period}"),
    "channels.period_incomplete": ("Pick a start date and an end date.", "Choisissez une date de début et une date de fin."),
    "channels.period_empty": (
        "No sessions {period}: pick another period.",
        "Aucune visite {period} : choisissez une autre période.",
    ),
    "channels.change_chart": ("Change in points: {b} vs {a}", "Évolution en points : {b} par rapport à {a}"),
    "channels.change_axis": ("Change (points)", "Évolution (points)"),
    "channels.tests_note": (
        "Two-proportion z-tests on session counts ({n} run, Benjamini–Hochberg adjusted). Sessions are not independent respondents — one visitor makes several — so treat the p-values as indicative.",
        "Tests z de deux proportions sur les nombres de visites ({n} réalisés, ajustés par Benjamini–Hochberg). Les visites ne sont pas des répondants indépendants — un visiteur en fait plusieurs — : les p-values sont indicatives.",
    ),
    "channels.datasets": ("Compare two datasets", "Comparer deux jeux de données"),
    "channels.compare_first": ("First dataset", "Premier jeu de données"),
    "channels.compare_second": ("Second dataset", "Second jeu de données"),
    "channels.compare_empty": (
        "Only one traffic dataset is available. Upload another traffic export to compare two side by side.",
        "Un seul jeu de données de trafic est disponible. Importez un autre export de trafic pour en comparer deux côte à côte.",
    ),
    "channels.compare_same": ("Pick two different datasets.", "Choisissez deux jeux de données différents."),
    "channels.compare_chart": ("Channel mix of both datasets", "Répartition des canaux des deux jeux de données"),
    "channels.unmatched": ("What the rules did not place (Unassigned)", "Ce que les règles n'ont pas classé (non attribué)"),
    "channels.unmatched_none": ("Every session was placed in a channel.", "Chaque visite a été classée dans un canal."),
    "channels.share_of": ("Share — {name}", "Part — {name}"),
    "channels.sessions_of": ("Sessions — {name}", "Visites — {name}"),
    "column.bucket": ("Bucket", "Famille"),
    "column.strategy": ("Push / pull", "Push / pull"),
    "column.source": ("Source", "Source"),
    "column.medium": ("Medium", "Support"),
    "column.campaign": ("Campaign", "Campagne"),
    "column.label": ("Label in the file", "Libellé dans le fichier"),
    "column.change": ("Change (points)", "Évolution (points)"),
    "column.p_value": ("p-value", "p-value"),
    "column.p_adjusted": ("p (BH adjusted)", "p (ajustée BH)"),
    # --- share, save, export (issue 6)
    "report.created": ("Made on {date}", "Produit le {date}"),
    "report.filters": ("Filters in force", "Filtres appliqués"),
    "report.no_filters": ("No filter: every row is counted.", "Aucun filtre : toutes les lignes sont comptées."),
    "report.sources": ("Data sources", "Sources des données"),
    "report.methods": ("Methods, in plain words", "Méthodes, en clair"),
    "report.footer": (
        "Made with digistrat. Figures are rounded; bases are the number of answers behind each figure.",
        "Produit avec digistrat. Les chiffres sont arrondis ; la base est le nombre de réponses derrière chaque chiffre.",
    ),
    "report.illustrative": (
        "Illustrative data generated by digistrat: not real companies or visits.",
        "Données illustratives générées par digistrat : ni de vraies entreprises ni de vraies visites.",
    ),
    "report.method.weighted_share": (
        "A share is the weighted number of answers in a group divided by the weighted number of all answers.",
        "Une part est le nombre pondéré de réponses d'un groupe divisé par le nombre pondéré de toutes les réponses.",
    ),
    "report.method.kish": (
        "Weights make a sample less precise: the effective base (Kish: (sum of weights)² / sum of squared "
        "weights) is the number of unweighted answers that would be as precise, and it is the base used for intervals.",
        "Les poids rendent un échantillon moins précis : la base effective (Kish : (somme des poids)² / somme "
        "des poids au carré) est le nombre de réponses non pondérées aussi précis, et c'est elle qui sert aux intervalles.",
    ),
    "report.method.wilson": (
        "The 95 % interval (Wilson score, on the effective base) is the range of true shares compatible with the "
        "answers: the smaller the base, the wider it is.",
        "L'intervalle à 95 % (score de Wilson, sur la base effective) est la fourchette des vraies parts "
        "compatibles avec les réponses : plus la base est petite, plus il est large.",
    ),
    "report.method.clopper_pearson": (
        "For very small bases or rare answers the exact (Clopper–Pearson) interval is used instead: wider, but never too optimistic.",
        "Pour les très petites bases ou les réponses rares, l'intervalle exact (Clopper–Pearson) est utilisé : "
        "plus large, mais jamais trop optimiste.",
    ),
    "report.method.bases": (
        "Every figure shows its base. Below 10 effective answers a figure is not shown; below 30 it is flagged as a low base.",
        "Chaque chiffre indique sa base. En dessous de 10 réponses effectives, le chiffre n'est pas montré ; "
        "en dessous de 30, il est signalé comme base faible.",
    ),
    "report.method.difference": (
        "Two shares are called different when the interval of their difference (Newcombe) leaves out zero; "
        "the two-proportion z-test on effective bases gives the p-value.",
        "Deux parts sont dites différentes quand l'intervalle de leur écart (Newcombe) exclut zéro ; le test z "
        "de deux proportions sur les bases effectives donne la valeur p.",
    ),
    "report.method.multiple": (
        "When many comparisons are shown at once, p-values are adjusted (Benjamini–Hochberg) so that chance "
        "findings stay rare; the number of comparisons is stated.",
        "Quand beaucoup de comparaisons sont montrées ensemble, les valeurs p sont ajustées "
        "(Benjamini–Hochberg) pour que les trouvailles dues au hasard restent rares ; le nombre de comparaisons est indiqué.",
    ),
    "report.method.crosstab": (
        "Whether two questions are linked is tested with a chi-squared test (Rao–Scott corrected when weighted, "
        "Fisher's exact test for small 2×2 tables); Cramér's V says how strong the link is (0 = none, 1 = total).",
        "Le lien entre deux questions est testé par un khi-deux (corrigé de Rao–Scott si pondéré, test exact "
        "de Fisher pour les petits tableaux 2×2) ; le V de Cramér dit la force du lien (0 = aucun, 1 = total).",
    ),
    "report.method.published": (
        "Published figures are shown exactly as the source gives them, with no added precision.",
        "Les chiffres publiés sont montrés tels que la source les donne, sans précision ajoutée.",
    ),
    "report.method.illustrative": (
        "Illustrative samples are generated so that they reproduce the published shares; they show how the "
        "tools work, not new facts.",
        "Les échantillons illustratifs sont générés pour reproduire les parts publiées ; ils montrent le "
        "fonctionnement des outils, pas de nouveaux faits.",
    ),
    "report.method.channels": (
        "Visits are sorted into channels with Google Analytics 4's default channel rules (first matching rule "
        "wins); visits referred by your own domains count as direct.",
        "Les visites sont classées en canaux selon les règles par défaut de Google Analytics 4 (la première "
        "règle qui s'applique l'emporte) ; les visites venant de vos propres domaines comptent comme accès directs.",
    ),
}


def label(key: str, lang: str, **values: object) -> str:
    """The label of a catalog key in `lang` (with `{name}` fields filled); the key if unknown."""
    pair = _CATALOG.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "fr" else pair[0]
    return text.format(**values) if values else text


def language_from_locale(locale: str | None) -> str:
    """'fr-FR' -> 'fr'; anything not French -> the default language."""
    if locale and locale.lower().split("-")[0].split("_")[0] in LANGUAGES:
        return locale.lower()[:2]
    return DEFAULT_LANGUAGE


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


def format_percent(value: float, lang: str, decimals: int = 2) -> str:
    """Points -> '54.75%' (en) or '54,75 %' (fr); at most `decimals`, trailing zeros dropped
    so published figures keep their own precision (6 %, 7,75 %, 10,5 %)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    number = format_number(round(value, decimals) + 0.0, "en", decimals)
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    if lang == "fr":
        number = number.replace(",", "\u202f").replace(".", ",")
        return f"{number}\u202f%"
    return f"{number}%"
