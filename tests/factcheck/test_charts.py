"""The SVG bar charts: well-formed, escaped, and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from factcheck.charts import LABEL_WIDTH, WIDTH, Row, Series, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(svg: str) -> ET.Element:
    """The chart as XML: it must be well-formed.  The markup is this project's own output."""
    return ET.fromstring(svg)  # noqa: S314 - not outside input


def bars(svg: str) -> list[tuple[float, float, str]]:
    """(x, width, title) of each bar drawn."""
    root = parse_svg(svg)
    return [
        (float(rect.get("x")), float(rect.get("width")), rect.find(f"{SVG}title").text)
        for rect in root.iter(f"{SVG}rect")
        if rect.find(f"{SVG}title") is not None
    ]


def test_grouped_bars_are_drawn_to_one_scale():
    svg = bar_chart(
        title="Time to verdict",
        series=[Series("median"), Series("90th percentile")],
        rows=[Row("Politics", (2.0, 8.0)), Row("City", (1.0, None))],
        unit=" h",
    )
    drawn = bars(svg)
    assert [title for _, _, title in drawn] == [
        "Politics, median: 2 h",
        "Politics, 90th percentile: 8 h",
        "City, median: 1 h",
    ]
    widths = [width for _, width, _ in drawn]
    assert widths[1] == pytest.approx(4 * widths[0]) and widths[0] == pytest.approx(2 * widths[2])
    assert all(x == LABEL_WIDTH for x, _, _ in drawn)
    assert "City, 90th percentile: no data" in svg  # a missing value says so rather than drawing 0
    assert parse_svg(svg).get("width") == str(WIDTH)


def test_stacked_segments_follow_each_other_and_the_total_is_written():
    svg = bar_chart(
        title="Verdicts",
        series=[Series("Verified"), Series("False")],
        rows=[Row("Politics", (3.0, 1.0))],
        stacked=True,
        fmt=lambda value: f"{value:.0f}",
    )
    (x1, w1, _), (x2, w2, _) = bars(svg)
    assert x2 == pytest.approx(x1 + w1) and w1 == pytest.approx(3 * w2)
    assert re.search(r">4</text>", svg)


def test_labels_and_names_are_escaped_and_long_labels_cut():
    label = '<script>alert(1)</script> & "Desk" of a very long name indeed'
    svg = bar_chart(title="<b>T</b>", series=[Series("a<i>"), Series("b")], rows=[Row(label, (1.0, 2.0))])
    assert "<script>" not in svg and "<b>" not in svg and "<i>" not in svg
    root = parse_svg(svg)  # still well-formed XML
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "<b>T</b>" in texts and "a<i>" in texts
    assert "<script>alert(1)</script>…" in texts  # cut to the label column (26), with an ellipsis
    assert root.find(f"{SVG}g/{SVG}title").text == label  # the whole label on hover


def test_no_rows_says_so():
    svg = bar_chart(title="Nothing", series=[Series("a")], rows=[])
    assert "No data for this period." in svg
    parse_svg(svg)


@pytest.mark.parametrize(
    ("series", "rows", "message"),
    [
        ([], [], "at least one series"),
        ([Series("a")], [Row("x", (1.0, 2.0))], "has 2 values for 1 series"),
        ([Series("a")], [Row("x", (-1.0,))], "negative"),
        ([Series("a")], [Row("x", (float("nan"),))], "undefined"),
    ],
)
def test_bad_input_is_refused(series, rows, message):
    with pytest.raises(ValueError, match=message):
        bar_chart(title="t", series=series, rows=rows)


@given(
    labels=st.lists(st.text(max_size=60), max_size=6),
    values=st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1e9)), min_size=2, max_size=2),
)
def test_any_labels_and_values_make_well_formed_svg_within_the_width(labels, values):
    svg = bar_chart(
        title="t",
        series=[Series("one"), Series("two")],
        rows=[Row(label, tuple(values)) for label in labels],
        stacked=True,
    )
    root = parse_svg(svg)
    for x, width, _ in bars(svg):
        assert x >= LABEL_WIDTH and x + width <= WIDTH
    assert root.tag == f"{SVG}svg"
