"""What Formgrader and nbgrader's feedback render from a student's notebook: HTML without script.

Formgrader shows a submission in the instructor's browser, inside the instructor's Jupyter
session; generated feedback is HTML handed back to the student. Both are nbconvert's
HTMLExporter with nbgrader's templates, which put a markdown cell's HTML and a `text/html`
output into the page as they are: an `<img onerror=...>` in a markdown cell runs with the
instructor's session. nbconvert's own `sanitize_html` cleans outputs but not markdown cells,
and nbgrader's templates render markdown (`cell.source | markdown2html | ...`) without it.

The course's nbgrader_config.py therefore sets, for every HTMLExporter nbgrader makes:
* `sanitize_html = True` (outputs: `text/html` and `text/markdown` pass through `clean_html`,
  JavaScript and widget outputs are dropped, SVG stays an <img>, where script never runs);
* the filters `markdown2html` and `clean_html` replaced by the ones here: markdown rendered
  as nbconvert renders it, then cleaned by one allow-list of tags and attributes (no script,
  no event handlers, no style, no `javascript:` links, no inline SVG or iframes).

Maths stays text for MathJax (the templates load it, outside the cleaned HTML), so `$...$` and
`$$...$$` render as before. Images in markdown are never read from the grader's disk
(`embed_images` off here whatever the exporter says): a feedback page carries only what is in
the submission.
"""
from __future__ import annotations

from typing import Any

import bleach
from jinja2 import pass_context
from jinja2.runtime import Context
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
})
# Links go to the web or to a place in the page; images may also be data: (attachments, plots).
PROTOCOLS = frozenset({"http", "https", "mailto", "data"})


def _attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "title"):
        return True
    if tag == "a":
        return name == "href" and not value.strip().lower().startswith("data:")
    if tag == "img":
        return name in ("src", "alt", "width", "height") and (
            name != "src" or not value.strip().lower().startswith("data:") or value.strip().lower().startswith("data:image/"))
    if tag in ("td", "th"):
        return name in ("colspan", "rowspan", "align")
    return (tag, name) in {("ol", "start"), ("details", "open"), ("col", "span"), ("colgroup", "span")}


_CLEANER = bleach.sanitizer.Cleaner(tags=TAGS, attributes=_attribute, protocols=PROTOCOLS, strip=True, strip_comments=True)


def clean_html(html: Any) -> str:
    """The HTML `html` (str or bytes) with everything outside the allow-list removed."""
    text = html.decode() if isinstance(html, bytes) else str(html)
    return str(_CLEANER.clean(text))


@pass_context
def markdown2html(context: Context, source: str) -> str:
    """A markdown cell as nbconvert's HTMLExporter renders it (attachments inline, maths left for MathJax), cleaned."""
    cell = context.get("cell", {})
    path = context.get("resources", {}).get("metadata", {}).get("path", "")
    renderer = IPythonRenderer(escape=False, attachments=cell.get("attachments", {}), embed_images=False, path=path,
                               anchor_link_text="¶", exclude_anchor_links=False)
    return clean_html(MarkdownWithMath(renderer=renderer).render(source))
