"""autograder/student_html.py through nbgrader's own exporters, configured by the course's nbgrader_config.py.

Formgrader's page and generated feedback are nbconvert's HTMLExporter with nbgrader's
templates; the exporter here is built as Formgrader builds it (template `formgrade`) and as
GenerateFeedback does (template `feedback`), from the course's configuration. B's notebook
(tests/hostile_student.py) carries script in a markdown cell and in every kind of output; none
of it may reach the page as something a browser runs, while the text, the maths and the tables
stay. The browser check of the same pages is tests/test_exchange_attacks.py.
"""
import json
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config

from tests import hostile_student as hostile

REPO = Path(__file__).resolve().parents[1]


class Tags(HTMLParser):
    """Every tag of a page with its attributes (what a browser would act on; text and escaped code are not tags)."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def course_config():
    """The course's nbgrader_config.py, loaded as nbgrader loads a config file."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def hostile_notebook():
    """B's notebook as autograde leaves it: the hostile cells, with the outputs B's code cell makes."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell(hostile.MARKDOWN + "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"))
    code = nbformat.v4.new_code_cell(hostile.CODE)
    ns = {}
    outputs = []
    for line in hostile.CODE.splitlines():
        if line.startswith("display("):
            inner = line[len("display("):-1]
            obj = eval(inner, ns)                                 # noqa: S307 (the test's own payload)
            mime = {"HTML": "text/html", "SVG": "image/svg+xml", "Javascript": "application/javascript",
                    "Markdown": "text/markdown"}[type(obj).__name__]
            outputs.append(nbformat.v4.new_output("display_data", data={mime: obj.data, "text/plain": "<obj>"}))
        elif line.startswith("from "):
            exec(line, ns)                                         # noqa: S102
    outputs.append(nbformat.v4.new_output("display_data", data={
        "text/html": "<table><thead><tr><th>unit</th></tr></thead><tbody><tr><td>dz_b</td></tr></tbody></table>",
        "text/plain": "table"}))
    code.outputs = outputs
    nb.cells.append(code)
    return nb


@pytest.fixture(scope="module")
def pages():
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    config = course_config()
    rendered = {}
    for template in ("formgrade", "feedback"):
        c = Config(config)
        c.HTMLExporter.template_name = template
        c.HTMLExporter.extra_template_basedirs = [handlers.template_path]
        c.HTMLExporter.extra_template_paths = [str(Path(handlers.static_path) / "node_modules" / "bootstrap" / "dist" / "css")]
        html, _ = HTMLExporter(config=c).from_notebook_node(
            hostile_notebook(), resources={"base_url": "/x", "submission_id": "s", "notebook_id": "n",
                                           "assignment_id": "bptt", "index": 0, "total": 1, "notebook_path": "p",
                                           "nbgrader": {"notebook": "n", "score": 0, "max_score": 8, "late_penalty": 0}})
        rendered[template] = html
    return rendered


def student_part(html):
    """The page from B's first cell on (the templates' own script comes before it)."""
    return html[html.index("My notes on"):]


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_no_script_of_the_students_reaches_the_page(pages, template):
    tags = Tags(student_part(pages[template]).split("</body>")[0]).tags
    assert [t for t, _ in tags if t in ("script", "svg", "iframe", "object", "embed", "style", "form")] == []
    assert [(t, a) for t, a in tags for name in a if name.startswith("on") or name in ("srcdoc", "style")] == []
    assert [(t, a) for t, a in tags for v in a.values() if (v or "").strip().lower().startswith("javascript:")] == []
    # B's SVG output stays an <img>, where script never runs.
    assert [a for t, a in tags if t == "img" and a.get("src", "").startswith("data:image/svg+xml;base64,")]


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_the_students_text_maths_and_tables_stay(pages, template):
    part = student_part(pages[template])
    assert "B's harmless text" in part and "<b>B output</b>" in part
    assert "$\\frac{\\partial L}{\\partial h_t}$" in part and "$\\sum_{s&gt;t} \\delta_s$" in part
    assert "<th>unit</th>" in part and "<td>dz_b</td>" in part and "<td>1</td>" in part


def test_the_course_config_sets_the_sanitiser_for_every_html_exporter():
    config = course_config()
    assert config.HTMLExporter.sanitize_html is True and config.HTMLExporter.embed_images is False
    assert {n: f.__module__ for n, f in config.HTMLExporter.filters.items()} == {
        "markdown2html": "bptt_student_html", "clean_html": "bptt_student_html"}
    assert config.ExchangeFactory.collect.__name__ == "SafeCollect"
    json.dumps(sorted(config.HTMLExporter.filters))
