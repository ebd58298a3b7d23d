"""Charts on a phone (390×844) and on a desktop (1366×900), as drawn in the browser (#19): each chart is an SVG whose
container Vega names for screen readers (``role="graphics-document"``, ``aria-label`` = the chart's description), its
marks are drawn with a width (the bars of Governance models once vanished on a phone: the element names took the
whole width), and every legend entry and axis label lies inside the window (the theme × kind legend once cut off
"barrier" and "insight"), legend labels whole (long ones wrap on a phone) and titles not cut short. The headline numbers of the Overview take two lines on a phone, not a whole screen.

Screenshots: tests/e2e/screenshots/charts-<view>-<size>.png (the whole page, made as tall as its content).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from components import browser

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}

#: Page address, heading, and what each chart's accessible name says (in the order the page draws them).
VIEWS = {
    "overview": ("", "Overview", ("Bar chart of the lessons recorded in each of", "Stacked bar chart of the lessons")),
    "recurring": ("recurs", "What recurs", ("Bar chart of how many pilots report each of",)),
    "contradicting": ("recurs?view=Contradicting", "What recurs", ("Diverging bar chart of",)),
    "pilot-theme": ("recurs?view=Pilot+%C3%97+theme", "What recurs", ("Heatmap of the lessons of",)),
    "crosswalk": ("recurs?view=Methodology+crosswalk", "What recurs", ("Stacked bar chart of the lessons in each",)),
    "compare": (
        "recurs?view=Compare+pilots&compare=athens-innovation-network&compare=riga-service-desk",
        "What recurs",
        ("Grouped bar chart comparing 2 pilots",),
    ),
    "models": ("models", "Governance models", ("Diverging bar chart of",)),
    # one chart per network measure, in a row that wraps (a fixed three-column facet was cut off on a phone)
    "network-compare": ("networks?view=Compare+pilots", "Stakeholder networks", ("Bar chart of",) * 6),
    # the pilot against the rest: its share of each kind, phase and status beside the others' pooled
    "pilot-against": (
        "pilots?pilot=vasterbotten-home-care",
        "Rural home care with local champions",
        ("Grouped bar chart of the share of",) * 3,
    ),
}

#: Everything a chart draws that must stay in the window: marks, axis labels, legend symbols and labels.
DRAWN = """(chart) => {
  const svg = chart.querySelector('svg.marks');
  const box = (e) => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width,
                                                                   height: r.height, text: e.textContent}; };
  const marks = [...svg.querySelectorAll('g.role-mark:not(.role-axis):not(.role-legend) > path')]
    .filter(p => !p.closest('.role-axis, .role-legend, .role-title'));
  return {
    renderer: svg ? 'svg' : (chart.querySelector('canvas') ? 'canvas' : 'none'),
    role: chart.getAttribute('role'),
    label: chart.getAttribute('aria-label') || '',
    chart: box(chart),
    svg: box(svg),
    marks: marks.map(box),
    legend: [...svg.querySelectorAll('.role-legend-label text, .role-legend-symbol path')].map(box),
    legendLabels: [...svg.querySelectorAll('.role-legend-label text')].map(e => e.textContent),
    titles: [...svg.querySelectorAll('.role-title-text text, .role-axis-title text')].map(e => e.textContent),
    axisLabels: [...svg.querySelectorAll('.role-axis-label text, .role-axis-title text, .role-title text')].map(box),
  };
}"""


def whole_page(page, shoot, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so the window is made as tall as that
    area's content for the picture (same width: the layout does not change), then set back."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(height), 16_000))})
    browser.wait_rendered(page)
    shoot(name)
    page.set_viewport_size(size)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("view", VIEWS)
def test_charts_have_names_marks_and_legends_that_fit_the_window(page, app_url, shoot, view, size):
    address, heading, names = VIEWS[view]
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/{address}")
    browser.wait_rendered(page)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(len(names))
    for index, name in enumerate(names):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        expect(chart.locator("svg.marks g.role-mark path").first).to_be_attached()
        drawn = chart.evaluate(DRAWN)
        where = f"{view} chart {index + 1} at {size}"
        assert drawn["renderer"] == "svg", where
        assert drawn["role"] == "graphics-document", where
        assert drawn["label"].startswith(name) and drawn["label"].endswith("."), (where, drawn["label"])
        expect(chart).to_have_accessible_name(drawn["label"])
        assert drawn["svg"]["right"] <= drawn["chart"]["right"] + 1 <= width + 1, (where, drawn["svg"], width)
        bars = [m for m in drawn["marks"] if m["width"] >= 2 and m["height"] >= 2]
        assert len(bars) >= 3, (where, "marks vanished", drawn["marks"][:5])
        assert all(0 <= m["left"] and m["right"] <= width for m in bars), where
        assert all(0 <= e["left"] and e["right"] <= width for e in drawn["legend"]), (where, drawn["legend"])
        assert all(0 <= e["left"] and e["right"] <= width for e in drawn["axisLabels"]), where
        assert drawn["titles"] and not any("…" in t for t in drawn["titles"]), (
            where,
            "title cut short",
            drawn["titles"],
        )
        assert not any("…" in t for t in drawn["legendLabels"]), (
            where,
            "legend label cut short",
            drawn["legendLabels"],
        )
        if view == "overview" and index == 1:
            assert drawn["legendLabels"] == ["Enabler", "Barrier", "Recommendation", "Insight"], where  # named
        if view == "models":
            assert drawn["legendLabels"] == ["Supports", "Challenges"], where
    if view == "overview":
        numbers = page.get_by_test_id("stMetric")
        expect(numbers).to_have_count(6)
        tops = {round(numbers.nth(i).bounding_box()["y"]) for i in range(6)}
        assert len(tops) <= 2, f"six headline numbers on {len(tops)} lines at {size}"
    whole_page(page, shoot, f"charts-{view}-{size}")
