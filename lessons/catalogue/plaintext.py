"""Turn a catalogue's HTML into plain text: tags removed, paragraph breaks kept, entities unescaped.

INTERLINK's descriptions are HTML fragments (``<p>``, ``<ul><li>``, ``<a>``, ``&nbsp;``). They are stored and shown
as text, never as markup: a paragraph or a block becomes a blank line, a list item a line starting with a bullet,
a line break a new line; what is inside ``<script>`` and ``<style>`` is dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from lessons.text import clean_text

__all__ = ["html_to_text", "looks_like_html"]

_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table", "tr", "ul", "ol", "dl",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure",
}  # fmt: skip
_DROPPED = {"script", "style", "template", "noscript", "head", "title"}
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>|<!--.*?-->", re.DOTALL)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in _DROPPED:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data) -> None:
        if not self.dropping:
            self.parts.append(data)


def looks_like_html(text) -> bool:
    """Whether ``text`` holds an HTML tag, comment or entity.

    >>> looks_like_html("<p>Hi</p>"), looks_like_html("a &amp; b"), looks_like_html("3 < 4 and 5 > 2")
    (True, True, False)
    """
    return text is not None and bool(_TAG.search(str(text)) or _ENTITY.search(str(text)))


def html_to_text(value, *, multiline: bool = True) -> str:
    r"""Return an HTML fragment as plain text: tags removed, paragraph breaks kept, entities unescaped.

    Parameters
    ----------
    value : str or None
        The fragment; plain text passes through with only its entities unescaped and its spaces tidied.
    multiline : bool, default True
        Whether the text may keep several lines (False for names: every break becomes a space).

    Returns
    -------
    str
        The text, cleaned as every stored text is (:func:`lessons.text.clean_text`); ``""`` for None.

    Examples
    --------
    >>> html_to_text("<p>One &amp; two.</p><ul><li>first</li><li>second</li></ul><p>End<br>here</p>")
    'One & two.\n\n• first\n• second\n\nEnd\nhere'
    >>> html_to_text("<script>alert(1)</script>Safe&nbsp;text")
    'Safe\xa0text'
    >>> html_to_text("3 < 4 and 5 > 2"), html_to_text("<b>Bold</b>\nname", multiline=False)
    ('3 < 4 and 5 > 2', 'Bold name')
    """
    if value is None:
        return ""
    parser = _Text()
    parser.feed(str(value))
    parser.close()
    text = "".join(parser.parts)
    text = _TAG.sub("", text)  # a tag the parser kept as data (malformed): never left in stored text
    text = clean_text(text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not multiline:
        text = re.sub(r"\s*\n\s*", " ", text)
    return text
