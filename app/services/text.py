"""Folding Vietnamese text so "nguyen van" finds "Nguyễn Văn"."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_CCCD = re.compile(r"(?<!\d)\d{12}(?!\d)")


def fold(text: str | None) -> str:
    """NFD, drop combining marks, đ→d, lower case, collapse spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text)
    # Marks go (diacritics), and so do control characters, which no address or name holds.
    bare = "".join(c for c in decomposed
                   if not unicodedata.combining(c) and (unicodedata.category(c) != "Cc" or c.isspace()))
    bare = bare.replace("đ", "d").replace("Đ", "D").lower()
    return _SPACES.sub(" ", bare).strip()


def holds_words(text: str | None, query: str | None) -> bool:
    """Whether `text` holds every word of `query`, both folded: "thoi lai" is in "Xã Thới Lai"."""
    folded = fold(text)
    return all(word in folded for word in fold(query).split())


def clean(text: str | None) -> str | None:
    """Trim and collapse spaces; empty becomes None."""
    if text is None:
        return None
    text = _SPACES.sub(" ", text).strip()
    return text or None


def printable(text: str | None) -> str:
    """Text a document can hold: line breaks as "\n", no control characters (XML, and so DOCX, refuses them)
    and no non-characters; NFC, so what the person typed is what prints."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(c for c in text if c in "\n\t" or (unicodedata.category(c) not in ("Cc", "Cs")
                                                      and c not in "\ufffe\uffff"))


def looks_like_citizen_id(text: str | None) -> bool:
    """A citizen-ID (CCCD) number is 12 digits in a row; we never store one."""
    return bool(text) and bool(_CCCD.search(re.sub(r"[ .\-]", "", text or "")))
