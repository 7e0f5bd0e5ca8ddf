"""Label vocabularies: which canonical key a person's wording of a segment or a device means.

Below both `roles` (which reads values to recognise a column) and `normalise` (which maps
every value to its key), so neither imports the other.

Matching folds case, accents, punctuation, ``&`` (= "and"), underscores and digits
("1 - Newcomers" matches), drops articles and filler words ("les", "the", "de", "segment",
"groupe"...), inclusive endings ("convaincu(e)(s)", "convaincu·e·s") and, per word, a final
"s"/"x" then a final "e", so singular/plural and most French genders meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

DEVICE_KEYS: tuple[str, ...] = ("desktop", "mobile", "tablet", "other")

_STOP_WORDS = frozenset(
    "le la les l un une des de du d the a an of segment segments groupe group profil profile".split()
)
_INCLUSIVE_ENDING = re.compile(r"\((?:e|es|s|x)\)|[·•.](?:e|es|s)\b")


def fold(text: str) -> str:
    """Lower case, no accents, '&' read as 'and', any other punctuation a space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())


def _stem(word: str) -> str:
    # Plural then feminine ending, so "nouvelles" and "nouvelle", "venues" and "venu" meet.
    if len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    if len(word) > 3 and word[-1] == "e":
        word = word[:-1]
    return word


def _match_form(text: str) -> str:
    """The form two spellings share when they mean the same label ('' when nothing is left)."""
    text = _INCLUSIVE_ENDING.sub("", text)
    words = [w for w in fold(text).split() if not w.isdigit() and w not in _STOP_WORDS]
    return "".join(_stem(w) for w in words)


def _vocabulary(spellings: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    return {_match_form(s): key for key, forms in spellings.items() for s in forms}


_SEGMENT_VOCABULARY = _vocabulary({
    "newcomers": (
        "newcomer", "new comer", "newcomers", "nouvelle venue", "nouveau venu", "nouvel arrivant",
        "nouvelle arrivante", "nouveau arrivant", "nouveaux arrivants", "new entrant", "newbie",
    ),
    "convinced": ("convinced", "convaincu", "convaincues"),
    "adapters": (
        "adapter", "adaptor", "adaptation", "tenant de l'adaptation", "tenante de l'adaptation",
        "adaptateur", "adaptatrice",
    ),
    "dissatisfied": ("dissatisfied", "unsatisfied", "insatisfait", "insatisfaite", "mecontent"),
    "wait_and_see": (
        "wait and see", "waitandsee", "wait and seer", "wait n see", "attentiste", "attentistes",
    ),
})

_DEVICE_VOCABULARY = _vocabulary({
    "desktop": (
        "desktop", "computer", "desktop computer", "ordinateur", "ordinateur de bureau",
        "ordinateur fixe", "ordinateur portable", "ordi", "pc", "pcs", "laptop", "notebook",
        "personal computer", "fixe",
    ),
    "mobile": (
        "mobile", "smartphone", "phone", "mobile phone", "cell phone", "cellphone", "telephone",
        "telephone mobile", "telephone portable", "iphone", "phablet", "phablette",
        "feature phone", "mobile device",
    ),
    "tablet": ("tablet", "tablette", "tablette tactile", "ipad", "tablet computer"),
    "other": (
        "other", "others", "autre", "autres", "smart tv", "tv", "television", "connected tv",
        "tv connectee", "console", "game console", "console de jeux", "wearable", "smartwatch",
        "montre connectee", "smart speaker", "enceinte connectee", "car browser", "smart display",
        "portable media player", "camera", "peripheral",
    ),
})


def segment_key(text: str | None) -> str | None:
    """The segment key a label means ('Les attentistes' -> 'wait_and_see'), or None."""
    if text is None:
        return None
    return _SEGMENT_VOCABULARY.get(_match_form(text))


def device_key(text: str | None) -> str | None:
    """The device key a label means ('Ordinateur de bureau' -> 'desktop'), or None."""
    if text is None:
        return None
    return _DEVICE_VOCABULARY.get(_match_form(text))
