"""findings.html's table grids, written in Python (htmlreport.grid_html), are the markup the
template's former ``grid`` macro wrote: the same text, every value escaped the same way."""

from __future__ import annotations

from pathlib import Path

from auditor.engine import default_rulebase
from auditor.findings import htmlreport
from auditor.findings.htmlreport import CellView, TableView, grid_html
from auditor.pipeline import AuditInput, extract_one
from tests.extract.expected_model import SHARED

_MACRO = """{% macro grid(t) %}
<table class="grid">
<tr><th></th>{% for c in t.columns %}<th>{{ c }}</th>{% endfor %}</tr>
{% for label, cells in t.rows %}
<tr><th class="row">{{ label }}</th>{% for c in cells %}<td{% if c.css %} class="{{ c.css }}"{% endif %}\
{% if c.rules %} title="{{ c.rules }}"{% endif %}>{{ c.text }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% endmacro %}
"""
"""The template's macro as it was."""


def _macro() -> object:
    return htmlreport._env().from_string(_MACRO).module.grid


def test_hostile_text_is_escaped_as_the_template_escapes_it():
    view = TableView(
        "表三", ["自然人", "<b>总计</b>"],
        [("一、本年新收 & \"引号\"", [CellView("<script>alert(1)</script>", "hl-error", "BAL-001、VAL-001"),
                                      CellView("", "na")]),
         ("二、'上年'", [CellView("（空）"), CellView("12", "", "")])],
    )  # fmt: skip
    html = str(grid_html(view))
    assert html == str(_macro()(view))
    assert "<script>" not in html and "&lt;script&gt;" in html and 'title="BAL-001、VAL-001"' in html
    assert '<td class="na"></td>' in html and "&#34;引号&#34;" in html


def test_the_grids_of_real_and_seed_reports_are_written_as_before():
    paths = [p for p in [*sorted((SHARED / "real").iterdir()), *sorted((SHARED / "seeds").iterdir())]
             if p.suffix in (".txt", ".md", ".html")]  # fmt: skip
    results = [extract_one(AuditInput(p.read_bytes(), str(p))) for p in paths]
    default_rulebase().audit(results)
    macro, grids = _macro(), 0
    for result in results:
        if result.document is None:
            continue
        marks = htmlreport._marks(result.findings)
        for table in result.document.tables:
            view = htmlreport._table_view(table, marks, True)
            if view.rows:
                assert str(grid_html(view)) == str(macro(view)), Path(result.source).name
                grids += 1
    assert grids > 20


def test_text_already_marked_safe_never_makes_the_same_plain_text_unescaped():
    from markupsafe import Markup

    safe = TableView("表", [Markup("<b>总计</b>")], [("行", [CellView(Markup("<i>1</i>"))])])
    plain = TableView("表", ["<b>总计</b>"], [("行", [CellView("<i>1</i>")])])
    assert "<b>总计</b>" in str(grid_html(safe)) and str(grid_html(safe)) == str(_macro()(safe))
    assert "<b>" not in str(grid_html(plain)) and str(grid_html(plain)) == str(_macro()(plain))
