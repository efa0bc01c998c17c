"""Notebook 07's share form in a real browser: preview, then seal the report for a coach."""

from __future__ import annotations

import json
import os

import lab
from test_harness import write_notebook

from trustlab.report.seal import new_identity, open_sealed


def test_the_share_form_seals_the_report_for_the_coach(
    lab_server, browser_page, blocked_requests, artifacts, tmp_path
):
    page = browser_page
    key = tmp_path / "coach-key.txt"
    public = new_identity(key)
    reports = tmp_path / "reports"
    reports.mkdir()
    form_source = (
        "from trustlab.share import ShareForm\n"
        f"share = ShareForm(journal, folder={str(reports / 'june')!r})\nshare"
    )
    name = write_notebook(
        lab_server.notebooks, "share_form.ipynb",
        "import trustlab\njournal = trustlab.open_journal()", form_source,
    )  # fmt: skip
    lab.open_notebook(page, lab_server, name)
    lab.run_all(page)
    form = lab.cell_output(page, form_source)
    lab.click_button(page, "Preview", within=form)
    lab.wait_for_text(page, "Nothing has been written yet", within=form)
    lab.fill_text(page, "Seal for", public, within=form)
    lab.click_button(page, "Write the report", within=form)
    lab.wait_for_text(page, "sealed for your coach", within=form)
    lab.screenshot(page, artifacts / "share_form_sealed.png", within=form)

    assert os.listdir(reports) == ["june.age"]  # one file, nothing in the clear
    files = open_sealed(reports / "june.age", key)
    assert set(files) == {"report.html", "report.ipynb", "report.json"}
    assert json.loads(files["report.json"])["names"] == "pseudonyms"
    assert blocked_requests == []
