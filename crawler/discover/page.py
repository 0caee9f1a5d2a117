"""A fetched HTML page, parsed once, with the accessors adapters need."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag


@dataclass(frozen=True, slots=True)
class Anchor:
    """A link on a page: absolute URL (fragment removed), its text, and the text around it."""

    url: str
    text: str
    context: str
    """The text of the enclosing list item or table row (dates next to listing links live there)."""


_MAIN_SELECTORS = (".TRS_Editor", "#zoom", ".article-content", "article", ".article", "#content", ".content")


class HtmlPage:
    """URL + decoded HTML; the soup and the links are computed on first use."""

    def __init__(self, url: str, html: str) -> None:
        self.url = url
        self.html = html

    @cached_property
    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.html, "lxml")

    @cached_property
    def anchors(self) -> list[Anchor]:
        """Every <a href> of the page, in order, javascript:/mailto: links left out."""
        found: list[Anchor] = []
        for a in self.soup.find_all("a", href=True):
            href = str(a["href"]).strip()
            if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
                continue
            text = " ".join(a.get_text(" ", strip=True).split()) or str(a.get("title") or "")
            title_attr = str(a.get("title") or "")
            if title_attr and len(title_attr) > len(text):
                text = title_attr  # listings often truncate the text and keep the full title here
            found.append(Anchor(urldefrag(urljoin(self.url, href))[0], text, _context(a)))
        return found

    def meta(self, *names: str) -> tuple[str, str] | None:
        """(name, content) of the first <meta name=…|property=…> among ``names`` (case-insensitive)."""
        wanted = [n.lower() for n in names]
        metas: dict[str, str] = {}
        for m in self.soup.find_all("meta"):
            key = str(m.get("name") or m.get("property") or m.get("itemprop") or "").lower()
            content = m.get("content")
            if key and content and key not in metas:
                metas[key] = str(content)
        for name, key in zip(names, wanted, strict=True):
            if key in metas:
                return name, metas[key]
        return None

    @cached_property
    def text(self) -> str:
        """The visible text of the page (scripts and styles removed)."""
        soup = BeautifulSoup(self.html, "lxml")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        return " ".join(soup.get_text(" ", strip=True).split())

    @cached_property
    def main_text(self) -> str:
        """The text of the article's main container (TRS_Editor, #zoom, <article>…), else of the page:
        what a version of the page is compared by, so that navigation and counters do not count."""
        soup = BeautifulSoup(self.html, "lxml")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        for selector in _MAIN_SELECTORS:
            node = soup.select_one(selector)
            if node is not None and node.get_text(strip=True):
                return " ".join(node.get_text(" ", strip=True).split())
        return self.text

    @property
    def scripts(self) -> str:
        """All inline script text (pagers such as createPageHTML live there)."""
        return "\n".join(s.get_text() for s in self.soup.find_all("script"))


def _context(a: Tag) -> str:
    parent = a.find_parent(["li", "tr", "dd", "p"])
    node = parent if parent is not None else a.parent
    return " ".join(node.get_text(" ", strip=True).split()) if node is not None else ""
