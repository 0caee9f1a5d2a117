"""A fetched HTML page, parsed once (lxml), with the accessors adapters need."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urldefrag, urljoin

import lxml.html
from lxml import etree

_INVISIBLE = ("script", "style", "noscript", "template")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _has_class(name: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"


_MAIN = [etree.XPath(x) for x in (
    _has_class("TRS_Editor"), "//*[@id='zoom']", _has_class("article-content"), "//article",
    _has_class("article"), "//*[@id='content']", _has_class("content"),
)]
"""Where portals put the article body, most specific first."""


def _text(node: lxml.html.HtmlElement) -> str:
    """The text under ``node``, whitespace collapsed (the invisible elements are already gone).

    lxml's own text serialisation is ~80 times faster than walking the text nodes in Python; pieces
    that the markup does not separate by whitespace run together, which no pattern here depends on.
    """
    return " ".join(etree.tostring(node, method="text", encoding=str, with_tail=False).split())


class Anchor:
    """A link on a page: absolute URL (fragment removed), its text, and the text around it."""

    __slots__ = ("_element", "text", "url")

    def __init__(self, url: str, text: str, element: lxml.html.HtmlElement) -> None:
        self.url = url
        self.text = text
        self._element = element

    @property
    def context(self) -> str:
        """The text of the enclosing list item or table row (dates next to listing links live there)."""
        for ancestor in self._element.iterancestors("li", "tr", "dd", "p"):
            return _text(ancestor)
        parent = self._element.getparent()
        return _text(parent) if parent is not None else ""


class HtmlPage:
    """URL + decoded HTML; the tree and what is read from it are computed on first use."""

    def __init__(self, url: str, html: str) -> None:
        self.url = url
        self.html = html
        self._scripts = ""

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The parsed page with scripts and styles removed (their text is kept in :attr:`scripts`)."""
        source = _XML_DECLARATION.sub("", self.html, count=1)  # lxml refuses str with an encoding declaration
        try:
            tree = lxml.html.document_fromstring(source or "<html></html>")
        except (etree.ParserError, ValueError):
            tree = lxml.html.document_fromstring("<html></html>")
        self._scripts = "\n".join(s.text or "" for s in tree.iter("script"))
        etree.strip_elements(tree, *_INVISIBLE, with_tail=False)
        return tree

    @cached_property
    def anchors(self) -> list[Anchor]:
        """Every <a href> of the page, in order, javascript:/mailto: links left out."""
        found: list[Anchor] = []
        for a in self.tree.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            text = _text(a)
            title_attr = (a.get("title") or "").strip()
            if len(title_attr) > len(text):
                text = title_attr  # listings often truncate the text and keep the full title here
            try:
                url = urldefrag(urljoin(self.url, href))[0]
            except ValueError:
                continue
            found.append(Anchor(url, text, a))
        return found

    @cached_property
    def _metas(self) -> dict[str, str]:
        """Lower-cased name (or property, itemprop) -> content of the page's first <meta> of each name."""
        metas: dict[str, str] = {}
        for m in self.tree.iter("meta"):
            key = (m.get("name") or m.get("property") or m.get("itemprop") or "").lower()
            content = m.get("content")
            if key and content and key not in metas:
                metas[key] = content
        return metas

    def meta(self, *names: str) -> tuple[str, str] | None:
        """(name, content) of the first <meta name=…|property=…> among ``names`` (case-insensitive)."""
        for name in names:
            if name.lower() in self._metas:
                return name, self._metas[name.lower()]
        return None

    def first_text(self, tag: str) -> str:
        """The visible text of the first ``tag`` element ("" if none)."""
        for element in self.tree.iter(tag):
            return _text(element)
        return ""

    @cached_property
    def text(self) -> str:
        """The visible text of the page (scripts and styles left out)."""
        return _text(self.tree)

    @cached_property
    def main_text(self) -> str:
        """The text of the article's main container (TRS_Editor, #zoom, <article>…), else of the page:
        what a version of the page is compared by, so that navigation and counters do not count."""
        for xpath in _MAIN:
            for node in xpath(self.tree):
                text = _text(node)
                if text:
                    return text
        return self.text

    @property
    def scripts(self) -> str:
        """All inline script text (pagers such as createPageHTML live there)."""
        self.tree  # noqa: B018 - parsing collects the scripts
        return self._scripts
