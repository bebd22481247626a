"""Words that work at every step, and the feature-phone shortcuts (DK, TT, ATM <xã>, HD,
GẶP CÁN BỘ for a question to the commune officer; the reference of a registration sent, DK12,
asks its status).

Matched on the whole message, folded: case, diacritics and punctuation do not matter, so
"Trợ giúp", "TRO GIUP" and "tro giup!" are one word. STOP / HUY / TU CHOI are opt-out words,
read before the engine by models.messaging.optout.
"""

from __future__ import annotations

import re

from messages.text import fold

MENU = "menu"
HELP = "help"
BACK = "back"
LANGUAGE = "language"
VIETNAMESE = "vi"
ENGLISH = "en"
YES, NO = "yes", "no"  # the values of a yes/no question's options

_GLOBAL: dict[str, str] = {
    **dict.fromkeys(
        ("menu", "mn", "trang chu", "danh muc", "start", "bat dau", "hi", "hello", "xin chao"),
        MENU,
    ),
    **dict.fromkeys(("help", "tro giup", "hd", "huong dan", "giup", "giup do", "?"), HELP),
    **dict.fromkeys(("back", "quay lai", "0", "tro lai", "lui"), BACK),
    **dict.fromkeys(("language", "ngon ngu", "lang", "nn"), LANGUAGE),
    **dict.fromkeys(("tieng viet", "vietnamese"), VIETNAMESE),
    **dict.fromkeys(("english", "tieng anh"), ENGLISH),
}
_SHORTCUTS: dict[str, str] = {
    **dict.fromkeys(("dk", "dang ky", "dangky", "register"), "register"),
    **dict.fromkeys(("tt", "tinh trang", "trang thai", "status"), "status"),
    **dict.fromkeys(("atm",), "atm"),
    **dict.fromkeys(
        (
            "can bo",
            "gap can bo",
            "hoi can bo",
            "noi chuyen voi can bo",
            "toi muon noi chuyen voi can bo",
            "officer",
            "talk to an officer",
            "talk to officer",
        ),
        "officer",
    ),
}
# How people answer a yes/no question, besides its options' own words ("Có", "Không", "Yes", "No"):
# the polite "dạ", "vâng", "ạ", the texting "c" / "k" / "ko", "ok", "đúng rồi"...
# A bare "da" or "u" is left out: folded, "dạ" (yes) is also "đã" (wait), "ừ" also "ư" (huh).
_YES = (
    "co|c|vang|da vang|da co|da dung|da phai|vang co|uh|uhm|um|dung|dung roi|dung vay|phai|"
    "phai roi|dong y|toi dong y|ok|oke|okay|oki|y|yes|yeah|yep|sure|right|correct|agree|i agree"
)
_NO = (
    "khong|k|ko|kg|hong|khong phai|khong co|chua co|da khong|da chua|da khong co|da chua co|"
    "sai|sai roi|chua|khong dong y|n|no|nope|wrong|disagree"
)
_ANSWERS = {**dict.fromkeys(_YES.split("|"), YES), **dict.fromkeys(_NO.split("|"), NO)}
# "ạ", "nhé", "nha" end a polite answer: "có ạ", "vâng ạ", "không ạ"
_POLITE_ENDINGS = re.compile(r"(?: (?:a|nhe|nha))+$")
# Telegram commands ("/menu") and stray punctuation ("Menu!") are the same word.
_PUNCTUATION = re.compile(r"[^\w\s?]+")
_QUESTION_MARKS = re.compile(r"\?+")


def normalize(text: str) -> str:
    """'  Trợ Giúp! ' -> 'tro giup': folded, without punctuation, single spaces."""
    cleaned = _PUNCTUATION.sub(" ", text)
    if cleaned.strip() != "?":
        cleaned = _QUESTION_MARKS.sub(" ", cleaned)
    return fold(cleaned)


def global_word(folded: str) -> str | None:
    """MENU, HELP, BACK, LANGUAGE (or a language named outright), or None."""
    return _GLOBAL.get(folded.strip())


def yes_or_no(text: str, folded: str) -> str | None:
    """Yes or no ("yes", "no") as people answer a yes/no question ("vâng ạ", "ko"), or None;
    None for a question back ("Có?", "Dạ?": pardon?)."""
    if "?" in text:
        return None
    said = folded.strip()
    return _ANSWERS.get(said) or _ANSWERS.get(_POLITE_ENDINGS.sub("", said))


def shortcut(text: str, reference: int | None = None) -> tuple[str, str] | None:
    """(entry, argument) of a shortcut: 'ATM Na Sầm' -> ('atm', 'Na Sầm'); the reference of
    the registration sent from this conversation ('DK12', `reference` 12) asks its status."""
    folded = normalize(text)
    if folded in _SHORTCUTS:
        return _SHORTCUTS[folded], ""
    if reference is not None and folded.replace(" ", "") == f"dk{reference}":
        return "status", ""
    first, _, rest = text.strip().partition(" ")
    if normalize(first) == "atm" and rest.strip():
        return "atm", rest.strip()
    return None
