"""User text: a safe subset of Markdown, rendered by markdown-it-py and sanitised by nh3."""

import nh3
from markdown_it import MarkdownIt

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


def render_markdown(text: str) -> str:
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


def plain_excerpt(text: str, length: int = 200) -> str:
    """A one-line excerpt of Markdown text, without markup, for lists."""
    stripped = nh3.clean(_markdown.render(text or ""), tags=set())
    flat = " ".join(stripped.split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"
