"""The one label catalog (French and English) and language-aware number formatting."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

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
    # ---- what the core says (digistrat.messages): role reasons
    "msg.role.header": ("header '{column}' means {role}", "l'en-tête « {column} » désigne : {role}"),
    "msg.role.not_numbers": (
        "header '{column}' suggests {role}, but its values are not numbers",
        "l'en-tête « {column} » évoque : {role}, mais ses valeurs ne sont pas des nombres",
    ),
    "msg.role.source_of_channels": (
        "header '{column}' names sources, but its values are channel names",
        "l'en-tête « {column} » parle de sources, mais ses valeurs sont des noms de canaux",
    ),
    "msg.role.row_level_measure": (
        "header '{column}' may be a {role}, but {evidence}: an other number",
        "l'en-tête « {column} » pourrait être : {role}, mais {evidence} : un autre nombre",
    ),
    "msg.role.evidence.id_or_weight": ("the table has an id or weight column", "le tableau a une colonne d'identifiant ou de poids"),
    "msg.role.evidence.shared_labels": (
        "several rows share the same labels, like respondents",
        "plusieurs lignes ont les mêmes libellés, comme des répondants",
    ),
    "msg.role.evidence.one_unique_label": (
        "one label column differs on every row while another repeats, like respondents",
        "une colonne de libellés change à chaque ligne quand une autre se répète, comme des répondants",
    ),
    "msg.role.aggregated_count": (
        "header '{column}' means a count, one row per category",
        "l'en-tête « {column} » désigne un effectif, une ligne par catégorie",
    ),
    "msg.role.aggregated_share": (
        "header '{column}' means a share, one row per category",
        "l'en-tête « {column} » désigne une part, une ligne par catégorie",
    ),
    "msg.role.dates": ("values are dates", "les valeurs sont des dates"),
    "msg.role.whole_all_different": ("whole numbers, all different, like an id", "nombres entiers tous différents, comme un identifiant"),
    "msg.role.numbers": ("numbers", "des nombres"),
    "msg.role.yes_no": ("yes/no values", "valeurs oui/non"),
    "msg.role.type": ("values of type {type} are not used", "les valeurs de type {type} ne sont pas utilisées"),
    "msg.role.no_values": ("no values in the first rows", "aucune valeur dans les premières lignes"),
    "msg.role.urls": ("web addresses", "des adresses web"),
    "msg.role.paths": ("values are page paths, like landing pages", "les valeurs sont des chemins de pages, comme des pages de destination"),
    "msg.role.source_medium_values": (
        "values look like 'source / medium' pairs", "les valeurs ressemblent à des couples « source / support »",
    ),
    "msg.role.channel_values": ("{share_pct} of its distinct values are channel names", "{share_pct} de ses valeurs distinctes sont des noms de canaux"),
    "msg.role.device_values": ("{share_pct} of its distinct values are device names", "{share_pct} de ses valeurs distinctes sont des noms d'appareils"),
    "msg.role.segment_values": ("{share_pct} of its distinct values are segment names", "{share_pct} de ses valeurs distinctes sont des noms de segments"),
    "msg.role.aggregated_labels": ("text labels of an aggregated table", "libellés d'un tableau agrégé"),
    "msg.role.joined": (
        "several answers per cell, joined by '{separator}': a multi-answer question",
        "plusieurs réponses par cellule, séparées par « {separator} » : une question à choix multiples",
    ),
    "msg.role.json_data": (
        "values are JSON data stored by the survey tool, not answers",
        "les valeurs sont des données JSON enregistrées par l'outil d'enquête, pas des réponses",
    ),
    "msg.role.text_all_different": ("every value is different, like an id", "toutes les valeurs sont différentes, comme un identifiant"),
    "msg.role.categories": ("text with {values} distinct values", "texte à {values} valeurs distinctes"),
    "msg.role.free_text": (
        "free text ({values} distinct values, more than {cap}): not a category to filter by",
        "texte libre ({values} valeurs distinctes, plus de {cap}) : pas une catégorie pour filtrer",
    ),
    "msg.role.source_hint": ("header '{column}' lists {hint} sources of visits", "l'en-tête « {column} » liste des sources de visites : {hint}"),
    "msg.hint.search": ("search-engine", "moteurs de recherche"),
    "msg.hint.social": ("social-network", "réseaux sociaux"),
    "msg.hint.referral": ("website", "sites web"),
    "msg.role.source_values": (
        "header '{column}' names sources, and {share_pct} of its values are sources or host names",
        "l'en-tête « {column} » désigne des sources, et {share_pct} de ses valeurs sont des sources ou des noms de sites",
    ),
    "msg.role.option_of": (
        "one option of the multi-answer question '{question}' (ticked or not)",
        "une option de la question à choix multiples « {question} » (cochée ou non)",
    ),
    "msg.role.open_text": (
        "text the respondent typed beside an option ('Other, please specify'): open text, not an answer to count",
        "texte saisi par le répondant à côté d'une option (« Autre, précisez ») : texte libre, pas une réponse à compter",
    ),
    "msg.role.joined_duplicate": (
        "the same answers as the question's option columns, joined in one cell: the option columns are used",
        "les mêmes réponses que les colonnes d'option de la question, réunies dans une cellule : les colonnes d'option sont utilisées",
    ),
    "msg.role.answer_codes": (
        "a few whole numbers in a survey tool's export: coded answers, a category to filter by",
        "quelques nombres entiers dans un export d'outil d'enquête : des réponses codées, une catégorie pour filtrer",
    ),
    "msg.role.tool_metadata": ("written by the survey tool, not an answer", "écrit par l'outil d'enquête, pas une réponse"),
    "msg.role.record_id": ("the record id the survey tool writes first", "l'identifiant d'enregistrement que l'outil d'enquête écrit en premier"),
    "msg.role.survey_timestamp": ("the time the survey tool recorded the answers", "l'heure à laquelle l'outil d'enquête a enregistré les réponses"),
    "msg.role.contact": ("contact details, not an answer", "des coordonnées, pas une réponse"),
    "msg.role.declared_weight": ("the file declares it as the weight", "le fichier la déclare comme poids"),
    "msg.role.survey_question": ("a question of the survey", "une question de l'enquête"),
    "msg.role.weight_empty": (
        "header '{column}' says weight, but it holds no numbers: check it, or set its role to weight",
        "l'en-tête « {column} » dit poids, mais la colonne ne contient aucun nombre : vérifiez-la, ou donnez-lui le rôle poids",
    ),
    "msg.role.weight_text": (
        "header '{column}' says weight, but most of its values are not numbers: confirm its role",
        "l'en-tête « {column} » dit poids, mais la plupart de ses valeurs ne sont pas des nombres : confirmez son rôle",
    ),
    "msg.role.weight_not_positive": (
        "header '{column}' says weight, but many values are not positive: confirm its role",
        "l'en-tête « {column} » dit poids, mais beaucoup de valeurs ne sont pas positives : confirmez son rôle",
    ),
    "msg.role.weight_ones_and_blanks": (
        "header '{column}' says weight, but it holds only 1s and blanks, like a ticked answer: set its role to weight if it is one",
        "l'en-tête « {column} » dit poids, mais la colonne ne contient que des 1 et des vides, comme une réponse cochée : donnez-lui le rôle poids si c'en est un",
    ),
    "msg.role.weight_few_values": (
        "header '{column}' says weight, but its values are a few whole numbers, like an answer (grams, codes): set its role to weight if it is the survey weight",
        "l'en-tête « {column} » dit poids, mais ses valeurs sont quelques nombres entiers, comme une réponse (grammes, codes) : donnez-lui le rôle poids si c'est le poids de l'enquête",
    ),
    "msg.role.weight_like_values": (
        "numbers averaging about 1 with decimals, like weights: set its role to weight if it is the survey weight",
        "nombres autour de 1 avec décimales, comme des poids : donnez-lui le rôle poids si c'est le poids de l'enquête",
    ),
    "msg.role.landing_urls": (
        "web addresses, {host_pct} on one site and {utm_pct} with utm_ tags, like landing pages",
        "adresses web, {host_pct} sur un même site et {utm_pct} avec des balises utm_, comme des pages de destination",
    ),
    "msg.role.referrer_urls": ("web addresses on many sites, like referrers", "adresses web de nombreux sites, comme des référents"),
    "msg.role.rival": (
        "'{winner}' was chosen as the {role} column; this one is an other value",
        "« {winner} » a été choisie comme colonne {role} ; celle-ci est une autre valeur",
    ),
    "msg.role.origin": (
        "each company's own visits from one source, for the segments × channels tab ({role})",
        "visites propres à chaque entreprise depuis une origine, pour l'onglet segments × canaux ({role})",
    ),
    "msg.role.moved": ("you chose '{chosen}' as the {role} column", "vous avez choisi « {chosen} » comme colonne {role}"),
    "msg.role.set_by_you": ("set by you", "choisi par vous"),
    # input errors
    "msg.input.no_columns": (
        "The table has no columns; check that the file holds a header row.",
        "Le tableau n'a aucune colonne ; vérifiez que le fichier contient une ligne d'en-tête.",
    ),
    "msg.input.no_such_column": (
        "There is no column '{column}' in the data; choose one of: {columns}.",
        "Il n'y a pas de colonne « {column} » dans les données ; choisissez parmi : {columns}.",
    ),
    "msg.input.unknown_role": (
        "'{given}' is not a column role (column '{column}'); choose one of: {roles}.",
        "« {given} » n'est pas un rôle de colonne (colonne « {column} ») ; choisissez parmi : {roles}.",
    ),
    "msg.input.role_needs_numbers": (
        "Column '{column}' holds text, so it cannot be the {role}; choose a column of numbers.",
        "La colonne « {column} » contient du texte, elle ne peut donc pas être : {role} ; choisissez une colonne de nombres.",
    ),
    "msg.input.role_twice": (
        "Columns {columns} are all set as {role}; choose one.",
        "Les colonnes {columns} ont toutes le rôle {role} ; choisissez-en une.",
    ),
    "msg.input.group_needs_option": (
        "Column '{column}' is not an option column; give it the role 'option of a multi-answer question' first.",
        "La colonne « {column} » n'est pas une colonne d'option ; donnez-lui d'abord le rôle « option d'une question à choix multiples ».",
    ),
    # normalisation notes
    "msg.norm.rows": ("Read {read} {read|row|rows}; {used} used.", "{read} {read|ligne lue|lignes lues} ; {used} {used|utilisée|utilisées}."),
    "msg.norm.user_excluded": (
        "{rows} {rows|row is|rows are} left out because you excluded their value.",
        "{rows} {rows|ligne est écartée|lignes sont écartées} parce que vous avez exclu leur valeur.",
    ),
    "msg.norm.no_segment": (
        "{rows} {rows|row has|rows have} no segment in column '{column}' and {rows|is|are} left out.",
        "{rows} {rows|ligne n'a|lignes n'ont} pas de segment dans la colonne « {column} » et {rows|est écartée|sont écartées}.",
    ),
    "msg.norm.unmapped_segment": (
        "{values} {values|value|values} of column '{column}' {values|matches|match} no segment ({rows} {rows|row|rows}); these rows are left out until you map or exclude the values.",
        "{values} {values|valeur|valeurs} de la colonne « {column} » ne {values|correspond|correspondent} à aucun segment ({rows} {rows|ligne|lignes}) ; ces lignes sont écartées tant que vous ne les associez pas ou ne les excluez pas.",
    ),
    "msg.norm.unmapped_device": (
        "{values} {values|value|values} of column '{column}' {values|matches|match} no device ({rows} {rows|row|rows}); these rows stay in with an empty device until you map or exclude the values.",
        "{values} {values|valeur|valeurs} de la colonne « {column} » ne {values|correspond|correspondent} à aucun appareil ({rows} {rows|ligne|lignes}) ; ces lignes restent, sans appareil, tant que vous ne les associez pas ou ne les excluez pas.",
    ),
    "msg.norm.bad_weights_excluded_rows": (
        "{rows} {rows|row has|rows have} a weight in column '{column}' that is not a positive number (data rows {listed}); {left_out} {left_out|is|are} left out for it (rows already left out for another reason are counted there).",
        "{rows} {rows|ligne a|lignes ont} un poids dans la colonne « {column} » qui n'est pas un nombre positif (lignes de données {listed}) ; {left_out} {left_out|est écartée|sont écartées} pour cela (les lignes déjà écartées pour une autre raison y sont comptées).",
    ),
    "msg.norm.bad_weights_excluded_lines": (
        "{rows} {rows|row has|rows have} a weight in column '{column}' that is not a positive number (file lines {listed}); {left_out} {left_out|is|are} left out for it (rows already left out for another reason are counted there).",
        "{rows} {rows|ligne a|lignes ont} un poids dans la colonne « {column} » qui n'est pas un nombre positif (lignes du fichier {listed}) ; {left_out} {left_out|est écartée|sont écartées} pour cela (les lignes déjà écartées pour une autre raison y sont comptées).",
    ),
    "msg.norm.bad_weights_unweighted_rows": (
        "{rows} {rows|row has|rows have} a weight in column '{column}' that is not a positive number (data rows {listed}); every row is kept, so every figure is unweighted.",
        "{rows} {rows|ligne a|lignes ont} un poids dans la colonne « {column} » qui n'est pas un nombre positif (lignes de données {listed}) ; toutes les lignes sont gardées, donc aucun chiffre n'est pondéré.",
    ),
    "msg.norm.bad_weights_unweighted_lines": (
        "{rows} {rows|row has|rows have} a weight in column '{column}' that is not a positive number (file lines {listed}); every row is kept, so every figure is unweighted.",
        "{rows} {rows|ligne a|lignes ont} un poids dans la colonne « {column} » qui n'est pas un nombre positif (lignes du fichier {listed}) ; toutes les lignes sont gardées, donc aucun chiffre n'est pondéré.",
    ),
    "msg.input.weight_rule": (
        "'{rule}' is not a rule for unusable weights; use 'exclude' or 'unweighted'.",
        "« {rule} » n'est pas une règle pour les poids inutilisables ; utilisez « exclude » ou « unweighted ».",
    ),
    "msg.input.role_column_gone": (
        "Column '{column}' chosen for a role is not in the data; choose the roles again.",
        "La colonne « {column} » choisie pour un rôle n'est pas dans les données ; choisissez les rôles à nouveau.",
    ),
    "msg.input.not_mappable": (
        "Values of column '{column}' cannot be mapped here: only the segment and device columns take mappings; change the column's role or remove the mapping.",
        "Les valeurs de la colonne « {column} » ne peuvent pas être associées ici : seules les colonnes de segment et d'appareil le peuvent ; changez le rôle de la colonne ou retirez l'association.",
    ),
    "msg.input.bad_mapping": (
        "The mapping of '{value}' in column '{column}' is '{target}', which is not one of {keys}; choose one of those.",
        "L'association de « {value} » dans la colonne « {column} » est « {target} », qui n'est pas parmi {keys} ; choisissez-en une.",
    ),
    "msg.input.no_segment": (
        "{name}: no segment column was found; give one column the role 'segment' (or count by another column).",
        "{name} : aucune colonne de segment n'a été trouvée ; donnez le rôle « segment » à une colonne (ou comptez selon une autre colonne).",
    ),
    "msg.input.table_without_measure": (
        "{name}: this table has no segment column with a count or share column beside it; give one numeric column the role 'count' or 'share'.",
        "{name} : ce tableau n'a pas de colonne de segment avec une colonne d'effectif ou de part à côté ; donnez à une colonne numérique le rôle « effectif » ou « part ».",
    ),
    "msg.input.negative_measure": (
        "{name}: column '{column}' holds a negative value ({value}); counts and shares cannot be negative, so correct the file.",
        "{name} : la colonne « {column} » contient une valeur négative ({value}) ; un effectif ou une part ne peut pas être négatif, corrigez le fichier.",
    ),
    "msg.input.survey_not_traffic": (
        "{name} is a survey ({kind}), not web traffic with channels: open it on the Segments page, or count its answers with `shares`.",
        "{name} est une enquête ({kind}), pas du trafic web avec des canaux : ouvrez-la sur la page Segments, ou comptez ses réponses avec `shares`.",
    ),
    "msg.input.not_traffic": (
        "{name} has no column saying where visits come from ({kind}): give one column the role 'channel', 'source / medium' or 'referrer URL'.",
        "{name} n'est pas du trafic web ({kind}) : donnez à une colonne le rôle « canal », « source / support » ou « URL référente ».",
    ),
    "msg.input.not_traffic_table": (
        "{name}: table {table} of the file has no column saying where visits come from; {count|table|tables} {listed} {count|has|have} one: {count|choose it|choose one} ('Table to read' on the upload page, --table N on the command line).",
        "{name} : le tableau {table} du fichier n'a pas de colonne disant d'où viennent les visites ; {count|le tableau|les tableaux} {listed} en {count|a|ont} une : {count|choisissez-le|choisissez-en un} (« Tableau à lire » sur la page de dépôt, --table N en ligne de commande).",
    ),
    "msg.input.not_a_survey": (
        "{name} is not a survey with one row per respondent ({kind}); open it where that kind of data is shown.",
        "{name} n'est pas une enquête à une ligne par répondant ({kind}) ; ouvrez-le là où ce type de données est montré.",
    ),
    "msg.input.untagged_landing_pages": (
        "Column '{column}' holds landing pages without utm_ tags or click ids and the file has no channel, source / medium or referrer column, so where visits came from is unknown: export the report by session source / medium or by channel group instead.",
        "La colonne « {column} » contient des pages de destination sans balises utm_ ni identifiants de clic, et le fichier n'a pas de colonne de canal, de source / support ou de référent : l'origine des visites est inconnue ; exportez plutôt le rapport par source / support de session ou par groupe de canaux.",
    ),
    "msg.cli.no_file": ("{path}: no such file; check the path.", "{path} : fichier introuvable ; vérifiez le chemin."),
    "msg.cli.unreadable": ("{path} cannot be read ({reason}); check its permissions.", "{path} ne peut pas être lu ({reason}) ; vérifiez ses droits."),
    "msg.cli.crosstab_multi": (
        "{option} {question}: a multi-answer question cannot be a side of a crosstab; count it with `shares --by`.",
        "{option} {question} : une question à choix multiples ne peut pas être un côté d'un tableau croisé ; comptez-la avec `shares --by`.",
    ),
    "msg.input.no_such_question": (
        "No question or column is called '{wanted}' or starts so; the columns are {columns}.",
        "Aucune question ni colonne ne s'appelle « {wanted} » ni ne commence ainsi ; les colonnes sont {columns}.",
    ),
    "msg.input.question_ambiguous": (
        "'{wanted}' starts several questions ({matches}); type more of the name.",
        "« {wanted} » commence plusieurs questions ({matches}) ; tapez davantage du nom.",
    ),
    # where a traffic dataset's channels come from
    "msg.origin.source_medium": (
        "Channels computed with the rules from {columns}.", "Canaux calculés par les règles à partir de {columns}.",
    ),
    "msg.origin.source_medium_label": (
        "Channels computed with the rules from {columns}; the export's own channel labels in '{label}' are used only to check them.",
        "Canaux calculés par les règles à partir de {columns} ; les libellés de canal de l'export (« {label} ») servent seulement à les vérifier.",
    ),
    "msg.origin.source": (
        "Channels computed with the rules from the sources in {columns} (each source's usual medium).",
        "Canaux calculés par les règles à partir des sources de {columns} (le support habituel de chaque source).",
    ),
    "msg.origin.source_label": (
        "Channels computed with the rules from the sources in {columns}; the export's own channel labels in '{label}' are used only to check them.",
        "Canaux calculés par les règles à partir des sources de {columns} ; les libellés de canal de l'export (« {label} ») servent seulement à les vérifier.",
    ),
    "msg.origin.urls": (
        "Channels computed with the rules from the referrer and landing-page addresses in {columns}.",
        "Canaux calculés par les règles à partir des adresses référentes et des pages de destination de {columns}.",
    ),
    "msg.origin.urls_label": (
        "Channels computed with the rules from the addresses in {columns}; the export's own channel labels in '{label}' are used only to check them.",
        "Canaux calculés par les règles à partir des adresses de {columns} ; les libellés de canal de l'export (« {label} ») servent seulement à les vérifier.",
    ),
    "msg.origin.channel": (
        "Channels read from the export's own labels in {columns}: your domains, the AI-assistants channel and the rule mode cannot change them (export the source / medium to use them).",
        "Canaux lus dans les libellés de l'export ({columns}) : vos domaines, le canal assistants IA et le mode des règles ne peuvent pas les changer (exportez la source / le support pour les utiliser).",
    ),
    "msg.origin.device": (
        "This file splits sessions by device only: channels need a channel, source / medium or referrer URL column.",
        "Ce fichier ne répartit les visites que par appareil : les canaux demandent une colonne de canal, de source / support ou d'URL référente.",
    ),
    "channels.surveys_elsewhere": (
        "Your upload {names} is a survey, not web traffic: it is on the Segments page.",
        "Votre fichier {names} est une enquête, pas du trafic web : il est sur la page Segments.",
    ),
    "msg.input.not_a_question": (
        "'{question}' is not a categorical question of this survey; pick one of the list.",
        "« {question} » n'est pas une question à catégories de cette enquête ; choisissez-en une dans la liste.",
    ),
    "msg.input.groups_by_ranges": (
        "Define the two groups to compare by categories, not by numeric ranges.",
        "Définissez les deux groupes à comparer par des catégories, pas par des plages de nombres.",
    ),
    "msg.input.groups_same": (
        "The two groups are the same; choose different values for group A and group B.",
        "Les deux groupes sont identiques ; choisissez des valeurs différentes pour le groupe A et le groupe B.",
    ),
    "msg.input.groups_overlap": (
        "{rows} {rows|respondent is|respondents are} in both groups; choose values that do not overlap.",
        "{rows} {rows|répondant est|répondants sont} dans les deux groupes ; choisissez des valeurs qui ne se recouvrent pas.",
    ),
    "msg.input.pair_same": (
        "Pick two different segments to compare their channel mix.",
        "Choisissez deux segments différents pour comparer leurs canaux.",
    ),
    "msg.input.unknown_segment": ("Unknown segment '{segment}'; pick one of {segments}.", "Segment inconnu « {segment} » ; choisissez parmi {segments}."),
    "msg.input.unknown_grouping": ("Cannot group traffic by '{by}'; use one of {groupings}.", "Impossible de regrouper le trafic par « {by} » ; utilisez {groupings}."),
    "msg.input.no_device": (
        "This dataset has no device column; set a column's role to 'device' to see devices.",
        "Ce jeu de données n'a pas de colonne d'appareil ; donnez le rôle « appareil » à une colonne pour voir les appareils.",
    ),
    "msg.input.devices_only": (
        "This dataset splits sessions by device only, so devices cannot be shown per channel; set a column's role to 'channel', 'source' or 'referrer' to see them.",
        "Ce jeu de données ne répartit les visites que par appareil : impossible de montrer les appareils par canal ; donnez le rôle « canal », « source » ou « référent » à une colonne pour les voir.",
    ),
    "msg.input.unknown_step": ("Unknown time step '{step}'; use one of {steps}.", "Pas de temps inconnu « {step} » ; utilisez {steps}."),
    "msg.input.no_date": (
        "This dataset has no date column; set a column's role to 'date' to see trends and compare periods.",
        "Ce jeu de données n'a pas de colonne de date ; donnez le rôle « date » à une colonne pour voir les tendances et comparer des périodes.",
    ),
    "msg.input.period_reversed": (
        "The period ends ({end}) before it starts ({start}); pick the start date first.",
        "La période se termine ({end}) avant de commencer ({start}) ; choisissez d'abord la date de début.",
    ),
    "msg.input.xlsx_too_big": (
        "The filtered data has {rows} rows but an Excel sheet holds at most {limit}: narrow the filters, or download the CSV instead.",
        "Les données filtrées comptent {rows} lignes mais une feuille Excel en contient au plus {limit} : resserrez les filtres, ou téléchargez plutôt le CSV.",
    ),
    "msg.input.no_pdf": (
        "PDF export needs WeasyPrint and the Pango library on the server: download the HTML report and print it to PDF from the browser instead.",
        "L'export PDF demande WeasyPrint et la bibliothèque Pango sur le serveur : téléchargez le rapport HTML et imprimez-le en PDF depuis le navigateur.",
    ),
    # application
    "app.title": ("digistrat — digital strategy explorer", "digistrat — explorer la stratégie digitale"),
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
    "overview.next": (
        "**Next:** filter a survey panel by segment on the Segments page, or bring your own survey or analytics export on Your data.",
        "**Ensuite :** filtrez un panel d'enquête par segment dans la page Segments, ou apportez votre propre enquête ou export d'analytics dans Vos données.",
    ),
    "overview.to_segments": ("Explore the segments", "Explorer les segments"),
    "overview.to_upload": ("Bring your own data", "Apporter vos données"),
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
    "segments.all": ("all segments", "tous les segments"),
    "segments.tools_base": (
        "Share of respondents who answered (base {n}); several answers possible.",
        "Part des répondants ayant répondu (base {n}) ; plusieurs réponses possibles.",
    ),
    "segments.origins_note": (
        "Mean of each company's own shares, next to the estatweb reference.",
        "Moyenne des parts propres à chaque entreprise, à côté de la référence estatweb.",
    ),
    "channels.buckets_chart": ("Where visits come from", "D'où viennent les visites"),
    "channels.devices_chart": ("Devices", "Appareils"),
    "channels.settings": ("Classification settings", "Réglages de classement"),
    "channels.own_domains": ("Your own domains (one per line)", "Vos propres domaines (un par ligne)"),
    "channels.own_domains_help": (
        "Visits referred by these sites count as direct, not as referrals.",
        "Les visites venant de ces sites comptent comme accès directs, pas comme sites référents.",
    ),
    "channels.ai": ("Separate AI assistants channel", "Canal séparé pour les assistants IA"),
    "channels.detail_chart": ("Channels (GA4 default channel group)", "Canaux (groupes de canaux GA4 par défaut)"),
    # --- upload and data sources (issue 3)
    "kind.traffic_by_device": ("traffic aggregated by device", "trafic agrégé par appareil"),
    "upload.preview_counts": (
        "An aggregated table: each segment's count in the '{column}' column, out of {n}; intervals on that base.",
        "Un tableau agrégé : effectif de chaque segment dans la colonne « {column} », sur {n} ; intervalles "
        "sur cette base.",
    ),
    "table.shares_only": (
        "The table gives shares only: the number of respondents behind them is unknown, so there are no intervals.",
        "Le tableau ne donne que des parts : le nombre de répondants est inconnu, donc pas d'intervalles.",
    ),
    "page.upload": ("Your data", "Vos données"),
    "upload.file": ("Your file", "Votre fichier"),
    "upload.file_help": (
        "CSV or text with any separator and encoding, an Excel or OpenDocument workbook, Parquet, or an SPSS, Stata or SAS file.",
        "CSV ou texte, quels que soient séparateur et encodage, classeur Excel ou OpenDocument, Parquet, ou fichier SPSS, Stata ou SAS.",
    ),
    "upload.previous": ("File", "Fichier"),
    "upload.reading": ("Reading the file…", "Lecture du fichier…"),
    "upload.unexpected": (
        "Something went wrong while reading this file; the problem has been logged, so try another export "
        "of the data or tell us about it.",
        "Un problème est survenu pendant la lecture de ce fichier ; il a été consigné : essayez un autre "
        "export des données ou signalez-le-nous.",
    ),
    "upload.detected": ("What was detected", "Ce qui a été détecté"),
    "upload.format_csv": (
        "Text file: encoding {encoding}, separator {separator}, decimal mark {decimal}, thousands mark {thousands}.",
        "Fichier texte : encodage {encoding} ; séparateur : {separator} ; marque décimale : {decimal} ; "
        "séparateur de milliers : {thousands}.",
    ),
    "upload.format_xlsx": ("Excel workbook, sheet '{sheet}'.", "Classeur Excel, feuille « {sheet} »."),
    "upload.format_parquet": ("Parquet file.", "Fichier Parquet."),
    "upload.header_line": ("Header on line {line}.", "En-tête à la ligne {line}."),
    "upload.preamble": (
        "{n} comment lines before the header were set aside (analytics export).",
        "{n} lignes de commentaire avant l'en-tête ont été mises de côté (export d'analytics).",
    ),
    "upload.percent_columns": ("Percentages read as points: {columns}.", "Pourcentages lus en points : {columns}."),
    "upload.kind": ("Kind of data: {kind}.", "Type de données : {kind}."),
    "upload.rows": ("Rows read: {read}; used: {used}; left out: {left}.", "Lignes lues : {read} ; utilisées : {used} ; écartées : {left}."),
    "upload.left_out.user_excluded": ("excluded by you: {n}", "exclues par vous : {n}"),
    "upload.left_out.no_segment": ("no segment: {n}", "sans segment : {n}"),
    "upload.left_out.unmapped_segment": ("segment matching none of the five: {n}", "segment ne correspondant à aucun des cinq : {n}"),
    "upload.left_out.bad_weight": ("weight not a positive number: {n}", "poids qui n'est pas un nombre positif : {n}"),
    "upload.details": ("Reader's notes (in English)", "Notes du lecteur (en anglais)"),
    "upload.table": ("Table to read", "Tableau à lire"),
    "upload.table_option": ("{index}: {title} — {columns} ({rows} rows)", "{index} : {title} — {columns} ({rows} lignes)"),
    "upload.untitled": ("untitled", "sans titre"),
    "upload.sheet": ("Sheet", "Feuille"),
    "upload.roles": ("Column roles", "Rôle des colonnes"),
    "upload.roles_help": (
        "The role guessed for each column, and why (hover the role). Change a role and the figures follow.",
        "Le rôle deviné pour chaque colonne, et pourquoi (survolez le rôle). Changez un rôle et les chiffres suivent.",
    ),
    "upload.examples": ("e.g. {values}", "ex. {values}"),
    "upload.tool": ("Survey tool: {tool} ({header_rows} header rows).", "Outil d'enquête : {tool} ({header_rows} lignes d'en-tête)."),
    "tool.surveymonkey": ("SurveyMonkey", "SurveyMonkey"),
    "tool.qualtrics": ("Qualtrics", "Qualtrics"),
    "tool.google_forms": ("Google Forms", "Google Forms"),
    "tool.microsoft_forms": ("Microsoft Forms", "Microsoft Forms"),
    "tool.limesurvey": ("LimeSurvey", "LimeSurvey"),
    "tool.typeform": ("Typeform", "Typeform"),
    "tool.kobo": ("KoboToolbox / ODK", "KoboToolbox / ODK"),
    "tool.wenjuanxing": ("Wenjuanxing (问卷星)", "Wenjuanxing (问卷星)"),
    "tool.spss": ("SPSS", "SPSS"),
    "tool.stata": ("Stata", "Stata"),
    "tool.sas": ("SAS", "SAS"),
    "tool.redcap": ("REDCap", "REDCap"),
    "upload.skipped": ("Not offered as filters: {columns}.", "Non proposées comme filtres : {columns}."),
    "upload.skipped.free_text": (
        "'{column}' ({n} distinct answers: free text; give it the role 'Category to filter by' only if it has fewer)",
        "« {column} » ({n} réponses distinctes : texte libre)",
    ),
    "upload.skipped.empty": ("'{column}' (empty)", "« {column} » (vide)"),
    "upload.unsure": (
        "Please confirm the role of {columns} (marked ⚠ below): its values leave a doubt.",
        "Merci de confirmer le rôle de {columns} (marqué ⚠ ci-dessous) : ses valeurs laissent un doute.",
    ),
    "upload.question_of_option": ("Question of this option", "Question de cette option"),
    "upload.question_of_option_help": (
        "Option columns with the same question name are the options of one multi-answer question.",
        "Les colonnes d'option portant le même nom de question sont les options d'une même question à choix multiples.",
    ),
    "upload.no_segment": (
        "No column holds the five segments: give the segment question the role 'Segment' to see the segments page.",
        "Aucune colonne ne contient les cinq segments : donnez à la question de segment le rôle « Segment » pour voir la page segments.",
    ),
    "upload.unmapped": ("Values to map", "Valeurs à faire correspondre"),
    "upload.unmapped_segment": (
        "Values of column '{column}' that match none of the five segments: their rows are left out until you "
        "say what each value means, or exclude it.",
        "Valeurs de la colonne « {column} » qui ne correspondent à aucun des cinq segments : leurs lignes sont "
        "écartées tant que vous n'indiquez pas ce que signifie chaque valeur, ou ne l'excluez pas.",
    ),
    "upload.unmapped_device": (
        "Values of column '{column}' that match no device: their rows stay in without a device until you say "
        "what each value means, or exclude it.",
        "Valeurs de la colonne « {column} » qui ne correspondent à aucun appareil : leurs lignes restent sans "
        "appareil tant que vous n'indiquez pas ce que signifie chaque valeur, ou ne l'excluez pas.",
    ),
    "upload.value": ("Value", "Valeur"),
    "upload.rows_column": ("Rows", "Lignes"),
    "upload.map_to": ("Means", "Signifie"),
    "upload.exclude": ("Exclude these rows", "Exclure ces lignes"),
    "upload.bad_weights": (
        "Rows whose weight in column '{column}' is not a positive number: {n} ({where}).",
        "Lignes dont le poids dans la colonne « {column} » n'est pas un nombre positif : {n} ({where}).",
    ),
    "upload.bad_weights_lines": ("lines {lines}", "lignes {lines}"),
    "upload.bad_weights_rows": ("data rows {rows}", "lignes de données {rows}"),
    "upload.exclude_bad_weights": ("Leave these rows out (weighted figures)", "Écarter ces lignes (chiffres pondérés)"),
    "upload.exclude_bad_weights_help": (
        "Off: every row is kept and every figure is unweighted, so counts and figures cover the same rows.",
        "Désactivé : toutes les lignes restent et aucun chiffre n'est pondéré, pour que les effectifs et les chiffres portent sur les mêmes lignes.",
    ),
    "upload.preview": ("Preview", "Aperçu"),
    "upload.preview_base": ("Base: {n} rows.", "Base : {n} lignes."),
    "upload.preview_weighted": ("Weighted by column '{column}'.", "Pondéré par la colonne « {column} »."),
    "upload.preview_table": (
        "An aggregated table: each segment's share of the '{column}' column.",
        "Un tableau agrégé : part de chaque segment dans la colonne « {column} ».",
    ),
    "upload.no_measure": (
        "This aggregated table has no count or share column; give one numeric column the role 'Count' or 'Share'.",
        "Ce tableau agrégé n'a pas de colonne d'effectif ou de part ; donnez à une colonne numérique le rôle "
        "« Effectif » ou « Part ».",
    ),
    "upload.kind_unknown": (
        "This file is neither a survey nor traffic yet: give one column the role 'Segment' (survey) or "
        "'Channel', 'Source / medium' or 'Referrer URL' (traffic).",
        "Ce fichier n'est encore ni une enquête ni du trafic : donnez à une colonne le rôle « Segment » "
        "(enquête) ou « Canal », « Source / support » ou « URL référente » (trafic).",
    ),
    "upload.open_segments": ("Open on the segments page", "Ouvrir dans la page segments"),
    "upload.open_channels": ("Open on the channels page", "Ouvrir dans la page canaux"),
    "upload.table_only": (
        "The segments page needs one row per respondent; an aggregated table is shown here only.",
        "La page segments demande une ligne par répondant ; un tableau agrégé n'est montré qu'ici.",
    ),
    "kind.survey": ("survey, one row per respondent", "enquête, une ligne par répondant"),
    "kind.survey_table": ("aggregated table (category and count or share)", "tableau agrégé (catégorie et effectif ou part)"),
    "kind.traffic": ("traffic, one row per session", "trafic, une ligne par visite"),
    "kind.traffic_by_channel": ("traffic aggregated by channel", "trafic agrégé par canal"),
    "kind.traffic_by_source_medium": ("traffic aggregated by source / medium", "trafic agrégé par source / support"),
    "kind.unknown": ("not recognised", "non reconnu"),
    "role.segment": ("Segment", "Segment"),
    "role.weight": ("Weight", "Poids"),
    "role.id": ("Identifier", "Identifiant"),
    "role.channel": ("Channel", "Canal"),
    "role.source": ("Source", "Source"),
    "role.medium": ("Medium", "Support"),
    "role.source_medium": ("Source / medium", "Source / support"),
    "role.campaign": ("Campaign", "Campagne"),
    "role.referrer": ("Referrer URL", "URL référente"),
    "role.landing_page": ("Landing page", "Page de destination"),
    "role.device": ("Device", "Appareil"),
    "role.date": ("Date", "Date"),
    "role.count": ("Count (sessions, respondents)", "Effectif (visites, répondants)"),
    "role.share": ("Share", "Part"),
    "role.dimension": ("Category to filter by", "Catégorie pour filtrer"),
    "role.measure": ("Other number", "Autre nombre"),
    "role.ignore": ("Ignore", "Ignorer"),
    "role.psu": ("Cluster (sampling unit)", "Grappe (unité d'échantillonnage)"),
    "role.stratum": ("Stratum", "Strate"),
    "role.multi": ("Multi-answer question (one cell)", "Question à choix multiples (une cellule)"),
    "role.option": ("Option of a multi-answer question", "Option d'une question à choix multiples"),
    "role.origin_search": ("Own visits: search engines", "Visites propres : moteurs de recherche"),
    "role.origin_external": ("Own visits: external links", "Visites propres : liens externes"),
    "role.origin_direct": ("Own visits: direct access", "Visites propres : accès directs"),
    "sep.comma": ("comma", "virgule"),
    "sep.semicolon": ("semicolon", "point-virgule"),
    "sep.tab": ("tab", "tabulation"),
    "sep.pipe": ("vertical bar", "barre verticale"),
    "mark.comma": ("comma", "virgule"),
    "mark.dot": ("point", "point"),
    "mark.space": ("space", "espace"),
    "mark.nbsp": ("no-break space", "espace insécable"),
    "mark.nnbsp": ("narrow no-break space", "espace fine insécable"),
    "mark.thin": ("thin space", "espace fine"),
    "mark.none": ("none", "non détecté"),
    "data_source.label": ("Dataset", "Jeu de données"),
    "data_source.sample_survey": ("Illustrative sample panel", "Panel d'exemple illustratif"),
    "data_source.sample_traffic": ("Illustrative sample sessions", "Visites d'exemple illustratives"),
    "data_source.upload": ("{name} (your file)", "{name} (votre fichier)"),
    "data_source.help": (
        "Upload your own file on the 'Your data' page to see it here.",
        "Déposez votre propre fichier dans la page « Vos données » pour le voir ici.",
    ),
    # --- segments explorer (issue 4)
    "seg.numeric_filters": ("Numeric answers", "Réponses numériques"),
    "seg.settings": ("Statistics settings", "Réglages statistiques"),
    "seg.level": ("Confidence level", "Niveau de confiance"),
    "seg.min_base": ("Minimum base (figures suppressed below)", "Base minimale (chiffres masqués en dessous)"),
    "seg.low_base": ("Low base (figures flagged below)", "Base faible (chiffres signalés en dessous)"),
    "seg.settings_help": (
        "Bases are effective respondents. Without weights, intervals are Wilson score intervals, exact "
        "(Clopper–Pearson) below {small} respondents or fewer than 5 in the rarer answer; with weights they follow "
        "the design variance: logit intervals, Korn–Graubard below {small} effective respondents or fewer than 5 "
        "in the rarer answer.",
        "Les bases sont en répondants effectifs. Sans pondération, les intervalles sont de Wilson, exacts "
        "(Clopper–Pearson) sous {small} répondants ou moins de 5 dans la réponse la plus rare ; avec pondération, "
        "ils suivent la variance du plan de sondage : intervalles logit, de Korn–Graubard sous {small} répondants "
        "effectifs ou moins de 5 dans la réponse la plus rare.",
    ),
    "seg.bad_settings": ("These settings cannot be used: {error} The defaults apply.", "Ces réglages sont inutilisables : {error} Les valeurs par défaut s'appliquent."),
    "seg.design": (
        "Weighted by the column {weight}: the weights alone give a design effect of {deff} (Kish), effective base "
        "{n_eff} for {n} respondents. Each figure's own design effect and effective base come from its design variance.",
        "Pondéré par la colonne {weight} : les poids seuls donnent un effet de plan de {deff} (Kish), base effective "
        "{n_eff} pour {n} répondants. L'effet de plan et la base effective de chaque chiffre viennent de sa variance "
        "de plan de sondage.",
    ),
    "seg.design_clusters": (
        "Sampling design: clusters {psu}, strata {stratum}; variances as R's survey package computes them "
        "(with-replacement clusters).",
        "Plan de sondage : grappes {psu}, strates {stratum} ; variances calculées comme le fait le paquet survey "
        "de R (grappes tirées avec remise).",
    ),
    "seg.col.deff": ("Design effect", "Effet de plan"),
    "seg.interval_methods": ("Intervals: {methods}.", "Intervalles : {methods}."),
    "seg.col.n_eff": ("Effective base", "Base effective"),
    "seg.unweighted": ("Unweighted: each respondent counts once.", "Non pondéré : chaque répondant compte une fois."),
    "seg.flag.low": ("low base", "base faible"),
    "seg.flag.suppressed": ("base too small, not shown", "base trop faible, non affiché"),
    "interval.heading": ("{level} interval", "Intervalle à {level}"),
    "seg.col.note": ("Note", "Remarque"),
    "seg.focus_select": ("Segments to focus on", "Segments à examiner"),
    "seg.tab.breakdown": ("Breakdown", "Répartition"),
    "seg.tab.crosstab": ("Crosstab", "Tableau croisé"),
    "seg.tab.compare": ("Compare", "Comparer"),
    "seg.tab.channels": ("Segments × channels", "Segments × canaux"),
    "seg.tab.profile": ("Segment profile", "Profil d'un segment"),
    "seg.no_dimension": ("This survey has no categorical question to cross with the segments.", "Cette enquête n'a pas de question à modalités à croiser avec les segments."),
    "seg.xt.dimension": ("Cross the segments with", "Croiser les segments avec"),
    "seg.xt.caption": (
        "Column percentages: how the respondents of each {dimension} value split into segments.",
        "Pourcentages en colonne : comment les répondants de chaque valeur de « {dimension} » se répartissent entre segments.",
    ),
    "seg.xt.heatmap": ("Segments by {dimension} (column %)", "Segments selon « {dimension} » (% en colonne)"),
    "seg.xt.base_row": ("Base (n)", "Base (n)"),
    "seg.xt.test_chisq": (
        "{test}: χ² = {statistic}, {dof} degrees of freedom, {p}. Cramér's V = {v} ({strength}).",
        "{test} : χ² = {statistic}, {dof} degrés de liberté, {p}. V de Cramér = {v} ({strength}).",
    ),
    "seg.xt.test_f": (
        "{test}: F = {statistic} on {ndf} and {ddf} degrees of freedom, {p}. Cramér's V = {v} ({strength}).",
        "{test} : F = {statistic} à {ndf} et {ddf} degrés de liberté, {p}. V de Cramér = {v} ({strength}).",
    ),
    "seg.xt.not_computable": (
        "{test}: not computable here: {reason}. Cramér's V = {v} ({strength}).",
        "{test} : non calculable ici : {reason}. V de Cramér = {v} ({strength}).",
    ),
    "seg.xt.fisher": ("{test}: {p}. Cramér's V = {v} ({strength}).", "{test} : {p}. V de Cramér = {v} ({strength})."),
    "seg.xt.no_test": ("Too few non-empty rows or columns for a test.", "Trop peu de lignes ou colonnes non vides pour un test."),
    "seg.xt.sparse": (
        "Low base: more than 20 % of the cells expect fewer than 5 (effective) respondents, so the test is only "
        "approximate here; read it with care.",
        "Base faible : plus de 20 % des cases attendent moins de 5 répondants (effectifs), le test n'est donc "
        "qu'approché ici ; lisez-le avec prudence.",
    ),
    "seg.xt.tests": (
        "▲ / ▼: higher / lower than in the other {dimension} values, p < {alpha} after Benjamini–Hochberg correction over {n} tests.",
        "▲ / ▼ : plus élevé / plus faible que dans les autres valeurs de « {dimension} », p < {alpha} après correction de Benjamini–Hochberg sur {n} tests.",
    ),
    "seg.xt.cell_test": ("Each marker: {cell_test}.", "Chaque repère : {cell_test}."),
    "seg.xt.higher": ("higher than the other {dimension} values, p < {alpha} after correction", "part plus élevée que dans les autres valeurs de « {dimension} », p < {alpha} après correction"),
    "seg.xt.lower": ("lower than the other {dimension} values, p < {alpha} after correction", "part plus faible que dans les autres valeurs de « {dimension} », p < {alpha} après correction"),
    "seg.xt.markers": ("Significant differences", "Différences significatives"),
    "seg.xt.marker_line": ("{segment} among {value}: {share} — {verdict}", "{segment} parmi « {value} » : {share} — {verdict}"),
    "seg.xt.none_significant": ("No cell differs significantly after correction.", "Aucune case ne diffère significativement après correction."),
    "test.pearson": ("Pearson's χ² test", "Test du χ² de Pearson"),
    "test.rao_scott": ("Rao–Scott corrected χ² test (weighted)", "Test du χ² corrigé de Rao–Scott (pondéré)"),
    "test.rao_scott_f": ("Rao–Scott, second order (F)", "Rao–Scott, second ordre (F)"),
    "test.rao_scott_chisq": ("Rao–Scott, first order (χ²)", "Rao–Scott, premier ordre (χ²)"),
    "test.fisher": ("Fisher's exact test", "Test exact de Fisher"),
    "cell_test.pooled_z": ("two-proportion z test", "test z de deux proportions"),
    "cell_test.design_t": ("design-based t test (as R's svyttest)", "test t du plan de sondage (comme svyttest de R)"),
    "interval.wilson": ("Wilson score interval", "Intervalle du score de Wilson"),
    "interval.clopper_pearson": ("Clopper–Pearson exact interval", "Intervalle exact de Clopper–Pearson"),
    "interval.logit": ("Logit interval on the design variance", "Intervalle logit sur la variance du plan"),
    "interval.korn_graubard": (
        "Korn–Graubard interval on the design effective base",
        "Intervalle de Korn–Graubard sur la base effective du plan",
    ),
    "interval.clopper_pearson_kish": (
        "Clopper–Pearson interval on the Kish base (0 % or 100 %: no design variance)",
        "Intervalle de Clopper–Pearson sur la base de Kish (0 % ou 100 % : pas de variance de plan)",
    ),
    "difference.newcombe_hybrid_score": (
        "Newcombe's hybrid score interval, two-proportion z test",
        "Intervalle hybride du score de Newcombe, test z de deux proportions",
    ),
    "difference.design_t": (
        "Design-based t test and interval (as R's svyttest)",
        "Test t et intervalle du plan de sondage (comme svyttest de R)",
    ),
    "difference.newcombe_design": (
        "Newcombe's method on the survey's design interval and the study's Wilson interval, z test",
        "Méthode de Newcombe sur l'intervalle de plan de l'enquête et l'intervalle de Wilson de l'étude, test z",
    ),
    "difference.welch": ("Welch's t test", "Test t de Welch"),
    "stats.not_computable": ("not computable here: {reason}", "non calculable ici : {reason}"),
    "reason.no_respondents": ("no respondent", "aucun répondant"),
    "reason.no_degrees_of_freedom": (
        "too few respondents or clusters for a variance",
        "trop peu de répondants ou de grappes pour une variance",
    ),
    "reason.zero_variance": ("the answers do not vary", "les réponses ne varient pas"),
    "reason.lonely_psu": ("a stratum has a single cluster", "une strate n'a qu'une grappe"),
    "reason.singular": (
        "empty cells leave the test's matrix singular (one question largely determines the other)",
        "des cases vides rendent la matrice du test singulière (une question détermine presque l'autre)",
    ),
    "reason.one_category": ("only one category has answers", "une seule modalité a des réponses"),
    "seg.cmp.tests_design": (
        "Difference in points with its {level} interval: design-based t test (as R's svyttest), Benjamini–Hochberg over {n} tests.",
        "Écart en points avec son intervalle à {level} : test t du plan de sondage (comme svyttest de R), Benjamini–Hochberg sur {n} tests.",
    ),
    "seg.cmp.tests_reference_design": (
        "Difference in points with its {level} interval (Newcombe's method on the survey's design interval and the "
        "study's Wilson interval), z test, Benjamini–Hochberg over {n} tests.",
        "Écart en points avec son intervalle à {level} (méthode de Newcombe sur l'intervalle de plan de l'enquête et "
        "l'intervalle de Wilson de l'étude), test z, Benjamini–Hochberg sur {n} tests.",
    ),
    "strength.negligible": ("negligible", "négligeable"),
    "strength.weak": ("weak", "faible"),
    "strength.moderate": ("moderate", "modérée"),
    "strength.strong": ("strong", "forte"),
    "seg.cmp.mode": ("Compare", "Comparer"),
    "seg.cmp.reference": ("This data with the reference study", "Ces données à l'étude de référence"),
    "seg.cmp.groups": ("Two groups of this data", "Deux groupes de ces données"),
    "seg.cmp.by": ("Groups defined by", "Groupes définis par"),
    "seg.cmp.a": ("Group A", "Groupe A"),
    "seg.cmp.b": ("Group B (empty: all other values)", "Groupe B (vide : toutes les autres valeurs)"),
    "seg.cmp.pick": ("Choose the values of group A.", "Choisissez les valeurs du groupe A."),
    "seg.cmp.all_in_a": (
        "Group A holds every answer of “{column}”: take one out, so that group B has someone to compare with.",
        "Le groupe A contient toutes les réponses de « {column} » : retirez-en une pour que le groupe B ait "
        "quelqu'un à qui le comparer.",
    ),
    "seg.cmp.caveat": (
        "The reference study published a base of {n} companies but not how many answered; it is treated as {n} answers, so its interval is at best this narrow.",
        "L'étude de référence publie une base de {n} entreprises mais pas le nombre de réponses ; elle est traitée comme {n} réponses, son intervalle est donc au mieux aussi étroit.",
    ),
    "seg.cmp.bases": ("{a}: n = {n_a} (effective base {e_a}); {b}: n = {n_b} (effective base {e_b}).", "{a} : n = {n_a} (base effective {e_a}) ; {b} : n = {n_b} (base effective {e_b})."),
    "seg.cmp.tests": (
        "Difference in points with its {level} Newcombe interval; two-proportion z-test on effective bases, Benjamini–Hochberg over {n} tests.",
        "Écart en points avec son intervalle de Newcombe à {level} ; test z de deux proportions sur les bases effectives, Benjamini–Hochberg sur {n} tests.",
    ),
    "seg.cmp.chart": ("Difference in points: {a} minus {b}", "Écart en points : {a} moins {b}"),
    "seg.col.difference": ("Difference (points)", "Écart (points)"),
    "seg.col.p_adjusted": ("p after correction", "p après correction"),
    "seg.col.verdict": ("Verdict", "Verdict"),
    # the verdict of a difference (first side minus second), as explore.direction decides it
    "seg.verdict.higher": ("higher", "plus élevée"),
    "seg.verdict.lower": ("lower", "plus faible"),
    "seg.verdict.same": ("no clear difference", "pas de différence nette"),
    "seg.verdict.untested": ("not tested: base too small", "non testée : base trop faible"),
    "seg.cmp.defined": (
        "Group A: “{by}” is {a}. Group B: {b}.", "Groupe A : « {by} » vaut {a}. Groupe B : {b}.",
    ),
    "seg.cmp.group_a": ("Group A", "Groupe A"),
    "seg.cmp.group_b": ("Group B", "Groupe B"),
    "seg.cmp.bases_reference": (
        "{a}: n = {n_a} (effective base {e_a}). {b}: a published base of {n} companies; how many answered is unknown.",
        "{a} : n = {n_a} (base effective {e_a}). {b} : une base publiée de {n} entreprises ; le nombre de réponses est inconnu.",
    ),
    "seg.col.strength": ("Strength", "Force"),
    "column.series": ("Series", "Série"),
    "chart.share_legend": (
        "Lines: {level} intervals. Pale bars: low base; no bar: base too small to show.",
        "Traits : intervalles à {level}. Barres pâles : base faible ; pas de barre : base trop faible pour être montrée.",
    ),
    "chart.difference_legend": (
        "Dots: differences in points; lines: their {level} intervals. Green: higher, red: lower after correction; grey: no clear difference.",
        "Points : écarts en points ; traits : leurs intervalles à {level}. Vert : plus élevé, rouge : plus faible après correction ; gris : pas de différence nette.",
    ),
    "channels.week_of": ("week of {day}", "semaine du {day}"),
    "chart.summary.shares": (
        "Highest: {high} ({high_share}); lowest: {low} ({low_share}).",
        "Part la plus élevée : {high} ({high_share}) ; la plus faible : {low} ({low_share}).",
    ),
    "chart.summary.differences": (
        "{n} differences drawn; {held} hold after correction.",
        "{n} écarts tracés ; {held} tiennent après correction.",
    ),
    "chart.summary.grid": ("Largest cell: {row}, {column}: {share}.", "Case la plus forte : {row}, {column} : {share}."),
    "chart.summary.trend": ("{n} periods; first: {first}; last: {last}.", "{n} périodes ; la première : {first} ; la dernière : {last}."),
    "chart.summary.empty": ("No figure to draw.", "Aucun chiffre à tracer."),
    "chart.table": ("Figures of this chart", "Chiffres de ce graphique"),
    "seg.everyone_else": ("everyone else", "tous les autres"),
    "seg.rest": ("other segments", "autres segments"),
    "seg.ch.none": (
        "This survey has no per-company channel figures (columns such as search_share, external_share, direct_share).",
        "Cette enquête n'a pas de chiffres de canaux par entreprise (colonnes comme search_share, external_share, direct_share).",
    ),
    "seg.ch.chart": ("Channel mix of each segment (mean of each company's own shares)", "Mix de canaux de chaque segment (moyenne des parts propres à chaque entreprise)"),
    "seg.ch.caption": (
        "Mean share in points with its {level} interval (Student's t, weighted when the survey is).",
        "Part moyenne en points avec son intervalle à {level} (t de Student, pondéré si l'enquête l'est).",
    ),
    "seg.ch.all": ("All segments", "Tous les segments"),
    "seg.ch.first": ("Segment", "Segment"),
    "seg.ch.second": ("compared with", "comparé à"),
    "seg.ch.tests": (
        "Welch's t-test per channel on effective bases, Benjamini–Hochberg over {n} tests.",
        "Test t de Welch par canal sur les bases effectives, Benjamini–Hochberg sur {n} tests.",
    ),
    "seg.ch.same_pair": ("Pick two different segments.", "Choisissez deux segments différents."),
    "seg.col.mean": ("Mean share", "Part moyenne"),
    "seg.pr.segment": ("Profile of", "Profil de"),
    "seg.pr.follows": ("Profile of the clicked segment.", "Profil du segment cliqué."),
    "seg.pr.caption": (
        "{segment} against all other segments on every question, largest differences first; Benjamini–Hochberg over {n} tests.",
        "{segment} face à tous les autres segments sur chaque question, les plus grands écarts d'abord ; Benjamini–Hochberg sur {n} tests.",
    ),
    "seg.pr.dimensions": ("Strength of the link with each question", "Force du lien avec chaque question"),
    "seg.pr.chart": ("Largest differences: {segment} minus other segments", "Plus grands écarts : {segment} moins autres segments"),
    "seg.col.question": ("Question", "Question"),
    "seg.col.answer": ("Answer", "Réponse"),
    "seg.col.test": ("Test", "Test"),
    "seg.col.p": ("p", "p"),
    "seg.col.cramers_v": ("Cramér's V", "V de Cramér"),
    "column.channels": ("Channels (mean share)", "Canaux (part moyenne)"),
    "column.satisfaction": ("Satisfaction", "Satisfaction"),
    "column.social_budget_usd": ("Social budget (USD)", "Budget social (USD)"),
    "column.search_share": ("Search engines share (%)", "Part moteurs de recherche (%)"),
    "column.external_share": ("External links share (%)", "Part liens externes (%)"),
    "column.direct_share": ("Direct access share (%)", "Part accès directs (%)"),
    # --- channels explorer (issue 5)
    "channels.devices_only": (
        "This file splits sessions by device only: channels need a channel, source / medium or referrer column.",
        "Ce fichier ne répartit les visites que par appareil : les canaux demandent une colonne de canal, de "
        "source / support ou d'URL référente.",
    ),
    "strategy.unassigned": ("Unassigned", "Non attribué"),
    "channels.mode": ("Rules", "Règles"),
    "channels.mode.strict": ("Strict GA4", "GA4 strict"),
    "channels.mode.enriched": ("Enriched", "Enrichi"),
    "channels.mode_help": (
        "Strict GA4: Google's own rules and its published list of search, social, shopping and video sites, "
        "source for source. Enriched: the project's list (country domains, AI assistants, shops and networks "
        "Google's list lacks, each difference documented), and webmail and Android-app referrers mapped "
        "(Gmail app → Email, Facebook app → Organic Social).",
        "GA4 strict : les règles de Google et sa liste publiée de sites de recherche, réseaux sociaux, shopping "
        "et vidéo, source par source. Enrichi : la liste du projet (domaines nationaux, assistants IA, boutiques "
        "et réseaux absents de la liste de Google, chaque écart documenté), et les webmails et applis Android "
        "référentes classés (appli Gmail → E-mail, appli Facebook → Réseaux sociaux naturels).",
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
    "channels.period_previous": ("Previous period: {period}", "Période précédente : {period}"),
    "channels.period_incomplete": ("Pick a start date and an end date.", "Choisissez une date de début et une date de fin."),
    "channels.period_empty": (
        "No sessions from {start} to {end}: pick another period.",
        "Aucune visite du {start} au {end} : choisissez une autre période.",
    ),
    "channels.change_chart": ("Change in points from “{a}” to “{b}”", "Évolution en points entre « {a} » et « {b} »"),
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
    # agreement with the channel GA4 itself wrote beside each source / medium (issue 16)
    "channels.agreement": ("Agreement with GA4's own channels", "Accord avec les canaux de GA4"),
    "channels.agreement_summary": (
        "{share} of sessions ({n} of {total}) get the channel GA4 wrote beside their source / medium.",
        "{share} des visites ({n} sur {total}) reçoivent le canal que GA4 a écrit à côté de leur source / support.",
    ),
    "channels.agreement_all": (
        "Every session gets the channel GA4 wrote beside its source / medium.",
        "Chaque visite reçoit le canal que GA4 a écrit à côté de sa source / son support.",
    ),
    "channels.agreement.col.label": ("Channel in GA4", "Canal dans GA4"),
    "channels.agreement.col.source_medium": ("Source / medium", "Source / support"),
    "channels.agreement.col.channel": ("Channel here", "Canal ici"),
    "channels.agreement.col.reason": ("Why", "Pourquoi"),
    "channels.agreement.reason.other_row": (
        "GA4's \"(other)\" row: many rows folded into one past GA4's row limits.",
        "Ligne « (other) » de GA4 : des lignes regroupées au-delà des limites de GA4.",
    ),
    "channels.agreement.reason.custom_channel_group": (
        "The label is none of GA4's default channels: the file carries a custom or manual channel group.",
        "Ce libellé n'est aucun des canaux par défaut de GA4 : le fichier porte un groupe de canaux personnalisé ou manuel.",
    ),
    "channels.agreement.reason.ai_channel": (
        "The AI assistants channel is on; GA4 has none and says Referral.",
        "Le canal Assistants IA est activé ; GA4 n'en a pas et dit Sites référents.",
    ),
    "channels.agreement.reason.own_domain": (
        "One of your own domains, counted as direct here.",
        "Un de vos propres domaines, compté ici en accès direct.",
    ),
    "channels.agreement.reason.enriched_mode": (
        "Enriched rules: the project's source list differs from Google's here (see data/source_differences.csv).",
        "Règles enrichies : la liste de sources du projet diffère ici de celle de Google (voir data/source_differences.csv).",
    ),
    "channels.agreement.reason.cross_network": (
        "GA4 knows the Google Ads campaign type (Performance Max, Demand Gen); the campaign name in the file does not say cross-network.",
        "GA4 connaît le type de campagne Google Ads (Performance Max, Demand Gen) ; le nom de campagne du fichier ne dit pas cross-network.",
    ),
    "channels.agreement.reason.campaign_missing": (
        "GA4 may take Shopping from the campaign name, and the file has no campaign column.",
        "GA4 peut tirer Shopping du nom de campagne, et le fichier n'a pas de colonne de campagne.",
    ),
    "channels.agreement.reason.auto_tagging": (
        "A paid channel in GA4 while the medium says nothing paid: GA4 saw an ad click id (gclid auto-tagging) the file lacks.",
        "Un canal payant dans GA4 alors que le support ne dit rien de payant : GA4 a vu un identifiant de clic publicitaire (gclid, marquage automatique) absent du fichier.",
    ),
    "channels.agreement.reason.ads_network": (
        "GA4 used the ad network (Display Network, YouTube) from Google Ads, DV360 or SA360, which the file lacks.",
        "GA4 a utilisé le réseau publicitaire (Réseau Display, YouTube) de Google Ads, DV360 ou SA360, absent du fichier.",
    ),
    "channels.agreement.reason.unknown": (
        "Not explained by the file: please report it.",
        "Non expliqué par le fichier : merci de le signaler.",
    ),
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
    "share.link": ("Link to this view", "Lien vers cette vue"),
    "share.link_help": (
        "Copy this address to share exactly what you see: page, data, filters, clicked segments and settings. "
        "It opens the same figures in any browser and either language.",
        "Copiez cette adresse pour partager exactement ce que vous voyez : page, données, filtres, segments "
        "cliqués et réglages. Elle ouvre les mêmes chiffres dans tout navigateur et dans les deux langues.",
    ),
    "share.unsaved": (
        "No link: this dataset is not saved in the workspace, so a link could not open it elsewhere; it stays "
        "open in this session only.",
        "Pas de lien : ce jeu de données n'est pas enregistré dans l'espace de travail, un lien ne pourrait donc "
        "pas l'ouvrir ailleurs ; il reste ouvert dans cette session seulement.",
    ),
    "share.older": (
        "The latest changes to this dataset are not saved: the link opens it as it was last saved.",
        "Les dernières modifications de ce jeu de données ne sont pas enregistrées : le lien l'ouvre tel "
        "qu'il a été enregistré la dernière fois.",
    ),
    "ws.unexpected": (
        "Saving to the workspace failed unexpectedly; the problem has been logged, and the data stays open in "
        "this session.",
        "L'enregistrement dans l'espace de travail a échoué de façon inattendue ; le problème a été consigné, "
        "et les données restent ouvertes dans cette session.",
    ),
    "ws.intro": (
        "Upload a survey panel or an analytics export (CSV, TSV, Excel, Parquet; GA4 and Matomo exports as "
        "they come). Check what was detected, correct the column roles, then open it on the segments or "
        "channels page. The file and your choices are saved on the server: only this session lists it, and "
        "the link of a view opens it again, even after a restart.",
        "Déposez un panel d'enquête ou un export d'analytics (CSV, TSV, Excel, Parquet ; exports GA4 et "
        "Matomo tels quels). Vérifiez ce qui a été détecté, corrigez le rôle des colonnes, puis ouvrez-le "
        "dans la page segments ou canaux. Le fichier et vos choix sont enregistrés sur le serveur : seule "
        "cette session le liste, et le lien d'une vue le rouvre, même après un redémarrage.",
    ),
    "ws.saving": ("Saving to your workspace…", "Enregistrement dans votre espace…"),
    "ws.saved": (
        "“{name}” is saved: its link keeps working after a restart.",
        "« {name} » est enregistré : son lien fonctionnera encore après un redémarrage.",
    ),
    "ws.sidebar": ("Your saved datasets ({n})", "Vos jeux de données enregistrés ({n})"),
    "ws.rows": ("{n} rows", "{n} lignes"),
    "ws.manage": ("Rename or delete", "Renommer ou supprimer"),
    "ws.heading": ("Saved datasets", "Jeux de données enregistrés"),
    "ws.caption": (
        "Kept in the workspace on the server. Only this browser session lists them; a link to one opens it anywhere.",
        "Conservés dans l'espace de travail du serveur. Seule cette session les liste ; un lien vers l'un d'eux "
        "l'ouvre partout.",
    ),
    "ws.col.name": ("Name", "Nom"),
    "ws.col.file": ("File", "Fichier"),
    "ws.col.kind": ("Kind of data", "Type de données"),
    "ws.col.rows": ("Rows", "Lignes"),
    "ws.col.saved": ("Saved on", "Enregistré le"),
    "ws.name": ("Name of this dataset", "Nom de ce jeu de données"),
    "ws.rename": ("Rename", "Renommer"),
    "ws.renamed": ("Renamed “{name}”.", "Renommé « {name} »."),
    "ws.delete": ("Delete", "Supprimer"),
    "ws.delete_help": (
        "“{name}” will be removed from the workspace: its links will stop working.",
        "« {name} » sera retiré de l'espace de travail : ses liens ne fonctionneront plus.",
    ),
    "ws.delete_confirm": ("Delete for good", "Supprimer définitivement"),
    "ws.deleted": ("“{name}” was deleted.", "« {name} » a été supprimé."),
    "export.heading": ("Download the data and a report", "Télécharger les données et un rapport"),
    "export.data_help": (
        "The data behind this view: {n} rows with every column. In the CSV files, text a spreadsheet would run "
        "as a formula starts with an apostrophe; the Excel file keeps it as plain text.",
        "Les données de cette vue : {n} lignes avec toutes leurs colonnes. Dans les CSV, un texte qu'un tableur "
        "exécuterait comme une formule commence par une apostrophe ; le fichier Excel le garde en texte simple.",
    ),
    "export.nothing": ("No row matches the filters: nothing to download.", "Aucune ligne ne correspond aux filtres : rien à télécharger."),
    "export.csv": ("CSV (UTF-8)", "CSV (UTF-8)"),
    "export.csv_fr": ("CSV for French Excel", "CSV pour Excel en français"),
    "export.csv_fr_help": (
        "Semicolons, decimal commas and a byte-order mark, so French Excel opens it right.",
        "Points-virgules, virgules décimales et marque d'ordre des octets : Excel en français l'ouvre correctement.",
    ),
    "export.xlsx": ("Excel (.xlsx)", "Excel (.xlsx)"),
    "export.xlsx_too_big": (
        "An Excel sheet holds at most {n} rows: narrow the filters or download the CSV.",
        "Une feuille Excel contient au plus {n} lignes : resserrez les filtres ou téléchargez le CSV.",
    ),
    "export.chart": ("Download chart", "Télécharger le graphique"),
    "export.png": ("PNG image", "Image PNG"),
    "export.svg": ("SVG (vector)", "SVG (vectoriel)"),
    "export.report_help": (
        "The view on one A4 page: the charts, the figures with their bases and intervals, the filters in force, "
        "the sources with their caveats and the methods in plain words.",
        "La vue sur une page A4 : les graphiques, les chiffres avec leurs bases et intervalles, les filtres "
        "appliqués, les sources avec leurs réserves et les méthodes en clair.",
    ),
    "export.report_full": ("Every tab, on several pages", "Tous les onglets, sur plusieurs pages"),
    "export.report_full_help": (
        "Off: the view on screen on one A4 page (landscape when it is wide). On: the figures of every tab.",
        "Désactivé : la vue à l'écran sur une page A4 (à l'italienne si elle est large). Activé : les chiffres de tous les onglets.",
    ),
    "export.report_full_contents": (
        "Every tab on as many A4 pages as it takes: the charts, every table with its bases and intervals, the "
        "filters in force, the sources with their caveats and the methods in plain words.",
        "Tous les onglets sur autant de pages A4 qu'il faut : les graphiques, chaque tableau avec ses bases et "
        "intervalles, les filtres appliqués, les sources avec leurs réserves et les méthodes en clair.",
    ),
    "export.report_html": ("Report (HTML)", "Rapport (HTML)"),
    "export.report_pdf": ("Report (PDF)", "Rapport (PDF)"),
    "export.no_pdf": (
        "PDF needs WeasyPrint and Pango on the server: download the HTML report and print it to PDF.",
        "Le PDF demande WeasyPrint et Pango sur le serveur : téléchargez le rapport HTML et imprimez-le en PDF.",
    ),
    "report.title_segments": ("Segments — {name}", "Segments — {name}"),
    "report.title_channels": ("Channels — {name}", "Canaux — {name}"),
    "report.upload_source": (
        "Your file “{name}”: {used} rows used of {read} read.",
        "Votre fichier « {name} » : {used} lignes utilisées sur {read} lues.",
    ),
    "report.focus": ("Clicked segments", "Segments cliqués"),
    "report.any_of": ("any of {values}", "au moins un de {values}"),
    "report.range": ("{low} to {high}", "de {low} à {high}"),
    "report.on": ("On", "Activé"),
    "report.off": ("Off", "Désactivé"),
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
        "Weights make a sample less precise. The precision of each weighted figure comes from the sampling design: "
        "its variance is computed as R's survey package does (Taylor linearisation, with the clusters and strata "
        "the file names), which gives its design effect and its effective base, the number of unweighted answers "
        "that would be as precise. The Kish base, (sum of weights)² / sum of squared weights, describes the "
        "weights alone; it decides when a base is too small or low.",
        "Les poids rendent un échantillon moins précis. La précision de chaque chiffre pondéré vient du plan de "
        "sondage : sa variance est calculée comme le fait le paquet survey de R (linéarisation de Taylor, avec les "
        "grappes et strates que nomme le fichier), d'où son effet de plan et sa base effective, le nombre de "
        "réponses non pondérées aussi précis. La base de Kish, (somme des poids)² / somme des poids au carré, "
        "décrit les poids seuls ; c'est elle qui dit quand une base est trop faible ou faible.",
    ),
    "report.method.wilson": (
        "An interval is the range of true shares compatible with the answers at the chosen level: the Wilson score "
        "interval without weights, the logit interval on the design variance with weights (R's default). The "
        "smaller the base, the wider it is.",
        "Un intervalle est la fourchette des vraies parts compatibles avec les réponses au niveau choisi : "
        "intervalle du score de Wilson sans pondération, intervalle logit sur la variance du plan avec pondération "
        "(celui de R par défaut). Plus la base est petite, plus il est large.",
    ),
    "report.method.clopper_pearson": (
        "Below 30 effective answers, or with fewer than 5 in the rarer answer, the exact Clopper–Pearson interval "
        "is used without weights (it never covers less than the stated level) and the Korn–Graubard interval with "
        "weights (Clopper–Pearson on the design effective base: the cautious choice, though no weighted interval "
        "can promise its level). A weighted share of 0 % or 100 % has no design variance; its interval is "
        "Clopper–Pearson on the Kish base.",
        "Sous 30 réponses effectives, ou avec moins de 5 dans la réponse la plus rare, l'intervalle exact de "
        "Clopper–Pearson est utilisé sans pondération (il ne couvre jamais moins que le niveau annoncé) et celui de "
        "Korn–Graubard avec pondération (Clopper–Pearson sur la base effective du plan : le choix prudent, même si "
        "aucun intervalle pondéré ne peut garantir son niveau). Une part pondérée de 0 % ou 100 % n'a pas de "
        "variance de plan ; son intervalle est celui de Clopper–Pearson sur la base de Kish.",
    ),
    "report.method.bases": (
        "Every figure shows its base. Below 10 effective answers a figure is not shown; below 30 it is flagged as a low base.",
        "Chaque chiffre indique sa base. En dessous de 10 réponses effectives, le chiffre n'est pas montré ; "
        "en dessous de 30, il est signalé comme base faible.",
    ),
    "report.method.difference": (
        "Two shares are called different when the interval of their difference leaves out zero. Without weights: "
        "Newcombe's interval and the two-proportion z test. With weights, two groups of the survey: the "
        "design-based t test of R's svyttest; the survey against the published study: Newcombe's method on both "
        "shares' intervals with a z test.",
        "Deux parts sont dites différentes quand l'intervalle de leur écart exclut zéro. Sans pondération : "
        "intervalle de Newcombe et test z de deux proportions. Avec pondération, deux groupes de l'enquête : test t "
        "du plan de sondage (svyttest de R) ; l'enquête face à l'étude publiée : méthode de Newcombe sur les "
        "intervalles des deux parts, avec un test z.",
    ),
    "report.method.multiple": (
        "When many comparisons are shown at once, p-values are adjusted (Benjamini–Hochberg) so that chance "
        "findings stay rare; the number of comparisons is stated.",
        "Quand beaucoup de comparaisons sont montrées ensemble, les valeurs p sont ajustées "
        "(Benjamini–Hochberg) pour que les trouvailles dues au hasard restent rares ; le nombre de comparaisons est indiqué.",
    ),
    "report.method.crosstab": (
        "Whether two questions are linked is tested with Pearson's chi-squared test without weights (Fisher's "
        "exact test for small 2×2 tables) and with the second-order Rao–Scott F test with weights (R's svychisq "
        "default; small tables carry a low-base warning). Each marked cell is tested against the other columns "
        "(two-proportion z test, or the design-based t test with weights). Cramér's V says how strong the link "
        "is (0 = none, 1 = total).",
        "Le lien entre deux questions est testé par le khi-deux de Pearson sans pondération (test exact de Fisher "
        "pour les petits tableaux 2×2) et par le test F de Rao–Scott du second ordre avec pondération (celui de "
        "svychisq de R par défaut ; les petits tableaux portent un avertissement de base faible). Chaque case "
        "signalée est testée contre les autres colonnes (test z de deux proportions, ou test t du plan de sondage "
        "avec pondération). Le V de Cramér dit la force du lien (0 = aucun, 1 = total).",
    ),
    "report.method.not_computable": (
        "A figure that cannot be computed on the data at hand (no respondent, answers that do not vary, a stratum "
        "with a single cluster, one question determining the other) says so in its place.",
        "Un chiffre incalculable sur les données présentes (aucun répondant, réponses qui ne varient pas, strate à "
        "une seule grappe, une question qui détermine l'autre) le dit à sa place.",
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
    "msg.traffic.total": ("{n} sessions", "{n} visites"),
    "msg.traffic.total_shares": ("Shares of visits from column '{column}': the table gives no number of sessions",
                                 "Parts des visites de la colonne « {column} » : le tableau ne donne pas de nombre de visites"),
    "msg.traffic.total_of": ("{n} counted in column '{column}' (not sessions)",
                             "{n} comptés dans la colonne « {column} » (pas des visites)"),
    # connected data sources: the origin cube computed by an engine (digistrat.engines)
    "msg.origin.session_source": (
        "Channels computed with the rules from the session source / medium GA4 attributed ({columns}), or from the first page's referrer and address where GA4 gives none.",
        "Canaux calculés par les règles à partir de la source / du support de session attribués par GA4 ({columns}), ou du référent et de l'adresse de la première page quand GA4 n'en donne pas.",
    ),
    "msg.engine.no_files": (
        "No Parquet file at '{path}'; give a folder of a GA4 export's Parquet files (events_YYYYMMDD.parquet), one such file or a glob.",
        "Aucun fichier Parquet à « {path} » ; indiquez un dossier de fichiers Parquet d'un export GA4 (events_AAAAMMJJ.parquet), un tel fichier ou un motif glob.",
    ),
    "msg.engine.csv_not_ga4": (
        "'{path}' holds CSV files, which cannot carry a GA4 export's nested events; export the tables as Parquet (bq extract --destination_format PARQUET), or upload a session log on this page.",
        "« {path} » contient des fichiers CSV, qui ne peuvent pas porter les événements imbriqués d'un export GA4 ; exportez les tables en Parquet (bq extract --destination_format PARQUET), ou déposez un journal de sessions sur cette page.",
    ),
    "msg.engine.not_ga4": (
        "'{path}' is not a GA4 BigQuery export: it has no {missing} column; connect the folder of the export's events_YYYYMMDD tables.",
        "« {path} » n'est pas un export BigQuery de GA4 : il n'a pas de colonne {missing} ; connectez le dossier des tables events_AAAAMMJJ de l'export.",
    ),
    "msg.engine.unreadable": (
        "'{path}' could not be read ({reason}); check that its files are whole Parquet files.",
        "« {path} » n'a pas pu être lu ({reason}) ; vérifiez que ses fichiers sont des fichiers Parquet complets.",
    ),
    "msg.engine.unknown": (
        "Unknown engine '{engine}'; use one of {engines}.", "Moteur « {engine} » inconnu ; utilisez {engines}.",
    ),
    "msg.engine.no_path": (
        "The {engine} engine needs a folder, a file or a glob of Parquet files; give one.",
        "Le moteur {engine} demande un dossier, un fichier ou un motif de fichiers Parquet ; indiquez-en un.",
    ),
    "msg.engine.missing_package": (
        "The {engine} engine needs the Python package {package}; install it (pip install {package}).",
        "Le moteur {engine} demande le paquet Python {package} ; installez-le (pip install {package}).",
    ),
    "msg.engine.spark_start": (
        "Spark did not start on {master} ({reason}); check that Java 17 is installed (Debian: openjdk-17-jre-headless) and the master can be reached.",
        "Spark n'a pas démarré sur {master} ({reason}) ; vérifiez que Java 17 est installé (Debian : openjdk-17-jre-headless) et que le maître est joignable.",
    ),
    "msg.engine.bigquery_where": (
        "BigQuery needs a project and the export's dataset (analytics_<property id>); name both.",
        "BigQuery demande un projet et le jeu de données de l'export (analytics_<id de propriété>) ; indiquez les deux.",
    ),
    "msg.engine.bigquery_target": (
        "'{target}' is not a BigQuery project and dataset; write it project.analytics_123456789.",
        "« {target} » n'est pas un projet et un jeu de données BigQuery ; écrivez-le projet.analytics_123456789.",
    ),
    "msg.engine.bigquery_failed": (
        "BigQuery refused the query ({reason}); check the credentials in GOOGLE_APPLICATION_CREDENTIALS and the dataset's name.",
        "BigQuery a refusé la requête ({reason}) ; vérifiez les identifiants de GOOGLE_APPLICATION_CREDENTIALS et le nom du jeu de données.",
    ),
    "msg.engine.period_reversed": (
        "The range ends ({end}) before it starts ({start}); put the first day first.",
        "La période finit ({end}) avant de commencer ({start}) ; mettez le premier jour en premier.",
    ),
    "msg.engine.no_sessions": (
        "'{source}' has no session in the days asked for; widen the date range.",
        "« {source} » n'a aucune session sur les jours demandés ; élargissez la période.",
    ),
    "msg.engine.computed": (
        "Origin cube computed by {engine} in {seconds} s: {events} events, {sessions} sessions ({orphans} events without a ga_session_id left out).",
        "Cube des origines calculé par {engine} en {seconds} s : {events} événements, {sessions} sessions ({orphans} événements sans ga_session_id laissés de côté).",
    ),
    "connect.heading": ("Connect a data source", "Connecter une source de données"),
    "connect.help": (
        "A GA4 BigQuery export too large to upload: the origin cube is computed where the data lives and only the cube comes back.",
        "Un export BigQuery de GA4 trop gros pour être déposé : le cube des origines est calculé là où sont les données, et seul le cube revient.",
    ),
    "connect.named": ("Connection", "Connexion"),
    "connect.custom": ("A folder on this server", "Un dossier de ce serveur"),
    "connect.engine": ("Engine", "Moteur"),
    "connect.path": ("Parquet folder, file or glob", "Dossier, fichier ou motif Parquet"),
    "connect.path_help": (
        "A folder of events_YYYYMMDD.parquet files (a GA4 export extracted from BigQuery), read on this server.",
        "Un dossier de fichiers events_AAAAMMJJ.parquet (un export GA4 extrait de BigQuery), lu sur ce serveur.",
    ),
    "connect.from": ("From", "Du"),
    "connect.to": ("To", "Au"),
    "connect.button": ("Compute the channels", "Calculer les canaux"),
    "connect.running": ("Computing the origin cube with {engine}…", "Calcul du cube des origines avec {engine}…"),
    "connect.cube_rows": ("the cube holds {n} rows", "le cube compte {n} lignes"),
    "connect.done": ("{name} is on the Channels page.", "{name} est sur la page Canaux."),
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


# ---------------------------------------------------------------- numbers, shares, dates
#
# One way each, in both languages: every figure a person reads goes through these functions
# (pages, tables, chart labels and axes, the report, the CLI's text).

MINUS = "\u2212"  # the one minus sign, as d3-format (chart axes) writes it too
NNBSP = "\u202f"  # French thousands mark and the space before % (narrow no-break space)
DASH = "\u2013"  # between the two bounds of an interval
NONE = "–"  # a figure that is not there (suppressed, not computable)
_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}
_SHORT_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."),
}
_DAYS = {
    "en": ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"),
    "fr": ("dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"),
}
# Bases (effective answers) from which a computed share gets one decimal: below, an interval
# spans about ±10 points, so a decimal would only be noise.
ONE_DECIMAL_BASE = 100


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, lang: str, decimals: int = 0) -> str:
    """1234.5 -> '1,234.5' (en) or '1 234,5' (fr, narrow no-break space as thousands mark);
    negatives with the minus sign U+2212; '–' when there is no figure."""
    if _missing(value):
        return NONE
    rounded = _rounded(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return (MINUS if rounded < 0 else "") + text


def _rounded(value: float, decimals: int) -> Decimal:
    """`value` rounded half away from zero at its shortest decimal writing (7.75 -> 7.8, 10.25
    -> 10.3), as people and spreadsheets round, not to the nearest even binary value."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def share_decimals(base: float | None) -> int:
    """Decimals of a share computed on `base` (effective) answers: none below ONE_DECIMAL_BASE,
    one from there (the same figure is rounded the same way wherever it is shown)."""
    return 1 if base is not None and not _missing(base) and base >= ONE_DECIMAL_BASE else 0


