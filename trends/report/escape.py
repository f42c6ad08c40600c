"""The one place where text from data is made safe for Markdown and HTML.

Every string that reaches ``report.md`` or ``report.html`` passes through this module:

- a plain ``str`` is *data* (an event name, a place, a claim's source or wording, ``--title``,
  ``--source``, a model's own sentence that quotes them): :func:`md` and :func:`html` escape it;
- a :class:`Prose` is a sentence written by this package, in a tiny Markdown subset
  (``*em*``, ``**strong**``, ```code```), with ``{named}`` slots for data; the slots are
  escaped, the prose is kept (Markdown) or converted (HTML).

The template environments (:mod:`trends.report.render`) call :func:`md` / :func:`html` on every
``{{ value }}``, so a template cannot print an unescaped string by accident. A newline in data
becomes a space (no heading, list or table row can be started from a CSV cell), and the
characters that start Markdown emphasis, code, links, images or table
cells, and ``<`` / ``>`` (no raw HTML), are backslash-escaped (an underscore only at a word's
edge, where it could start emphasis). Links are only made from ``http`` and ``https`` addresses
(:func:`safe_url`): a ``javascript:`` address is shown as text, never as a link.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from markupsafe import Markup
from markupsafe import escape as _html_escape

__all__ = ["Prose", "prose", "md", "md_code", "html", "safe_url", "one_line", "Format"]

Format = Literal["md", "html"]

_MD_SPECIAL = re.compile(r"([\\`*\[\]|~<>]|(?<!\w)_|_(?!\w))")
_SAFE_SCHEMES = ("http://", "https://")


def one_line(text: Any) -> str:
    """``text`` as one line: every run of whitespace (newlines included) becomes one space."""
    return " ".join(str(text).split())


def md(text: Any) -> str:
    """Escape data for Markdown (one line; no emphasis, code, link, image, HTML or heading).

    Parameters
    ----------
    text : object
        Converted with ``str`` (``None`` is empty).

    Returns
    -------
    str
    """
    if text is None:
        return ""
    if isinstance(text, Prose):
        return text.render("md")
    out = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    if out.startswith("#"):
        out = "\\" + out
    return out


def md_code(text: Any) -> str:
    """Data shown as Markdown code (an id): one line, backticks removed."""
    return one_line("" if text is None else text).replace("`", "'")


def html(text: Any) -> Markup:
    """Escape data for HTML (a :class:`Prose` is rendered; everything else is escaped)."""
    if isinstance(text, Prose):
        return Markup(text.render("html"))
    if text is None:
        return Markup("")
    return _html_escape(one_line(text))


def safe_url(url: Any) -> str | None:
    """``url`` when it is an ``http(s)`` address without spaces or quotes, else None."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if not u.lower().startswith(_SAFE_SCHEMES) or re.search(r"[\s\"'<>`]", u):
        return None
    return u


class _SlotFormatter(string.Formatter):
    """Fills ``{name}`` slots; ``{name!c}`` marks a slot shown as code."""

    def __init__(self, escaper) -> None:
        self.escaper = escaper

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return ("c", value) if conversion == "c" else ("t", value)

    def format_field(self, value: Any, format_spec: str) -> str:
        kind, inner = value
        return self.escaper(kind, inner)


def _md_slot(kind: str, value: Any) -> str:
    return f"`{md_code(value)}`" if kind == "c" else md(value)


_TOKEN = "\x00{}\x00"


def _inline_html(text: str) -> str:
    """The Markdown subset of :class:`Prose` (already HTML-escaped) as HTML."""
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"\*(.+?)\*", r"<em>\1</em>", text)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", text)


@dataclass(frozen=True)
class Prose:
    """A sentence of this package (trusted) with slots for data (escaped).

    Attributes
    ----------
    template : str
        ``str.format`` template in the Markdown subset ``*em*``, ``**strong**``, ```code```;
        ``{name}`` is a data slot, ``{name!c}`` a data slot shown as code.
    values : mapping
        Slot values (data: always escaped). A value may itself be a :class:`Prose`.
    """

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def render(self, fmt: Format) -> str:
        """The sentence in Markdown (``"md"``) or HTML (``"html"``)."""
        if fmt == "md":
            return _SlotFormatter(_md_slot).vformat(self.template, (), dict(self.values))
        filled: list[str] = []

        def slot(kind: str, value: Any) -> str:
            if isinstance(value, Prose):
                piece = value.render("html")
            else:
                piece = str(html(md_code(value) if kind == "c" else value))
                piece = f"<code>{piece}</code>" if kind == "c" else piece
            filled.append(piece)
            return _TOKEN.format(len(filled) - 1)

        skeleton = _SlotFormatter(slot).vformat(
            str(_html_escape(self.template)), (), dict(self.values)
        )
        out = _inline_html(skeleton)
        for i, piece in enumerate(filled):
            out = out.replace(_TOKEN.format(i), piece)
        return out

    def plain(self) -> str:
        """The sentence without markup (for tests and logs)."""
        text = _SlotFormatter(lambda _kind, v: _plain(v)).vformat(
            self.template, (), dict(self.values)
        )
        return text.replace("**", "").replace("`", "")

    def __add__(self, other: Prose | str) -> Prose:
        return concat(self, other)

    def __str__(self) -> str:
        return self.plain()

    def __html__(self) -> str:
        return self.render("html")


def _plain(v: Any) -> str:
    return v.plain() if isinstance(v, Prose) else str(v)


def prose(template: str, **values: Any) -> Prose:
    """A :class:`Prose` (``prose("The day of “{name}”.", name=event.name)``)."""
    return Prose(template, values)


def concat(*parts: Prose | str, sep: str = "") -> Prose:
    """Join sentences: a ``str`` part is data (escaped), a :class:`Prose` part is kept."""
    values = {f"p{i}": part for i, part in enumerate(parts)}
    template = (
        sep.replace("{", "{{").replace("}", "}}").join(f"{{p{i}}}" for i in range(len(parts)))
    )
    return Prose(template, values)
