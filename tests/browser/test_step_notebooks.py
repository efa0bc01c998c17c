"""Each of the five step notebooks in JupyterLab: open, run all, fill the form, save, verify.

The server runs on copies of notebooks/ and of the sample journal (see conftest.py).
A screenshot of each notebook in use is saved to test-artifacts/browser/.
"""

from __future__ import annotations

import csv
from pathlib import Path

import lab


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def added(path: Path, before: list[dict[str, str]]) -> list[dict[str, str]]:
    known = {row["id"] for row in before}
    return [{k: v for k, v in row.items() if k != "id"}
            for row in rows(path) if row["id"] not in known]


def open_and_run(page, server, name: str) -> None:
    lab.open_notebook(page, server, name)
    lab.run_all(page)
    assert lab.cell_errors(page) == []


def test_01_roots_of_distrust(lab_server, browser_page, blocked_requests, artifacts):
    page, path = browser_page, lab_server.journal / "triggers.csv"
    before = rows(path)
    open_and_run(page, lab_server, "01_roots_of_distrust.ipynb")
    form = lab.cell_output(page, 'workbook.section(journal, "triggers"')
    lab.set_date(page, "Date", "2026-09-02", within=form)
    lab.fill_text(page, "Situation", "He went quiet at dinner, and I froze", within=form)
    lab.choose_toggle(page, "Where it comes from", "childhood", within=form)
    lab.set_slider(page, "Intensity", 6, within=form)
    lab.set_slider(page, "My share", 95, within=form)
    lab.wait_for_text(page, "more than our share", within=form)
    lab.set_slider(page, "My share", 40, within=form)
    lab.fill_text(page, "Mine to own", "I assumed the worst", within=form)
    lab.fill_text(page, "Not mine", "His silence", within=form)
    drawn = lab.chart_drawn(page, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    lab.chart_drawn(page, within=form, replacing=drawn)
    lab.screenshot(page, artifacts / "notebook_01.png")
    assert added(path, before) == [{
        "date": "2026-09-02", "situation": "He went quiet at dinner, and I froze",
        "origin": "childhood", "intensity": "6", "my_share": "40",
        "mine_to_own": "I assumed the worst", "not_mine": "His silence",
    }]
    assert blocked_requests == []


def test_02_relationship_stock_take(lab_server, browser_page, blocked_requests, artifacts):
    page = browser_page
    qualities, observations = (lab_server.journal / f"{n}.csv"
                               for n in ("qualities", "observations"))
    before_q, before_o = rows(qualities), rows(observations)
    open_and_run(page, lab_server, "02_relationship_stock_take.ipynb")
    form = lab.cell_output(page, 'workbook.section(journal, "qualities")')
    lab.fill_text(page, "Quality", "Patience", within=form)
    lab.fill_text(page, "Why it matters", "So I never feel rushed", within=form)
    lab.set_slider(page, "Importance", 4, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    assert added(qualities, before_q) == [
        {"quality": "Patience", "why": "So I never feel rushed", "importance": "4"}]

    checklist = lab.cell_output(page, "workbook.checklist(journal")
    lab.set_date(page, "Date", "2026-09-03", within=checklist)
    lab.fill_text(page, "Person", "Zoë", within=checklist)
    lab.choose_toggle(page, "Patience", "yes", within=checklist)
    drawn = lab.chart_drawn(page, within=checklist)
    lab.click_button(page, "Save checklist", within=checklist)
    lab.wait_for_text(page, "Saved 1 observation", within=checklist)
    lab.chart_drawn(page, within=checklist, replacing=drawn)
    lab.screenshot(page, artifacts / "notebook_02.png")
    assert added(observations, before_o) == [{
        "date": "2026-09-03", "person": "Zoë", "quality": "Patience", "shown": "yes",
        "note": ""}]
    assert blocked_requests == []


def test_03_trust_in_yourself(lab_server, browser_page, blocked_requests, artifacts):
    page = browser_page
    promises, flags = (lab_server.journal / f"{n}.csv" for n in ("promises", "red_flags"))
    before_p, before_f = rows(promises), rows(flags)
    open_and_run(page, lab_server, "03_trust_in_yourself.ipynb")
    form = lab.cell_output(page, 'workbook.section(journal, "promises")')
    lab.set_date(page, "Date", "2026-09-04", within=form)
    lab.fill_text(page, "Promise", "Rest when I am tired", within=form)
    lab.choose_dropdown(page, "Kept?", "partly", within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    assert added(promises, before_p) == [
        {"date": "2026-09-04", "promise": "Rest when I am tired", "kept": "partly"}]

    form = lab.cell_output(page, 'workbook.section(journal, "red_flags"')
    lab.set_date(page, "Date", "2026-09-04", within=form)
    lab.fill_text(page, "Person", "Dana", within=form)
    lab.fill_text(page, "Red flag", "Took credit for my work again", within=form)
    lab.choose_toggle(page, "What I did", "heeded", within=form)
    drawn = lab.chart_drawn(page, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    lab.chart_drawn(page, within=form, replacing=drawn)
    lab.screenshot(page, artifacts / "notebook_03.png")
    assert added(flags, before_f) == [{
        "date": "2026-09-04", "person": "Dana", "flag": "Took credit for my work again",
        "response": "heeded", "note": ""}]
    assert blocked_requests == []


def test_04_challenging_beliefs(lab_server, browser_page, blocked_requests, artifacts):
    page, path = browser_page, lab_server.journal / "beliefs.csv"
    before = rows(path)
    open_and_run(page, lab_server, "04_challenging_beliefs.ipynb")
    form = lab.cell_output(page, 'workbook.section(journal, "beliefs"')
    lab.set_date(page, "Date", "2026-09-05", within=form)
    lab.fill_text(page, "Belief", "Everyone leaves", within=form)
    lab.set_slider(page, "How true it feels (before)", 70, within=form)
    lab.fill_text(page, "The opposite thought", "Some people stay", within=form)
    lab.fill_text(page, "Evidence for the opposite", "Priya stayed, Zoë stayed", within=form)
    lab.fill_text(page, "It's possible that…", "It's possible some people stay", within=form)
    lab.set_slider(page, "How true it feels (after)", 45, within=form)
    drawn = lab.chart_drawn(page, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    lab.chart_drawn(page, within=form, replacing=drawn)
    lab.screenshot(page, artifacts / "notebook_04.png")
    assert added(path, before) == [{
        "date": "2026-09-05", "belief": "Everyone leaves", "before": "70",
        "opposite": "Some people stay", "evidence": "Priya stayed, Zoë stayed",
        "possible": "It's possible some people stay", "after": "45"}]
    assert blocked_requests == []


def test_05_marble_jar(lab_server, browser_page, blocked_requests, artifacts):
    page, path = browser_page, lab_server.journal / "marbles.csv"
    before = rows(path)
    open_and_run(page, lab_server, "05_marble_jar.ipynb")
    form = lab.cell_output(page, 'workbook.section(journal, "marbles"')
    lab.set_date(page, "Date", "2026-09-06", within=form)
    lab.fill_text(page, "Person", "Sam", within=form)
    lab.set_slider(page, "Marbles", -2, within=form)
    lab.fill_text(page, "The moment", "Forgot to call, then owned it", within=form)
    lab.choose_dropdown(page, "BRAVING element", "accountability", within=form)
    drawn = lab.chart_drawn(page, within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    lab.chart_drawn(page, within=form, replacing=drawn)
    # JupyterLab drew the charts itself (Vega), each named for screen readers by its title.
    names = form.locator("[role='graphics-document']").evaluate_all(
        "charts => charts.map(c => c.getAttribute('aria-label'))")
    assert names[:2] == ["Chart: Each jar now. Marbles in minus marbles out, from the first "
                         "moment on.", "Chart: How full each jar has been. One point per day: "
                         "▲ more marbles went in than came out, ▼ more came out."]
    assert form.locator(".vega-embed details, .vega-actions").count() == 0  # no menu to send
    lab.screenshot(page, artifacts / "notebook_05.png")
    assert added(path, before) == [{
        "date": "2026-09-06", "person": "Sam", "marbles": "-2",
        "moment": "Forgot to call, then owned it", "braving": "accountability"}]
    assert blocked_requests == []


def test_a_busy_journal_is_shown_in_the_form_and_nothing_is_lost(
    lab_server, browser_page, blocked_requests
):
    """Another writer holds the lock: Save says so in the form, keeps what was typed, and the
    next Save stores the entry once."""
    import subprocess
    import sys

    page, path = browser_page, lab_server.journal / "marbles.csv"
    before = rows(path)
    open_and_run(page, lab_server, "05_marble_jar.ipynb")
    form = lab.cell_output(page, 'workbook.section(journal, "marbles"')
    lab.set_date(page, "Date", "2026-09-07", within=form)
    lab.fill_text(page, "Person", "Sam", within=form)
    lab.set_slider(page, "Marbles", 1, within=form)
    lab.fill_text(page, "The moment", "Waited while another window saved", within=form)
    lock = lab_server.journal / ".trustlab" / "locks" / "marbles.csv.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom filelock import FileLock\n"
         f"with FileLock({str(lock)!r}):\n print('held', flush=True)\n sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "held\n"
        lab.click_button(page, "Save", within=form)
        lab.wait_for_text(page, "Another trustlab window", within=form)
        assert rows(path) == before
        field = lab.widget_by_label(page, "The moment", within=form).locator("textarea, input")
        assert field.input_value() == "Waited while another window saved"
    finally:
        holder.communicate("", timeout=30)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    assert added(path, before) == [{
        "date": "2026-09-07", "person": "Sam", "marbles": "1",
        "moment": "Waited while another window saved", "braving": ""}]
    assert blocked_requests == []