def published_decimals(points: float) -> int:
    """The decimals a published figure has (6 -> 0, 10.5 -> 1, 7.75 -> 2): shown as published."""
    for decimals in range(3):
        if abs(round(points, decimals) - points) < 1e-9:
            return decimals
    return 2


def format_percent(points: float | None, lang: str, decimals: int) -> str:
    """Points with exactly `decimals` decimals: '54.8%' (en), '54,8 %' (fr); '–' when missing."""
    if _missing(points):
        return NONE
    number = format_number(points, lang, decimals)
    return f"{number}{NNBSP}%" if lang == "fr" else f"{number}%"


def format_signed(points: float | None, lang: str, decimals: int = 1) -> str:
    """A difference in points with its sign: '+2.3', '−1.2', '0.0' ('+2,3' in French)."""
    if _missing(points):
        return NONE
    text = format_number(points, lang, decimals)
    return "+" + text if _rounded(points, decimals) > 0 else text


def format_interval(low: float | None, high: float | None, lang: str, decimals: int, *, signed: bool = False) -> str:
    """The one interval format, both bounds with the same decimals: '4.0% – 8.9%' for shares,
    '−4.1 – +2.0' for differences in points (`signed`)."""
    if _missing(low) or _missing(high):
        return NONE
    if signed:
        return f"{format_signed(low, lang, decimals)} {DASH} {format_signed(high, lang, decimals)}"
    return f"{format_percent(low, lang, decimals)} {DASH} {format_percent(high, lang, decimals)}"


