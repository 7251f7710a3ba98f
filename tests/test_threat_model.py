"""docs/isolation.md's threat-model table matches the tests: every path has a row, every row names tests, and they exist."""
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PATHS = ("The grading command", "The Autograde button", "The Gradescope bundle", "The hub's exchange",
         "Formgrader and generated feedback")
TEST = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def table_rows():
    text = (REPO / "docs" / "isolation.md").read_text(encoding="utf-8")
    section = text.split("## Threat model: every path", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| path")]


def test_every_path_has_one_row_that_names_its_tests():
    rows = table_rows()
    assert [next((p for p in PATHS if row.startswith(f"| {p}")), row) for row in rows] == list(PATHS)
    assert [row.split(" |")[0] for row in rows if len(row.split(" | ")) != 4 or not TEST.search(row.split(" | ")[3])] == []


def test_every_test_the_table_names_exists():
    missing = []
    for row in table_rows():
        for path, name in TEST.findall(row):
            file = REPO / path
            if not file.exists() or not re.search(rf"^def {name}\(", file.read_text(encoding="utf-8"), re.M):
                missing.append(f"{path}::{name}")
    assert missing == []
