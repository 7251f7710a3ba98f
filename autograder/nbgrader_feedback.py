"""nbgrader's Generate Feedback (and so the hub's Fetch Feedback) as the grading command's feedback page.

Set in nbgrader_config.py (GenerateFeedback.exporter_class and .preprocessors):

* FeedbackExporter: nbgrader's own feedback template (templates/bptt_feedback extends it) where
  a graded test cell's verdict is a note, not a traceback: the grading command's message, the
  unit's formula from docs/math.md and where to look next (the notebook's section, linked in
  the page). A verdict is an error output named GradingVerdict (the judge's), or today's
  AssertionError raised from inside autograder/checks. The notebook's own $...$ maths is
  typeset as MathML on the grader's side (autograder/maths.py), and the page loads no MathJax
  from the network. The student's Markdown and HTML outputs are sanitised (clean_html: an allow-list
  with MathML), so nothing a student writes runs as script in the feedback.
* CutLongOutputs: every output longer than OUTPUT_LIMIT characters is cut (its start and its end
  kept), with a visible note.
"""
from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import bleach
from jinja2 import pass_context
from jinja2.runtime import Context
from nbconvert.exporters import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool
from traitlets.config import Config

from . import math_doc
from .maths import ATTRIBUTES, ELEMENTS, mathml
from .sandbox.runner import not_implemented_message

VERDICT = "GradingVerdict"   # the ename of the judge's verdict in a test cell
OUTPUT_LIMIT = 20_000        # characters per output in the feedback (docs/outputs.md)
OUTPUT_TAIL = 2_000          # of which the last ones
TEMPLATES = Path(__file__).resolve().parent / "templates"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_MATH_ELEMENT = re.compile(r"<math .*?</math>", re.S)
_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def verdict(output: dict[str, Any]) -> str | None:
    """The grading message an error output carries, or None when it is not a verdict of the checks."""
    if output.get("output_type") != "error":
        return None
    if output.get("ename") == VERDICT:
        return str(output.get("evalue", ""))
    frames = [_ANSI.sub("", str(line)) for line in output.get("traceback", [])]
    if output.get("ename") == "AssertionError" and any("/autograder/checks/" in f for f in frames):
        return str(output.get("evalue", ""))
    return None