P_FLOOR = 0.001  # p-values below it are written "< 0.001"


def format_p(p: float | None, lang: str) -> str:
    """A p-value as a table cell: '0.030', '< 0.001' (French decimal comma)."""
    if _missing(p):
        return NONE
    if p < P_FLOOR:
        return "< " + format_number(P_FLOOR, lang, 3)
    return format_number(p, lang, 3)


def p_clause(p: float | None, lang: str) -> str:
    """A p-value in a sentence: 'p = 0.030', 'p < 0.001'."""
    text = format_p(p, lang)
    if text == NONE:
        return "p = " + NONE
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def format_level(level: float, lang: str) -> str:
    """A confidence level (0.95) as '95%' / '95 %'."""
    return format_percent(level * 100, lang, published_decimals(level * 100))


def interval_heading(level: float, lang: str) -> str:
    """The column heading of intervals: '95% interval' / 'Intervalle à 95 %' (the one wording)."""
    return label("interval.heading", lang, level=format_level(level, lang))


def format_date(day: dt.date, lang: str) -> str:
    """A day, day first: '4 Jan 2024' (en), '4 janv. 2024' (fr)."""
    return f"{day.day} {_SHORT_MONTHS[_lang(lang)][day.month - 1]} {day.year}"


def format_month(day: dt.date, lang: str) -> str:
    """A month: 'January 2024' (en), 'janvier 2024' (fr)."""
    return f"{_MONTHS[_lang(lang)][day.month - 1]} {day.year}"


