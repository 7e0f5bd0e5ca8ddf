"""The five satisfaction segments of the Nextstage study, defined once (FACTS.md §1)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    key: str
    label_en: str
    label_fr: str
    colour: str
    description_en: str
    description_fr: str

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def description(self, lang: str) -> str:
        return self.description_fr if lang == "fr" else self.description_en


# Order follows the article (from least to most numerous); colours are a colour-blind-safe set.
SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "newcomers", "Newcomers", "Les nouvelles venues", "#56B4E9",
        "New to social-media marketing; they keep going before assessing it.",
        "Nouvelles venues sur le marketing des médias sociaux ; elles continuent avant de faire le point.",
    ),
    Segment(
        "convinced", "Convinced", "Les convaincues", "#009E73",
        "Know and engage their communities, go where their targets go, want better measurement.",
        "Connaissent et respectent leurs communautés, vont là où vont leurs cibles, veulent mieux mesurer.",
    ),
    Segment(
        "adapters", "Adapters", "Les tenants de l'adaptation", "#E69F00",
        "Not satisfied: keep social marketing but rebuild it on measurable actions.",
        "Pas satisfaits : gardent le marketing social mais le rebâtissent sur des actions mesurables.",
    ),
    Segment(
        "dissatisfied", "Dissatisfied", "Les insatisfaits", "#D55E00",
        "Break with the model, ready to go back to commercial (push) marketing.",
        "Rompent avec le modèle, prêts à revenir à un marketing commercial (push).",
    ),
    Segment(
        "wait_and_see", "Wait-and-see", "Les attentistes", "#999999",
        "Ran inbound and outbound campaigns, had some success, wait for more stable rules.",
        "Ont mené des campagnes inbound et outbound, avec des succès, attendent des règles plus stables.",
    ),
)

SEGMENT_KEYS: tuple[str, ...] = tuple(s.key for s in SEGMENTS)
SEGMENT_BY_KEY: dict[str, Segment] = {s.key: s for s in SEGMENTS}
