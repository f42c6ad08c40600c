"""Render a :class:`~trends.report.context.ReportContext` through the jinja2 templates.

Two environments share the templates folder: Markdown and HTML. In both, every ``{{ value }}``
is escaped by :mod:`trends.report.escape` unless it is the output of a template block
(``Markup``): a template cannot print data unescaped by accident. ``report.md.j2`` and
``report.html.j2`` include the same ``_content.j2`` (the sections, in order), each with its own
building blocks (``_md.j2``, ``_html.j2``: headings, paragraphs, tables, figures).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from trends.report import escape
from trends.report.context import ReportContext

__all__ = ["TEMPLATES", "environment", "render_markdown", "render_html"]

#: The templates folder (package data).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def _finalize_md(value: Any) -> Markup:
    return value if isinstance(value, Markup) else Markup(escape.md(value))


def _finalize_html(value: Any) -> Markup:
    return value if isinstance(value, Markup) else escape.html(value)


def _code_md(value: Any) -> Markup:
    return Markup(escape.md_code(value))


def _code_html(value: Any) -> Markup:
    return Markup("<code>") + escape.html(escape.md_code(value)) + Markup("</code>")


@cache
def environment(fmt: escape.Format) -> Environment:
    """The jinja2 environment of one output format (``"md"`` or ``"html"``).

    Filters: ``code`` (data shown as code: an id, a file name).
    """
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value passes through finalize, which escapes for the format
        finalize=_finalize_md if fmt == "md" else _finalize_html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["code"] = _code_md if fmt == "md" else _code_html
    return env


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return "\n".join(out).strip() + "\n"


def render_markdown(context: ReportContext | Any) -> str:
    """``report.md`` (any context with ``title`` and ``byline``; its ``content_template``,
    default ``_content.j2``, prints the rest)."""
    return _tidy(environment("md").get_template("report.md.j2").render(r=context))


def render_html(context: ReportContext | Any) -> str:
    """``report.html`` (self-contained: styles inline, images as ``data:`` URIs); the context as
    for :func:`render_markdown`."""
    return _tidy(environment("html").get_template("report.html.j2").render(r=context))