def format_period(start: dt.date, end: dt.date, lang: str) -> str:
    """A span of days as a label: '4 Jan 2024 – 31 Jan 2024'."""
    return f"{format_date(start, lang)} {DASH} {format_date(end, lang)}"


def _lang(lang: str) -> str:
    return "fr" if lang == "fr" else "en"


# Chart axes and time labels follow the language through Vega's own locale (config.locale):
# the same decimal mark, thousands mark, minus sign and month names as the functions above.
TIME_FORMATS = {"day": "%-d %b", "week": "%-d %b", "month": "%b %Y"}


def chart_locale(lang: str) -> dict:
    """Vega's locale definitions (d3-format and d3-time-format) for `lang`."""
    lang = _lang(lang)
    number = (
        {"decimal": ",", "thousands": NNBSP, "grouping": [3], "currency": ["", f"{NNBSP}€"], "minus": MINUS,
         "percent": f"{NNBSP}%"}
        if lang == "fr"
        else {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""], "minus": MINUS,
              "percent": "%"}
    )
    time = {
        "dateTime": "%A %e %B %Y, %X" if lang == "fr" else "%a %b %e %X %Y",
        "date": "%d/%m/%Y" if lang == "fr" else "%m/%d/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": list(_DAYS[lang]),
        "shortDays": [d[:3] + ("." if lang == "fr" else "") for d in _DAYS[lang]],
        "months": list(_MONTHS[lang]),
        "shortMonths": list(_SHORT_MONTHS[lang]),
    }
    return {"number": number, "time": time}
