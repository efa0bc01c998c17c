"""The guided notebooks' forms and charts work with assistive technology and the keyboard.

Each notebook 01-07 is run in JupyterLab on a copy of the sample journal. Then:

- axe-core (from the Python package axe-playwright-python: nothing is fetched) finds no
  serious or critical violation inside the output areas;
- every visible field label names a control (``<label for=…>``: ipywidgets leaves the label
  of a slider, toggle buttons or radio buttons unattached, ipywidgets#2650), and no visible
  element carries the tooltip "null" (an unset tooltip, as ipywidgets 8.1 writes it);
- one entry of each form is completed with the keyboard alone and read back from disk.
  After Run All the test only puts the focus on the form's first control (where Tab from
  the control before it would land), then uses Tab, typing, the arrow keys, Space and Enter.
  Every control the focus reaches must have an accessible name.
"""

from __future__ import annotations

import csv
from pathlib import Path

import lab
import pytest

STEP_NOTEBOOKS = [
    "01_roots_of_distrust.ipynb",
    "02_relationship_stock_take.ipynb",
    "03_trust_in_yourself.ipynb",
    "04_challenging_beliefs.ipynb",
    "05_marble_jar.ipynb",
    "06_trust_trends.ipynb",
    "07_share_with_coach.ipynb",
]
SERIOUS = ("serious", "critical")

# Problems outside trustlab/forms.py, each still checked to be there (so that the entry is
# removed once it is fixed): (notebook, axe rule or "title=null") -> where it comes from.
KNOWN: dict[tuple[str, str], str] = {}

# Labels that are visible and name no control, and visible elements with the tooltip "null".
_LABEL_PROBLEMS_JS = """(selector) => {
    const visible = e => e.getClientRects().length > 0;
    const outputs = [...document.querySelectorAll(selector)];
    const unattached = outputs.flatMap(o => [...o.querySelectorAll('label.widget-label')])
        .filter(l => visible(l) && l.textContent.trim()
                && !(l.htmlFor && document.getElementById(l.htmlFor)))
        .map(l => `${l.parentElement.className}: ${l.textContent.trim()}`);
    const nulls = outputs.flatMap(o => [...o.querySelectorAll('[title="null"]')])
        .filter(visible)
        .map(e => `${e.tagName.toLowerCase()}.${e.className}: ${e.textContent.trim()}`);
    return {unattached, nulls};
}"""


def rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def added(path: Path, before: list[dict[str, str]]) -> list[dict[str, str]]:
    known = {row["id"] for row in before}
    return [{k: v for k, v in row.items() if k != "id"}
            for row in rows(path) if row["id"] not in known]


def wait_for_added(page, path: Path, before: list[dict[str, str]], count: int) -> list[dict]:
    """The rows added to ``path`` since ``before``, once there are ``count`` of them."""

    def enough() -> list[dict[str, str]] | None:
        new = added(path, before)
        return new if len(new) >= count else None

    return lab.wait_until(page, enough, what=f"{count} new rows in {path.name}",
                          timeout=lab.KERNEL_TIMEOUT)


def open_and_run(page, server, name: str) -> None:
    lab.open_notebook(page, server, name)
    lab.run_all(page)
    assert lab.cell_errors(page) == []
    # Widget views are drawn after the run: wait until every widget output shows its view.
    page.wait_for_function(
        """() => [...document.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.widget-view+json"]')]
            .every(o => o.querySelector('.jupyter-widgets'))""",
        polling=100, timeout=lab.KERNEL_TIMEOUT,
    )


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(
            f"    {target}" for target in v["targets"][:8])
        for v in violations
    )


@pytest.mark.parametrize("name", STEP_NOTEBOOKS)
def test_outputs_have_no_serious_accessibility_problem(
    lab_server, browser_page, blocked_requests, name
):
    page = browser_page
    open_and_run(page, lab_server, name)
    violations = [v for v in lab.axe_violations(page, ".jp-OutputArea-output")
                  if v["impact"] in SERIOUS]
    labels = page.evaluate(_LABEL_PROBLEMS_JS, ".jp-OutputArea-output")

    found = {v["id"] for v in violations} | ({"title=null"} if labels["nulls"] else set())
    known = {rule for (notebook, rule) in KNOWN if notebook == name}
    assert known <= found, f"fixed? remove from KNOWN: {known - found}"
    new = [v for v in violations if v["id"] not in known]
    assert new == [], f"axe-core in the outputs of {name}:\n{describe(new)}"
    assert labels["unattached"] == [], f"labels that name no control: {labels['unattached']}"
    if "title=null" not in known:
        assert labels["nulls"] == [], f"the tooltip 'null' on: {labels['nulls']}"
    assert blocked_requests == []


