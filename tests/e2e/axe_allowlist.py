"""The one list of axe-core findings that come from Streamlit's own markup, not from our content (#19).

Each entry names the axe rule, where on the page it is excused (an ancestor's CSS selector, or a label of a widget
that is disabled), and why: what Streamlit draws, and why no setting or small wrapper of ours can change it. Anything
else axe finds at impact "serious" or "critical" fails tests/e2e/test_accessibility.py. Review this list when
Streamlit is upgraded: an entry no longer needed is reported by the test.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALLOWED", "Allowed"]


@dataclass(frozen=True)
class Allowed:
    """An axe rule excused where ``within`` holds (a CSS selector of an ancestor, or "disabled widget")."""

    rule: str
    within: str
    reason: str


DISABLED_WIDGET = "disabled widget"

ALLOWED = (
    Allowed(
        "list",
        '[data-testid="stSidebarNav"]',
        "st.navigation's sidebar menu is a <ul> whose children are Streamlit's <div> wrappers around each <li> "
        "(one per section); the markup is Streamlit's and no option of st.navigation changes it. Screen readers "
        "still announce the links and the current page (aria-current).",
    ),
    Allowed(
        "listitem",
        '[data-testid="stSidebarNav"]',
        "The same menu: each <li> sits in Streamlit's <div> wrapper, not directly in the <ul>.",
    ),
    Allowed(
        "color-contrast",
        DISABLED_WIDGET,
        "Streamlit greys the label of a disabled widget (text colour at 40 % opacity). WCAG 1.4.3 sets no contrast "
        "minimum for an inactive control; axe cannot tell, because Streamlit's label is not tied to the disabled "
        "input. Only nodes inside an element that holds a disabled control are excused.",
    ),
)
