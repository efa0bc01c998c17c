"""No stray key can edit a notebook: with a form's widget focused, notebook shortcuts stay off.

JupyterLab's command-mode keys (``a`` inserts a cell, ``m`` makes it markdown, ``d d``
deletes it …) used to fire while a button, slider, toggle or list inside an output had the
focus. trustlab's shortcut settings (``trustlab.shortcuts``) keep them outside the outputs.
"""

from __future__ import annotations

import lab

STRAY = ["a", "b", "c", "d", "d", "m", "x", "y", "z", "s", "Shift+M", "1", "v"]

_CELLS_JS = """() => {
    const model = window.jupyterapp.shell.currentWidget.content.model;
    return [...model.cells].map(cell => [cell.type, cell.sharedModel.getSource()]);
}"""


def cells(page) -> list[list[str]]:
    return page.evaluate(_CELLS_JS)


def press_stray_keys(page, target) -> None:
    target.focus()
    for key in STRAY:
        page.keyboard.press(key)
    page.wait_for_timeout(300)  # a shortcut acts at once; give the page a moment to show it


def test_letter_keys_on_focused_widgets_leave_the_notebook_alone(
    lab_server, browser_page, blocked_requests
):
    page, path = browser_page, lab_server.journal / "marbles.csv"
    before_file = path.read_bytes()
    lab.open_notebook(page, lab_server, "05_marble_jar.ipynb")
    lab.run_all(page)
    before = cells(page)
    form = lab.cell_output(page, 'workbook.section(journal, "marbles"')
    targets = {
        "button": form.locator("button.widget-button").filter(has_text="Save").first,
        "number box": lab.widget_by_label(page, "Marbles", within=form).locator("input"),
        "dropdown": lab.widget_by_label(page, "BRAVING element", within=form).locator("select"),
        "entries list": form.locator(".widget-select select").last,
        "date picker": lab.widget_by_label(page, "Date", within=form).locator("input"),
    }
    toggles = form.locator(".widget-toggle-buttons button")
    if toggles.count():
        targets["toggle button"] = toggles.first
    for name, target in targets.items():
        press_stray_keys(page, target)
        assert cells(page) == before, f"keys pressed on the {name} changed the notebook"
    assert path.read_bytes() == before_file
    assert blocked_requests == []


def test_arrow_keys_change_a_focused_number(lab_server, browser_page):
    """An arrow key on a focused number changes the number, not the notebook's selection."""
    page = browser_page
    lab.open_notebook(page, lab_server, "01_roots_of_distrust.ipynb")
    lab.run_all(page)
    before = cells(page)
    form = lab.cell_output(page, 'workbook.section(journal, "triggers"')
    field = lab.widget_by_label(page, "Intensity", within=form).locator("input")
    start = int(field.input_value())
    field.focus()
    page.keyboard.press("ArrowUp" if start < 10 else "ArrowDown")
    lab._expect(field, "not_to_have_value", str(start))
    assert cells(page) == before


def test_notebook_shortcuts_still_work_outside_the_forms(lab_server, browser_page):
    """Only the inside of outputs is left out: a focused cell still takes its shortcuts."""
    page = browser_page
    lab.open_notebook(page, lab_server, "00_start_here.ipynb")
    before = cells(page)
    lab.notebook(page).locator(".jp-MarkdownCell").first.click()
    page.keyboard.press("Escape")  # command mode on that cell
    page.keyboard.press("b")
    page.wait_for_function(
        "n => window.jupyterapp.shell.currentWidget.content.model.cells.length === n",
        arg=len(before) + 1, timeout=lab.TIMEOUT,
    )
