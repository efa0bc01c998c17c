"""A report sealed for one coach: `trustlab export --to-coach`, `coach-key`, `open-report`,
and the coach's review reading sealed reports with the coach's key."""

from __future__ import annotations

import json
import os

import pytest

from trustlab import cli, open_journal
from trustlab.report import ExportError, ReportExists, preview, read_reports
from trustlab.report.seal import open_sealed

WORDS = "Sam came early and stayed to help"


@pytest.fixture
def journal(tmp_path):
    j = open_journal(tmp_path / "journal")
    for day in range(1, 13):
        j.add("marbles", date=f"2024-03-{day:02d}", person="Sam Quinn", marbles=1, moment=WORDS)
    return j


@pytest.fixture
def coach(tmp_path, capsys):
    """The coach's key pair, made as a coach would: (secret key file, public key)."""
    key = tmp_path / "coach" / "key.txt"
    key.parent.mkdir()
    assert cli.main(["coach-key", str(key)]) == 0
    public = capsys.readouterr().out.strip().splitlines()[-1]
    assert public.startswith("age1") and os.stat(key).st_mode & 0o777 == 0o600
    assert public not in key.read_text().split("AGE-SECRET-KEY")[1]  # the secret is not it
    return key, public


def test_cli_seals_the_report_into_one_file_only_the_coach_opens(journal, coach, tmp_path,
                                                                 capsys):
    key, public = coach
    sealed = tmp_path / "out" / "march.age"
    sealed.parent.mkdir()
    args = ["export", str(journal.path), "--out", str(sealed), "--to-coach", public,
            "--include-text"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert f"Sealed the report for your coach into {sealed}" in out
    assert os.listdir(sealed.parent) == ["march.age"]  # one file: no folder in the clear
    data = sealed.read_bytes()
    assert data.startswith(b"age-encryption.org/v1") and b"Sam" not in data
    assert b"came early" not in data and b"report" not in data

    # The coach opens it whole, or reads its figures in memory
    assert cli.main(["open-report", str(sealed), "--identity", str(key)]) == 0
    opened = tmp_path / "out" / "march"
    assert sorted(os.listdir(opened)) == ["report.html", "report.ipynb", "report.json"]
    page = (opened / "report.html").read_text("utf-8")
    assert "Person A came early" in page and "Sam" not in page
    assert json.loads(open_sealed(sealed, key)["report.json"])["format"] == "trustlab-report"
    # and the person's journal keeps the report's figures for the next brief, as ever
    assert list((journal.path / ".trustlab" / "reports").glob("report-*.json"))

    # Never over an earlier file without --replace
    capsys.readouterr()
    assert cli.main(args) == 1
    assert "--replace" in capsys.readouterr().err
    assert cli.main([*args, "--replace"]) == 0
    assert sealed.read_bytes() != data


def test_a_wrong_key_writes_nothing_and_says_what_was_expected(journal, coach, tmp_path,
                                                               capsys):
    key, _ = coach
    out = tmp_path / "march.age"
    (secret,) = [line for line in key.read_text().splitlines() if line.startswith("AGE-SECRET")]
    for wrong in ("not-a-key", "ssh-ed25519 AAAA broken", secret):
        assert cli.main(["export", str(journal.path), "--out", str(out), "--to-coach",
                         wrong]) == 2
        err = capsys.readouterr().err
        assert err.startswith("trustlab export: ") and "key" in err and err.count("\n") == 1
        assert secret[20:] not in err  # a secret key pasted by mistake is never echoed
        assert not out.exists()


def test_a_sealed_report_never_goes_into_the_journal_or_over_a_folder(journal, coach,
                                                                       tmp_path):
    _, public = coach
    built = preview(journal)
    with pytest.raises(ExportError, match="inside the journal folder"):
        built.seal(journal.path / "report.age", public)
    (tmp_path / "folder").mkdir()
    with pytest.raises(ExportError, match="is a folder"):
        built.seal(tmp_path / "folder", public)
    (tmp_path / "taken.age").write_text("someone's file")
    with pytest.raises(ReportExists):
        built.seal(tmp_path / "taken.age", public)
    assert (tmp_path / "taken.age").read_text() == "someone's file"
    os.symlink(tmp_path / "elsewhere.age", tmp_path / "link.age")
    with pytest.raises(ExportError, match="is a link"):
        built.seal(tmp_path / "link.age", public)
    assert not (tmp_path / "elsewhere.age").exists()


def test_opening_with_another_key_unpacks_nothing(journal, coach, tmp_path, capsys):
    _, public = coach
    sealed = preview(journal).seal(tmp_path / "march.age", public).files[0]
    other = tmp_path / "other.txt"
    assert cli.main(["coach-key", str(other)]) == 0
    capsys.readouterr()
    assert cli.main(["open-report", str(sealed), "--identity", str(other),
                     "--into", str(tmp_path / "opened")]) == 1
    assert "cannot open" in capsys.readouterr().err
    assert not (tmp_path / "opened").exists()
    assert cli.main(["coach-key", str(other)]) == 1  # never over an existing key


def test_review_reads_sealed_reports_with_the_coachs_key(journal, coach, tmp_path,
                                                         monkeypatch):
    from IPython.display import HTML

    from trustlab import review

    key, public = coach
    reports = tmp_path / "reports"
    reports.mkdir()
    preview(journal, until="2024-03-06").seal(reports / "first.age", public)
    preview(journal, since="2024-03-07").seal(reports / "second.age", public)
    found = read_reports(reports, identity=key)
    assert [r["folder"] for r in found] == ["first", "second"]
    assert read_reports(reports) == []  # without the key, nothing is read

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    review.review(reports)
    notes = " ".join(o.data for o in shown if isinstance(o, HTML))
    assert "2 sealed reports (.age) are here" in notes and "IDENTITY" in notes
    shown.clear()
    assert len(review.review(reports, identity=key)) == 2
    assert "Earlier report" in " ".join(o.data for o in shown if isinstance(o, HTML))


def test_the_07_form_seals_for_the_coach_when_given_their_key(journal, coach, tmp_path):
    from trustlab.share import ShareForm

    key, public = coach
    form = ShareForm(journal, folder=tmp_path / "reports" / "march")
    (tmp_path / "reports").mkdir()
    form.to_coach.value = "age1-not-a-key"
    form.preview_button.click()
    form.export_button.click()
    assert "not a valid age public key" in form.status.value
    assert not any((tmp_path / "reports").iterdir())

    form.to_coach.value = public
    form.export_button.click()
    sealed = tmp_path / "reports" / "march.age"
    assert os.listdir(tmp_path / "reports") == ["march.age"]
    assert "sealed for your coach" in form.status.value and "march.age" in form.status.value
    assert json.loads(open_sealed(sealed, key)["report.json"])["format"] == "trustlab-report"
    form.export_button.click()  # again: refused, the first file kept
    assert "already exists" in form.status.value
    form.replace.value = True
    form.export_button.click()
    assert "sealed for your coach" in form.status.value


def test_cli_refuses_a_sealed_report_in_the_journal_before_building_it(journal, coach, capsys,
                                                                       monkeypatch):
    from trustlab.report import output

    _, public = coach
    monkeypatch.setattr(output, "build", lambda *a: pytest.fail("built for nothing"))
    assert cli.main(["export", str(journal.path), "--out", str(journal.path / "r.age"),
                     "--to-coach", public]) == 2
    assert "inside the journal folder" in capsys.readouterr().err
    assert not (journal.path / "r.age").exists()