# Each form: the cell that shows it, what to enter (by the control's accessible name), the
# name of its button, the file it writes and the row expected there (without the id).
KEYBOARD_ENTRIES = {
    "01_roots_of_distrust.ipynb": [(
        'workbook.section(journal, "triggers"',
        {"Date": "2026-09-10", "Situation": "A late reply, and my chest went tight",
         "Where it comes from": "past_relationship", "Intensity": 7, "My share": 30,
         "Mine to own": "I expected the worst", "Not mine": "The old story"},
        "Save", "triggers.csv",
        {"date": "2026-09-10", "situation": "A late reply, and my chest went tight",
         "origin": "past_relationship", "intensity": "7", "my_share": "30",
         "mine_to_own": "I expected the worst", "not_mine": "The old story"},
    )],
    "02_relationship_stock_take.ipynb": [
        ('workbook.section(journal, "qualities")',
         {"Quality": "patience", "Why it matters": "So I never feel rushed", "Importance": 4},
         "Save", "qualities.csv",
         {"quality": "patience", "why": "So I never feel rushed", "importance": "4"}),
        ('workbook.section(journal, "people")',
         {"Name": "Robin", "Relationship": "colleague", "Present or past": "past",
          "Note": "Kind in meetings"},
         "Save", "people.csv",
         {"person": "Robin", "relationship": "colleague", "era": "past",
          "note": "Kind in meetings"}),
        ("workbook.checklist(journal",
         {"Date": "2026-09-11", "Person": "Zoë", "reliability": "yes", "honesty": "unsure",
          "Note": "A busy week"},
         "Save checklist", "observations.csv",
         [{"date": "2026-09-11", "person": "Zoë", "quality": "reliability", "shown": "yes",
           "note": "A busy week"},
          {"date": "2026-09-11", "person": "Zoë", "quality": "honesty", "shown": "unsure",
           "note": "A busy week"}]),
    ],
    "03_trust_in_yourself.ipynb": [
        ('workbook.section(journal, "promises")',
         {"Date": "2026-09-12", "Promise": "Rest when I am tired", "Kept?": "partly"},
         "Save", "promises.csv",
         {"date": "2026-09-12", "promise": "Rest when I am tired", "kept": "partly"}),
        ('workbook.section(journal, "red_flags"',
         {"Date": "2026-09-12", "Person": "Dana", "Red flag": "Read my messages",
          "What I did": "watching", "Note": "Said I would ask"},
         "Save", "red_flags.csv",
         {"date": "2026-09-12", "person": "Dana", "flag": "Read my messages",
          "response": "watching", "note": "Said I would ask"}),
    ],
    "04_challenging_beliefs.ipynb": [(
        'workbook.section(journal, "beliefs"',
        {"Date": "2026-09-13", "Belief": "Everyone leaves", "How true it feels (before)": 80,
         "The opposite thought": "Some people stay",
         "Evidence for the opposite": "Priya stayed", "It's possible that…": "Some stay",
         "How true it feels (after)": 45},
        "Save", "beliefs.csv",
        {"date": "2026-09-13", "belief": "Everyone leaves", "before": "80",
         "opposite": "Some people stay", "evidence": "Priya stayed", "possible": "Some stay",
         "after": "45"},
    )],
    "05_marble_jar.ipynb": [
        ('workbook.section(journal, "marbles"',
         {"Date": "2026-09-14", "Person": "Sam", "Marbles": -2,
          "The moment": "Forgot to call, then owned it", "BRAVING element": "accountability"},
         "Save", "marbles.csv",
         {"date": "2026-09-14", "person": "Sam", "marbles": "-2",
          "moment": "Forgot to call, then owned it", "braving": "accountability"}),
        ('workbook.section(journal, "steps"',
         {"Date": "2026-09-14", "Person": "Sam", "Gave or asked": "asked",
          "The step": "A lift to the station", "Their response": "pending",
          "Note": "He said he would check"},
         "Save", "steps.csv",
         {"date": "2026-09-14", "person": "Sam", "kind": "asked",
          "step": "A lift to the station", "response": "pending",
          "note": "He said he would check"}),
    ],
}


@pytest.mark.parametrize("name", list(KEYBOARD_ENTRIES))
def test_each_form_is_completed_with_the_keyboard_alone(
    lab_server, browser_page, blocked_requests, name
):
    page = browser_page
    open_and_run(page, lab_server, name)
    for source, values, submit, filename, expected in KEYBOARD_ENTRIES[name]:
        path = lab_server.journal / filename
        before = rows(path)
        form = lab.cell_output(page, source)
        form.locator("input, select, textarea, button").first.focus()
        reached = lab.fill_by_keyboard(page, values, submit=submit, within=form)
        expected_rows = expected if isinstance(expected, list) else [expected]
        saved = wait_for_added(page, path, before, len(expected_rows))
        assert saved == expected_rows, f"{filename}; the keyboard reached {reached}"
    assert blocked_requests == []
