"""What is typed is what is saved, however quickly Save follows the last key.

ipywidgets keeps one update per widget on its way to the kernel: while one is, newer
values wait in the browser. A click is not held back. Typing a note quickly and pressing
Enter on Save at once saved "S" of "Sorry …", and the rest arrived afterwards, in the next
entry. Forms now handle a click from the browser only after a round trip that the waiting
values travel ahead of (``trustlab.forms._RoundTrip``).

Each entry here is typed with no delay between keys and saved with no pause at all, right
after the previous save, while the kernel is still drawing the page's charts again (when
values wait longest). Every row is then read back from disk.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import lab
from playwright.sync_api import expect

DATE = "2026-09-08"
TEXTS = [
    "Sorry I snapped at you, I was tired and that is on me",
    'Said "no" kindly, and she listened — 💛',
    "line one\nline two, with a comma",
    "שלום: small steps, one at a time",
    "=SUM(A1) stays text, not a formula",
]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return [{k: v for k, v in row.items() if k != "id"} for row in csv.DictReader(file)]


def save_button(form):
    return form.locator("button.widget-button").filter(has_text=re.compile(r"^\s*Save\s*$"))


def wait_for_rows(page, path: Path, count: int) -> list[dict[str, str]]:
    """The rows of ``path`` once it has ``count`` of them."""

    def enough() -> list[dict[str, str]] | None:
        found = rows(path)
        return found if len(found) >= count else None

    return lab.wait_until(page, enough, what=f"{count} rows in {path.name}",
                          timeout=lab.KERNEL_TIMEOUT)


def test_a_note_typed_fast_and_saved_at_once_is_saved_whole(
    lab_server, browser_page, blocked_requests
):
    page, path = browser_page, lab_server.journal / "marbles.csv"
    before = rows(path)
    lab.open_notebook(page, lab_server, "05_marble_jar.ipynb")
    lab.run_all(page)
    form = lab.cell_output(page, 'workbook.section(journal, "marbles"')
    lab.set_date(page, "Date", DATE, within=form)  # kept from one entry to the next
    person = lab.widget_by_label(page, "Person", within=form).locator("input")
    moment = lab.widget_by_label(page, "The moment", within=form).locator("textarea")
    expected = []
    for number, text in enumerate(TEXTS, start=1):
        person.focus()
        page.keyboard.type("Sam", delay=0)
        page.keyboard.press("Tab")  # "Someone new…"
        page.keyboard.press("Tab")  # Marbles
        page.keyboard.press("Control+A")
        page.keyboard.type(str(number), delay=0)
        page.keyboard.press("Tab")  # The moment
        page.keyboard.type(text, delay=0)
        if number == len(TEXTS):
            save_button(form).click()  # the mouse, at once: the box loses focus as it goes
        else:
            page.keyboard.press("Tab")  # BRAVING element
            page.keyboard.press("Tab")  # Save
            page.keyboard.press("Enter")
        expected.append({"date": DATE, "person": "Sam", "marbles": str(number),
                         "moment": text, "braving": ""})
        saved = wait_for_rows(page, path, len(before) + number)
        assert saved[len(before):] == expected, f"entry {number} was not saved as typed"
        # The form is emptied for the next entry (and nothing typed comes back into it).
        expect(moment).to_have_value("", timeout=lab.TIMEOUT)
        expect(person).to_have_value("", timeout=lab.TIMEOUT)

    # One more entry, filled the slow way: nothing of the last fast one is carried into it.
    lab.fill_text(page, "Person", "Priya", within=form)
    lab.fill_text(page, "The moment", "Slow and steady", within=form)
    lab.click_button(page, "Save", within=form)
    saved = wait_for_rows(page, path, len(before) + len(TEXTS) + 1)
    assert saved[-1] == {"date": DATE, "person": "Priya", "marbles": "1",
                         "moment": "Slow and steady", "braving": ""}
    assert blocked_requests == []


def test_a_one_line_name_typed_fast_and_saved_at_once_is_saved_whole(
    lab_server, browser_page, blocked_requests
):
    """A Text box (one line) and a text area, in the qualities form of 02."""
    page, path = browser_page, lab_server.journal / "qualities.csv"
    before = rows(path)
    lab.open_notebook(page, lab_server, "02_relationship_stock_take.ipynb")
    lab.run_all(page)
    form = lab.cell_output(page, 'workbook.section(journal, "qualities")')
    quality = lab.widget_by_label(page, "Quality", within=form).locator("input")
    expected = []
    for number, text in enumerate(TEXTS[:3], start=1):
        name = f"patience {number}, even when {text.splitlines()[0][:20]}"
        quality.focus()
        page.keyboard.type(name, delay=0)
        page.keyboard.press("Tab")  # Why it matters
        page.keyboard.type(text, delay=0)
        page.keyboard.press("Tab")  # Importance
        page.keyboard.press("Tab")  # Save
        page.keyboard.press("Enter")
        expected.append({"quality": name, "why": text, "importance": "3"})
        saved = wait_for_rows(page, path, len(before) + number)
        assert saved[len(before):] == expected, f"entry {number} was not saved as typed"
        expect(quality).to_have_value("", timeout=lab.TIMEOUT)
    assert blocked_requests == []