class _MathRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with the maths as MathML; records the headings' anchors."""

    def __init__(self, headings: dict[str, str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._headings = headings

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        # nbconvert's anchor re-serialises the heading through ElementTree, which would prefix the
        # MathML elements (ns0:math, not maths to a browser): the maths stands aside meanwhile.
        maths = _MATH_ELEMENT.findall(text)
        for i, element in enumerate(maths):
            text = text.replace(element, f"bpttmath{i}x", 1)
        rendered = str(super().heading(text, level, **attrs))
        for i, element in enumerate(maths):
            rendered = _restore(rendered, f"bpttmath{i}x", element)
        anchor = re.search(r'id="([^"]+)"', rendered)
        for unit in re.findall(r"<code>(\w+)</code>", text):
            if anchor and unit not in self._headings:
                self._headings[unit] = html.unescape(anchor.group(1))
        return rendered

    def block_math(self, body: str) -> str:
        return f'<div class="formula">{mathml(body, display=True)}</div>'

    def inline_math(self, body: str) -> str:
        return mathml(body)

    def latex_environment(self, name: str, body: str) -> str:
        tex = "\\begin{" + name + "}" + body + "\\end{" + name + "}"
        return f'<div class="formula">{mathml(tex, display=True)}</div>'


def _restore(rendered: str, token: str, element: str) -> str:
    """The heading with `token` back to the MathML `element`, and to its text inside the anchors."""
    plain = re.sub(r"<[^>]+>", "", element)
    rendered = re.sub(r'(?:id|href)="[^"]*"', lambda m: m.group(0).replace(token, plain), rendered)
    return rendered.replace(token, element)


# What rendered Markdown may keep in the feedback, besides MathML: text structure, links, images.
SAFE_TAGS = frozenset("""p br hr h1 h2 h3 h4 h5 h6 em strong b i u s del sub sup code pre kbd blockquote
    ul ol li dl dt dd table thead tbody tfoot tr th td caption a img span div details summary""".split())


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "id", "title", "align") or (tag in ELEMENTS and name in ATTRIBUTES):
        return True
    if tag == "math":
        return name == "xmlns"
    if tag == "a" and name == "href":
        return not value.strip().lower().startswith("data:")
    if tag == "img":
        return name in ("alt", "width", "height") or (name == "src" and value.startswith("data:image/"))
    return False


def clean_html(element: str | bytes) -> str:
    """Student-supplied HTML made inert: an allow-list of text, table, link, image and MathML elements.

    Everything else (script, style, iframe, form, event handlers, javascript: links) is removed, its
    text kept as text. Replaces nbconvert's clean_html, which keeps no MathML and no paragraphs.
    """
    text = element.decode() if isinstance(element, bytes) else str(element)
    return str(bleach.clean(text, tags=SAFE_TAGS | ELEMENTS, attributes=_allowed_attribute,
                            protocols=["http", "https", "mailto", "data"], strip=True, strip_comments=True))


class FeedbackExporter(HTMLExporter):
    """HTMLExporter with nbgrader's feedback template, verdicts as notes and maths as MathML."""

    def __init__(self, config: Config | None = None, **kwargs: Any) -> None:
        # In the configuration, not set after: the template's search path is fixed at construction.
        config = copy.deepcopy(config) if config is not None else Config()
        found = list(config.HTMLExporter.get("extra_template_basedirs", []))
        config.FeedbackExporter.template_name = "bptt_feedback"
        config.FeedbackExporter.sanitize_html = True   # the notebook is the student's: its HTML outputs too
        # The course's HTMLExporter.filters (student_html.py's, for Formgrader's pages) would replace
        # this exporter's own markdown2html and clean_html, which sanitise too but keep the MathML.
        config.FeedbackExporter.filters = {}
        config.FeedbackExporter.extra_template_basedirs = [*found, str(TEMPLATES)]
        # nbgrader's template folders searched directly too, for `extends 'feedback/index.html.j2'`
        paths = list(config.HTMLExporter.get("extra_template_paths", []))
        config.FeedbackExporter.extra_template_paths = [*paths, *found]
        super().__init__(config=config, **kwargs)  # type: ignore[no-untyped-call]
        text = math_doc.read(Path(__file__).resolve().parents[1])
        self._formulas = math_doc.unit_formulas(text) if text is not None else {}
        self._headings: dict[str, str] = {}

    @pass_context
    def markdown2html(self, context: Context, source: str) -> str:
        cell = context.get("cell", {})
        renderer = _MathRenderer(self._headings, escape=False, attachments=cell.get("attachments", {}),
                                 embed_images=self.embed_images,
                                 path=context.get("resources", {}).get("metadata", {}).get("path", ""),
                                 anchor_link_text=self.anchor_link_text, exclude_anchor_links=False,
                                 **self.lexer_options)
        # nbgrader's feedback template does not sanitise Markdown cells: done here, after the maths.
        return clean_html(MarkdownWithMath(renderer=renderer).render(source))

    def default_filters(self) -> Any:
        yield from super().default_filters()  # type: ignore[no-untyped-call]
        yield ("markdown2html", self.markdown2html)
        yield ("clean_html", clean_html)
        yield ("bptt_verdict", verdict)
        yield ("bptt_note", self.note)

    def note(self, output: dict[str, Any], cell: dict[str, Any]) -> str:
        """The verdict of a test cell as a note: message, formula, where to look next."""
        message = verdict(output) or ""
        gid = str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        unit = gid[len("test_"):] if gid.startswith("test_") else ""
        e = html.escape
        if message == not_implemented_message(unit):
            return (f'<div class="bptt-verdict bptt-unfinished"><p>Not attempted yet: <code>{e(unit)}</code> '
                    "still raises <code>NotImplementedError</code>; its points are waiting.</p></div>")
        formulas = "".join(f'<div class="formula">{mathml(t, display=True)}</div>' for t in self._formulas.get(unit, []))
        if formulas:
            formulas = f"<p>What <code>{e(unit)}</code> computes:</p>{formulas}"
        places = []
        if unit in self._headings:
            places.append(f'<a href="#{e(self._headings[unit])}">the section on <code>{e(unit)}</code></a> above')
        if unit in self._formulas:
            places.append(f"the section <code>{e(unit)}</code> of docs/math.md")
        nxt = f'<p class="bptt-next"><strong>Look at this next:</strong> {" and ".join(places)}.</p>' if places else ""
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", e(message))
        return (f'<div class="bptt-verdict"><p><strong>Why this cell lost its points:</strong></p>'
                f'<p class="bptt-message">{text}</p>{formulas}{nxt}</div>')

    def from_notebook_node(  # type: ignore[override]  # HTMLExporter returns the page's text
            self, nb: NotebookNode, resources: dict[str, Any] | None = None, **kw: Any) -> tuple[str, dict[str, Any]]:
        self._headings = {}
        output, resources = super().from_notebook_node(nb, resources, **kw)
        return _MATHJAX.sub("<!-- maths typeset as MathML by the grader: no MathJax -->", output), resources


class CutLongOutputs(Preprocessor):
    """Every output text longer than OUTPUT_LIMIT characters cut to it, with a note saying how much was cut."""

    enabled = Bool(True)   # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _cut("".join(output["text"]) if isinstance(output["text"], list) else output["text"])
            data = output.get("data", {})
            for mime, value in list(data.items()):
                value = "".join(value) if isinstance(value, list) else value
                if not (isinstance(value, str) and mime.startswith("text/")) or len(value) <= OUTPUT_LIMIT:
                    continue
                if mime == "text/html":   # HTML cut anywhere is broken HTML: the plain text stands in
                    del data[mime]
                    data.setdefault("text/plain", f"[an HTML output of {len(value):,} characters, not shown]")
                else:
                    data[mime] = _cut(value)
            if "traceback" in output:
                frames = [str(f) for f in output["traceback"]]
                if sum(len(f) for f in frames) > OUTPUT_LIMIT:
                    output["traceback"] = [_cut("\n".join(frames))]
        return cell, resources


def _cut(text: str) -> str:
    """The first and the last characters of text, OUTPUT_LIMIT in all, and a line saying how many are left out.

    The end is kept too: it holds the last lines printed, and the autograde step's own note on cut outputs.
    """
    if len(text) <= OUTPUT_LIMIT:
        return text
    head, tail = OUTPUT_LIMIT - OUTPUT_TAIL, OUTPUT_TAIL
    return (text[:head] + f"\n... [output cut: {len(text) - OUTPUT_LIMIT:,} more characters not shown] ...\n"
            + text[-tail:])
