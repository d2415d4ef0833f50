"""User text: a safe subset of Markdown, rendered by markdown-it-py and sanitised by nh3; and
the characters that text may not carry.

Bidirectional controls can make a name or a title read backwards (``U+202E``), zero-width
characters make a name that looks empty or like someone else's: both are removed wherever text
comes in (``strip_invisible``). Other control characters have no place in text typed by a person
(PostgreSQL refuses NUL outright): forms refuse them with a message, the query string drops them.
"""

import unicodedata
from functools import lru_cache
from html import unescape

import nh3
from markdown_it import MarkdownIt

# Embeddings, overrides, isolates and marks (U+061C, U+200E-F, U+202A-E, U+2066-9).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u180e\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE = str.maketrans("", "", BIDI_CONTROLS + ZERO_WIDTH)
# Tab and line breaks are part of text; every other control character is not.
TEXT_WHITESPACE = "\t\n\r"
# Letters that show nothing (Hangul fillers): they do not make a name visible.
BLANK_LETTERS = "\u115f\u1160\u3164\uffa0"


def strip_invisible(text: str) -> str:
    """``text`` without bidirectional controls and zero-width characters."""
    return text.translate(_INVISIBLE)


def control_characters(text: str) -> list[str]:
    """The control characters of ``text`` other than tab and line breaks (NUL included)."""
    return [c for c in text if unicodedata.category(c) == "Cc" and c not in TEXT_WHITESPACE]


def strip_controls(text: str) -> str:
    """``text`` without any control character or invisible one: for values nobody typed."""
    return "".join(c for c in strip_invisible(text) if unicodedata.category(c) != "Cc")


def has_visible_letter(text: str) -> bool:
    return any(
        unicodedata.category(c).startswith("L") and c not in BLANK_LETTERS
        for c in strip_invisible(text)
    )


# No raw HTML, no images (no tracking pixels), no tables: paragraphs, emphasis, lists, links, quotes.
_markdown = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": False}
).disable(["image", "html_inline", "html_block"])

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=256)
def render_markdown(text: str) -> str:
    """Residents' Markdown as safe HTML (a round's description is rendered on each view of its
    page: the last texts are kept)."""
    html = _markdown.render(text or "")
    # Headings written by residents stay below the page's own outline.
    for level, replacement in (("h1", "h3"), ("h2", "h3"), ("h5", "h4"), ("h6", "h4")):
        html = html.replace(f"<{level}>", f"<{replacement}>").replace(
            f"</{level}>", f"</{replacement}>"
        )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )


def plain_text(html: str) -> str:
    """The text of HTML as a reader sees it, on one line: no markup, entities read ("&amp;" is
    "&"). For excerpts, which escape it again."""
    return " ".join(unescape(nh3.clean(html or "", tags=set())).split())
