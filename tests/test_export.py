"""The coach report shares exactly what the person consents to, and nothing else.

Leak tests plant a distinct marker in every free-text column the schema declares
(and use marker names for people and qualities), then search every byte of every
file an export writes.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import html as html_module
import itertools
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from trustlab import charts, cli, open_journal
from trustlab.report import (
    ALL,
    FREE_TEXT,
    NEVER_SHARED,
    SECTIONS,
    ExportError,
    compare_reports,
    export,
    neutralise,
    preview,
    pseudonym,
    read_reports,
)
from trustlab.report.options import SECTION_OF
from trustlab.schema import TABLES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"

NAMES = ("Quillon Marker", "Brisbane Zedwick", "Ottoline Vexa")
UNLISTED = "Wobbegong Unlisted"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
IN_RANGE = [datetime.date(2024, 3, d) for d in range(1, 29)]
EARLY = datetime.date(2024, 1, 5)


def marker(table: str, column: str, *, early: bool = False) -> str:
    return f"{'EARLY' if early else ''}MARK-{table}-{column}"


def _value(table, col, i: int, day: datetime.date, early: bool):
    if col.kind == "date":
        return day
    if col.kind == "int":
        if col.nonzero:
            return (i % 5) + 1 if i % 4 else -2
        return col.minimum + (i * 7) % (col.maximum - col.minimum + 1)
    if col.kind == "choice":
        return col.choices[i % len(col.choices)]
    if col.refers_to == "people":
        return (*NAMES, UNLISTED)[i % 4]
    if col.refers_to == "qualities":
        return f"{marker('qualities', 'quality')}-{i % 3}"
    return marker(table.name, col.name, early=early)


def plant(folder: Path) -> Path:
    """A journal with a marker in every free-text column and marker names for people."""
    journal = open_journal(folder)
    for name in NAMES:
        journal.add(
            "people",
            person=name,
            relationship="friend",
            era="present",
            note=marker("people", "note"),
        )
    for i in range(3):
        journal.add(
            "qualities",
            quality=f"{marker('qualities', 'quality')}-{i}",
            why=marker("qualities", "why"),
            importance=3,
        )
    for name, table in TABLES.items():
        if name in ("people", "qualities"):
            continue
        rows = [(i, day, False) for i, day in enumerate(IN_RANGE)] + [(99, EARLY, True)]
        for i, day, early in rows:
            journal.add(name, **{c.name: _value(table, c, i, day, early) for c in table.columns})
    # Journal text that is markup, and names written inside text.
    journal.add(
        "marbles",
        date=IN_RANGE[-1],
        person=NAMES[0],
        marbles=1,
        moment=f"{SCRIPT} {IMG} met {NAMES[1]} and {UNLISTED}; {NAMES[0]}'s day",
    )
    return folder


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    return plant(tmp_path_factory.mktemp("planted") / "journal")


@pytest.fixture(scope="module")
def journal(planted):
    return open_journal(planted)


def every_file(folder: Path) -> dict[str, str]:
    """Every file written, as text (binary files decoded leniently), by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes().decode("utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def markers_in(text: str) -> set[str]:
    return set(re.findall(r"(?:EARLY)?MARK-[a-z_]+-[a-z_]+", text))


def all_markers(*, early: bool = False) -> set[str]:
    found = {
        marker(t, c, early=early)
        for t, cols in FREE_TEXT.items()
        for c in cols
        if (t not in ("people", "qualities") or not early) and t not in NEVER_SHARED
    }
    return found


def folder_bytes(path: Path) -> dict[str, bytes]:
    """Every file under ``path`` but the copies of report.json a journal keeps (to compare
    the next report with: see test_the_journal_keeps_each_reports_json_privately)."""
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
        if p.is_file() and not str(p.relative_to(path)).startswith(".trustlab/reports/")
    }


@pytest.fixture(scope="module")
def default_export(journal, tmp_path_factory):
    before = folder_bytes(journal.path)
    out = tmp_path_factory.mktemp("default") / "report"
    result = export(journal, out, csv=True)
    assert folder_bytes(journal.path) == before, "the journal folder changed"
    return result


@pytest.fixture(scope="module")
def text_export(journal, tmp_path_factory):
    out = tmp_path_factory.mktemp("text") / "report"
    return export(journal, out, include_text=True, csv=True, note=f"Hello {SCRIPT} {IMG}")


# --- consent: what is left out ------------------------------------------------------------


def test_the_planted_journal_has_a_marker_in_every_free_text_column(journal):
    for name, columns in FREE_TEXT.items():
        frame = journal.table(name)
        for column in columns:
            assert frame[column].str.contains("MARK-").any(), (name, column)


def test_defaults_share_no_words_and_no_names_anywhere(default_export):
    files = every_file(default_export.folder)
    assert set(files) >= {"report.html", "report.ipynb", "report.json"}
    for name, text in files.items():
        assert markers_in(text) == set(), name
        for person in (*NAMES, UNLISTED):
            for word in person.split():
                assert word not in text, (name, word)
        assert "onerror" not in text and "alert(1)" not in text, name


def test_defaults_show_letters_and_numbered_labels(default_export):
    html = (default_export.folder / "report.html").read_text("utf-8")
    for letter in "ABCD":
        assert f"Person {letter}" in html
    assert "Belief 1" in html and "Quality 1" in html
    assert "Not shared" in html and "Real names." in html
    data = json.loads((default_export.folder / "report.json").read_text("utf-8"))
    assert data["names"] == "pseudonyms" and data["words_included"] is False
    assert [p["person"] for p in data["people"]] == ["Person A", "Person B", "Person C"]
    assert set(data["figures"]) == set(ALL)


def test_the_journal_path_appears_nowhere(default_export, journal):
    for name, text in every_file(default_export.folder).items():
        assert str(journal.path) not in text, name


def test_words_appear_escaped_when_included(text_export):
    files = every_file(text_export.folder)
    html = files["report.html"]
    # observations.quality names a quality, so it holds MARK-qualities-quality-N.
    assert markers_in(html) >= all_markers() - {marker("observations", "quality")}
    # ... but never what the coach wrote back, in any file, even with words shared
    assert not [m for text in files.values() for m in markers_in(text)
                if m.startswith("MARK-coach_notes")]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_names_written_inside_words_become_letters(text_export):
    html = (text_export.folder / "report.html").read_text("utf-8")
    for person in (*NAMES, UNLISTED):
        assert person not in html
    assert "met Person B and Person D; Person A&#39;s day" in html


def test_the_notebook_holds_words_only_escaped(text_export):
    nb = nbformat.read(text_export.folder / "report.ipynb", as_version=4)
    for cell in nb.cells:
        pieces = [cell.source]
        for output in cell.get("outputs", []):
            pieces += [output["data"].get(m, "") for m in ("text/html", "image/svg+xml")]
        for piece in pieces:
            assert "<script" not in piece and "<img" not in piece
    assert "&lt;script&gt;" in nbformat.writes(nb)


def test_real_names_on_shows_names_but_still_no_words(journal, tmp_path):
    result = export(journal, tmp_path / "named", real_names=True)
    files = every_file(result.folder)
    html = files["report.html"]
    assert NAMES[0] in html and "Person A" not in html
    for name, text in files.items():
        assert markers_in(text) == set(), name


def test_real_names_that_are_markup_are_escaped(tmp_path):
    journal = open_journal(tmp_path / "journal")
    journal.add("people", person="<b>Bold</b> & Co", relationship="friend", era="present")
    for day in IN_RANGE[:6]:
        journal.add("marbles", date=day, person="<b>Bold</b> & Co", marbles=2)
    result = export(journal, tmp_path / "out", real_names=True, sections=["marbles"])
    html = (result.folder / "report.html").read_text("utf-8")
    assert "<b>Bold" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html


def test_sections_leave_out_the_other_steps_entirely(journal, tmp_path):
    result = export(journal, tmp_path / "marbles", sections=["marbles"], include_text=True)
    files = every_file(result.folder)
    html = files["report.html"]
    found = set().union(*(markers_in(t) for t in files.values()))
    assert found >= {marker("marbles", "moment"), marker("steps", "step")}
    for table in ("triggers", "red_flags", "promises", "beliefs", "observations", "qualities"):
        assert not any(m.startswith(f"MARK-{table}-") for m in found), table
    for key in ALL:
        heading = SECTIONS[key].heading
        assert (f">{heading}</h2>" in html) == (key == "marbles"), key
    data = json.loads(files["report.json"])
    assert list(data["figures"]) == ["marbles"]


def test_a_date_range_leaves_out_entries_outside_it(journal, tmp_path):
    result = export(
        journal, tmp_path / "march", since="2024-03-01", until="2024-03-10", include_text=True
    )
    html = (result.folder / "report.html").read_text("utf-8")
    assert "From 1 March 2024 to 10 March 2024" in html
    assert "Entries before 1 March 2024." in html and "Entries after 10 March 2024." in html
    # (the brief may name an earlier report's period, to compare with: not an entry)
    html = re.sub(r'<section aria-labelledby="brief".*?</section>', "", html, flags=re.DOTALL)
    dates = set(re.findall(r"\d{1,2} (?:Jan|Mar) 2024", html))
    assert dates and all(d.endswith("Mar 2024") and int(d.split()[0]) <= 10 for d in dates)
    jars = json.loads((result.folder / "report.json").read_text("utf-8"))
    moments = sum(j["moments"] for j in jars["figures"]["marbles"]["jars"])
    assert moments == 10  # one a day, 1-10 March; the early one is left out


def test_pseudonyms_are_stable_across_dates_and_sections(journal, tmp_path):
    late = export(journal, tmp_path / "late", since="2024-03-20", sections=["self_trust"])
    data = json.loads((late.folder / "report.json").read_text("utf-8"))
    people = {r["person"] for r in data["figures"]["self_trust"]["red_flags"]}
    # The red flags cycle through the three listed people and the unlisted one: each
    # keeps the letter of their place in people.csv (the unlisted one comes after).
    assert people == {"Person A", "Person B", "Person C", "Person D", "Everyone"}


def test_people_outside_the_shared_entries_are_not_listed(tmp_path):
    journal = open_journal(tmp_path / "journal")
    for name in ("Ann", "Bo", "Cy"):
        journal.add("people", person=name, relationship="friend", era="present")
    journal.add("marbles", date="2024-03-01", person="Cy", marbles=1)
    result = export(journal, tmp_path / "out", sections=["marbles"])
    data = json.loads((result.folder / "report.json").read_text("utf-8"))
    assert data["people"] == [{"person": "Person A", "relationship": "friend", "era": "present"}]


def test_pseudonym_letters():
    assert [pseudonym(i) for i in (0, 1, 25, 26, 27, 701, 702)] == [
        "Person A",
        "Person B",
        "Person Z",
        "Person AA",
        "Person AB",
        "Person ZZ",
        "Person AAA",
    ]


def test_every_table_but_people_belongs_to_one_section():
    assert set(SECTION_OF) == set(TABLES) - {"people"} - NEVER_SHARED
    assert tuple(SECTIONS) == ALL == cli.ALL_SECTIONS


# --- the files ----------------------------------------------------------------------------


def test_preview_is_exactly_what_is_written_and_writes_nothing(journal, tmp_path):
    shown = preview(journal, sections="beliefs,roots", note="Hi")
    assert list(tmp_path.iterdir()) == []
    result = shown.write(tmp_path / "out")
    assert (result.folder / "report.html").read_text("utf-8") == shown.html
    assert {p.name for p in result.files} == set(shown.files)
    assert 'sandbox=""' in shown._repr_html_() and "<iframe" in shown._repr_html_()


def test_html_is_static_self_contained_and_accessible(default_export):
    html = (default_export.folder / "report.html").read_text("utf-8")
    assert "<script" not in html.lower()
    assert re.search(r"\son[a-z]+=", html) is None, "an event handler attribute"
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    urls = re.findall(r"(?:src|href)\s*=\s*[\"']?([^\"' >]+)", html)
    assert urls == []
    assert "@import" not in html and "url(http" not in html
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) == 9
    for tag in svgs:
        assert 'role="img"' in tag and "aria-labelledby=" in tag
    titles = re.findall(r'<svg[^>]*aria-labelledby="([^"]+)"[^>]*><title id="([^"]+)">', html)
    assert len(titles) == 9 and all(a == b for a, b in titles)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids repeat across charts"
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        assert '<th scope="col"' in table and "<caption>" in table
    assert "not therapy" in html
    assert len(html.encode("utf-8")) < 2_000_000


def test_notebook_is_static_with_room_for_the_coach(default_export):
    nb = nbformat.read(default_export.folder / "report.ipynb", as_version=4)
    nbformat.validate(nb)
    assert set(nb.metadata) <= {"kernelspec", "language_info"}
    assert "widgets" not in json.dumps(nb.metadata)
    notes = 0
    for i, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= {"jupyter", "tags", "trustlab"}
        if cell.cell_type == "code":
            assert cell.source == "", "a code cell with code in it"
            assert cell.execution_count is None
            for output in cell.outputs:
                assert output.output_type == "display_data"
                assert set(output.data) <= {"text/html", "text/plain", "image/svg+xml", "image/png"}
        if cell.cell_type == "markdown" and cell.source == "":
            assert cell.metadata.get("tags") == ["coach-notes"]
            assert cell.metadata["trustlab"]["section"] in (*ALL, "report")
            assert nb.cells[i - 1].source.startswith("#### Coach's notes")
            notes += 1
    assert notes == len(ALL) + 1
    svgs = [
        o.data["image/svg+xml"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/svg+xml" in o.data
    ]
    assert len(svgs) == 9 and all('role="img"' in s for s in svgs)
    # An untrusted notebook (any notebook from elsewhere) shows the PNG; no HTML would hide it.
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/svg+xml" in output.data:
                assert "image/png" in output.data and "text/html" not in output.data


def test_json_holds_only_figures(default_export):
    data = json.loads((default_export.folder / "report.json").read_text("utf-8"))
    assert data["format"] == "trustlab-report"
    assert set(data) == {
        "format",
        "version",
        "id",
        "made_with",
        "created",
        "period",
        "sections",
        "names",
        "words_included",
        "people",
        "brief",
        "figures",
        "files",
        "sha256",
    }
    assert data["files"] == sorted(data["files"], key=data["files"].index)
    assert all(not Path(f).is_absolute() for f in data["files"])
    # each other file's hash as written (how a later export tells a coach's changes apart)
    assert data["sha256"] == {
        name: hashlib.sha256((default_export.folder / name).read_bytes()).hexdigest()
        for name in data["files"] if name != "report.json"}


def test_csv_bundle_neutralises_formulas_and_the_journal_stays_raw(tmp_path):
    journal = open_journal(tmp_path / "journal")
    risky = ['=HYPERLINK("http://example.com")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]
    journal.add("people", person="=Danger()", relationship="friend", era="present")
    for i, text in enumerate(risky):
        journal.add("marbles", date=IN_RANGE[i], person="=Danger()", marbles=-3, moment=text)
    raw = (journal.path / "marbles.csv").read_text("utf-8")
    result = export(
        journal,
        tmp_path / "out",
        include_text=True,
        real_names=True,
        csv=True,
        sections=["marbles"],
    )
    cells = []
    for file in (result.folder / "csv").glob("*.csv"):
        with open(file, encoding="utf-8-sig", newline="") as f:
            cells += [c for row in csv.reader(f) for c in row]
    assert "'=Danger()" in cells and "=Danger()" not in cells
    for text in risky:
        assert "'" + text in cells and text not in cells
    assert "-3" in cells  # plain numbers stay numbers
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell.lstrip("+").isdigit()
    assert (journal.path / "marbles.csv").read_text("utf-8") == raw


def test_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("-3") == "-3" and neutralise("+2.5") == "+2.5"
    assert neutralise("-x") == "'-x" and neutralise("plain") == "plain"


def test_default_has_no_csv_bundle(journal, tmp_path):
    result = export(journal, tmp_path / "out", sections=["roots"])
    assert sorted(p.name for p in result.folder.iterdir()) == [
        "report.html",
        "report.ipynb",
        "report.json",
    ]


# --- where a report may go ------------------------------------------------------------------


def test_refuses_the_journal_folder_and_anything_inside_it(journal, tmp_path):
    before = folder_bytes(journal.path)
    for target in (journal.path, journal.path / "reports", journal.path / "a" / "b"):
        with pytest.raises(ExportError, match="inside the journal folder"):
            export(journal, target, sections=["roots"])
    assert folder_bytes(journal.path) == before


def test_refuses_the_sample_journal_in_the_repository(tmp_path):
    journal_dir = tmp_path / "sample"
    shutil.copytree(SAMPLE, journal_dir)
    before = folder_bytes(SAMPLE)
    with pytest.raises(ExportError, match="sample journal"):
        export(open_journal(journal_dir), SAMPLE / "report", sections=["roots"])
    assert folder_bytes(SAMPLE) == before and not (SAMPLE / "report").exists()


def test_refuses_a_folder_with_other_files(journal, tmp_path):
    (tmp_path / "mine.txt").write_text("my things", "utf-8")
    with pytest.raises(ExportError, match="not a trustlab report"):
        export(journal, tmp_path, sections=["roots"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_a_narrower_report_replaces_a_wider_one_completely(journal, tmp_path):
    out = tmp_path / "report"
    export(journal, out, include_text=True, csv=True)
    (out / "coach-notes.txt").write_text("kept", "utf-8")
    export(journal, out, sections=["roots"], replace=True)
    files = every_file(out)
    assert sorted(files) == ["coach-notes.txt", "report.html", "report.ipynb", "report.json"]
    for name, text in files.items():
        assert markers_in(text) == set(), name


def test_bad_options_say_what_is_allowed(journal, tmp_path):
    with pytest.raises(ExportError, match=r"'feelings'.*roots, qualities, self_trust"):
        export(journal, tmp_path / "a", sections=["marbles", "feelings"])
    with pytest.raises(ExportError, match=r"since='2024-13-01' is not a date.*YYYY-MM-DD"):
        export(journal, tmp_path / "a", since="2024-13-01")
    with pytest.raises(ExportError, match="is after"):
        export(journal, tmp_path / "a", since="2024-03-02", until="2024-03-01")
    with pytest.raises(ExportError, match="at least one section"):
        export(journal, tmp_path / "a", sections=[])
    assert not (tmp_path / "a").exists()


def test_an_empty_journal_makes_a_gentle_report(tmp_path):
    result = export(open_journal(tmp_path / "journal"), tmp_path / "out")
    html = (result.folder / "report.html").read_text("utf-8")
    assert html.count("Nothing was noted for this step in this period.") == len(ALL)
    assert "no dated entries yet" in html


# --- the command line -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2024-13-01"], "is not a date: write it YYYY-MM-DD"),
        (["--until", "yesterday"], "is not a date"),
        (["--sections", "marbles,feelings"], "no section called 'feelings'"),
        (["--since", "2024-03-05", "--until", "2024-03-01"], "is after"),
    ],
)
def test_cli_errors_are_one_clear_line(planted, tmp_path, capsys, args, message):
    code = cli.main(["export", str(planted), "--out", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.startswith("trustlab export: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_cli_refuses_to_write_inside_the_journal(planted, capsys):
    before = folder_bytes(planted)
    assert cli.main(["export", str(planted), "--out", str(planted / "report")]) == 2
    assert "inside the journal folder" in capsys.readouterr().err
    assert folder_bytes(planted) == before


def test_cli_missing_journal_is_not_created(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert cli.main(["export", str(missing), "--out", str(tmp_path / "out")]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not missing.exists()


def test_cli_a_broken_journal_is_reported_not_raised(tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "marbles.csv").write_bytes(b"")
    assert cli.main(["export", str(broken), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "marbles.csv" in err and "No report was written" in err
    assert not (tmp_path / "out").exists()


def test_cli_writes_a_report(planted, tmp_path, capsys):
    code = cli.main(
        [
            "export",
            str(planted),
            "--out",
            str(tmp_path / "out"),
            "--sections",
            "beliefs,marbles",
            "--since",
            "2024-03-01",
            "--include-text",
            "--note",
            "See you Tuesday",
            "--csv",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "report.html" in out and "Not shared:" in out
    html = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "See you Tuesday" in html and marker("beliefs", "evidence") in html
    assert (tmp_path / "out" / "csv").is_dir()


# --- links: a report is never written through one, nor into the journal ---------------------


def tree(path: Path) -> dict[str, object]:
    """Every entry under ``path`` (hidden ones too, links not followed): a file's bytes,
    a link's target, ``"folder"`` for a folder."""
    found: dict[str, object] = {}
    for p in sorted(path.rglob("*")):
        name = str(p.relative_to(path))
        if p.is_symlink():
            found[name] = f"link to {os.readlink(p)}"
        elif p.is_dir():
            found[name] = "folder"
        else:
            found[name] = p.read_bytes()
    return found


@pytest.fixture
def own(planted, tmp_path):
    """A copy of the planted journal (so a test that goes wrong harms only its own copy),
    opened, and a folder holding an earlier report (with csv/) made from it."""
    folder = tmp_path / "journal"
    shutil.copytree(planted, folder)
    journal = open_journal(folder)
    out = tmp_path / "out"
    export(journal, out, sections=["marbles"], csv=True)
    return journal, out


def refuse(journal, out: Path, link: Path, capsys, **options) -> None:
    """``out`` is refused by the API and by the command, naming ``link``; nothing is written."""
    options = {"sections": "roots", **options}  # the smallest report: the test stays fast
    outside = out.parent / "outside"
    outside.mkdir(exist_ok=True)
    before = (tree(journal.path), tree(out.parent), tree(outside))
    with pytest.raises(ExportError, match=re.escape(str(link))) as raised:
        export(journal, out, csv=True, **options)
    assert "Nothing was written" in str(raised.value)
    flags = ["--csv"] + [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    code = cli.main(["export", str(journal.path), "--out", str(out), *flags])
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert str(link) in err and "Nothing was written" in err and "Traceback" not in err
    assert err.startswith("trustlab export: ") and err.count("\n") == 1
    assert (tree(journal.path), tree(out.parent), tree(outside)) == before


@pytest.mark.parametrize("earlier", [True, False], ids=["earlier-report", "only-the-link"])
def test_refuses_a_csv_folder_that_links_into_the_journal(own, tmp_path, capsys, earlier):
    journal, out = own
    if not earlier:
        shutil.rmtree(out)
        out.mkdir()
    else:
        shutil.rmtree(out / "csv")
    (out / "csv").symlink_to(journal.path, target_is_directory=True)
    report = (out / "report.html").stat() if earlier else None
    refuse(journal, out, out / "csv", capsys, sections="roots,marbles")
    if earlier:  # checked before anything was written: not even report.html was replaced
        assert (out / "report.html").stat().st_ino == report.st_ino


@pytest.mark.parametrize("target", ["journal", "outside"])
def test_refuses_a_report_file_that_is_a_link(own, tmp_path, capsys, target):
    journal, out = own
    aimed = journal.path / "people.csv" if target == "journal" else tmp_path / "elsewhere.txt"
    if target == "outside":
        aimed.write_text("not a report", "utf-8")
    before = aimed.read_bytes()
    for name in ("report.html", "report.json", "csv/people.csv"):
        path = out / name
        saved = path.read_bytes()
        path.unlink()
        path.symlink_to(aimed)
        refuse(journal, out, path, capsys)
        assert aimed.read_bytes() == before
        path.unlink()
        path.write_bytes(saved)


def test_refuses_an_out_folder_that_is_a_link(own, tmp_path, capsys):
    journal, _ = own
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # A link to an empty folder outside the journal: still a link, still refused.
    (tmp_path / "to-elsewhere").symlink_to(elsewhere, target_is_directory=True)
    refuse(journal, tmp_path / "to-elsewhere", tmp_path / "to-elsewhere", capsys)
    assert list(elsewhere.iterdir()) == []
    # A link into the journal.
    (tmp_path / "to-journal").symlink_to(journal.path, target_is_directory=True)
    refuse(journal, tmp_path / "to-journal", tmp_path / "to-journal", capsys)


@pytest.mark.parametrize(
    "where",
    [
        lambda tmp, journal: tmp / "out" / ".." / "journal" / "report",
        lambda tmp, journal: tmp / "out" / "csv" / ".." / ".." / "journal",
        lambda tmp, journal: tmp / "via" / "report",  # a folder on the way links to the journal
        lambda tmp, journal: tmp / "via" / "csv" / ".." / "report",
    ],
    ids=["dotdot", "dotdot-to-the-journal", "linked-parent", "linked-parent-dotdot"],
)
def test_refuses_paths_that_resolve_into_the_journal(own, tmp_path, capsys, where):
    journal, _ = own
    (tmp_path / "via").symlink_to(journal.path, target_is_directory=True)
    (journal.path / "csv").mkdir()  # so that via/csv/.. exists
    before = tree(journal.path)
    out = where(tmp_path, journal)
    with pytest.raises(ExportError, match=r"inside the journal folder.*Nothing was written"):
        export(journal, out, sections="roots", csv=True)
    args = ["export", str(journal.path), "--out", str(out), "--sections", "roots", "--csv"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "inside the journal folder" in err and "Traceback" not in err
    assert tree(journal.path) == before


def test_refuses_a_csv_folder_that_is_the_journal_itself(planted, tmp_path, capsys):
    out = tmp_path / "out"
    export(open_journal(planted), out, sections=["roots"])  # an earlier report, no csv/
    shutil.copytree(planted, out / "csv")  # ... and a journal kept in its csv folder
    journal = open_journal(out / "csv")
    before = tree(journal.path)
    with pytest.raises(ExportError, match="inside the journal folder"):
        export(journal, out, sections="roots", csv=True)
    args = ["export", str(journal.path), "--out", str(out), "--sections", "roots", "--csv"]
    assert cli.main(args) == 2
    assert "inside the journal folder" in capsys.readouterr().err
    assert tree(journal.path) == before


def test_an_earlier_report_cannot_name_other_files_to_remove(own, tmp_path):
    journal, out = own
    (out / "coach-notes.txt").write_text("kept", "utf-8")
    (out / "mine").mkdir()
    (out / "mine" / "notes.csv").write_text("kept", "utf-8")
    data = json.loads((out / "report.json").read_text("utf-8"))
    data["files"] += ["coach-notes.txt", "mine/notes.csv", "../journal/people.csv"]
    (out / "report.json").write_text(json.dumps(data), "utf-8")
    kept = ".trustlab/reports"  # the journal keeps each report's report.json, nothing else
    before = {k: v for k, v in tree(journal.path).items() if not k.startswith(kept)}
    export(journal, out, sections=["roots"], replace=True)
    assert (out / "coach-notes.txt").read_text("utf-8") == "kept"
    assert (out / "mine" / "notes.csv").read_text("utf-8") == "kept"
    assert not (out / "csv").exists()
    assert {k: v for k, v in tree(journal.path).items() if not k.startswith(kept)} == before


def test_a_report_still_goes_where_asked_through_ordinary_folders(own, tmp_path, capsys):
    journal, out = own
    # Links on the way to the folder are fine when they lead outside the journal;
    # a hard link to a report file is broken, not written through.
    (tmp_path / "reports").symlink_to(out.parent, target_is_directory=True)
    kept = tmp_path / "kept.html"
    os.link(out / "report.html", kept)
    before = kept.read_bytes()
    result = export(
        journal, tmp_path / "reports" / "out", sections="marbles", include_text=True, csv=True,
        replace=True,
    )
    assert result.folder == out.resolve()
    assert kept.read_bytes() == before
    assert marker("marbles", "moment") in (out / "report.html").read_text("utf-8")
    names = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    written = sorted(str(p.relative_to(result.folder)) for p in result.files)
    assert names == ["csv", *written] and not [n for n in names if n.startswith(".")]
    assert all((out / n).stat().st_mode & 0o077 == 0 for n in written)
    args = ["export", str(journal.path), "--out", str(tmp_path / "new"), "--sections", "roots"]
    assert cli.main([*args, "--csv"]) == 0
    assert "report.html" in capsys.readouterr().out


def test_a_failure_while_writing_leaves_the_earlier_report_as_it_was(own, monkeypatch):
    from trustlab.report import folder as folder_module

    journal, out = own
    before = tree(out)
    create, calls = folder_module.Dir.create, []

    def fail_on_the_fourth(self, name, data):
        calls.append(name)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return create(self, name, data)

    monkeypatch.setattr(folder_module.Dir, "create", fail_on_the_fourth)
    with pytest.raises(OSError, match="No space left"):
        export(journal, out, sections="roots", csv=True, replace=True)
    assert tree(out) == before  # no temporary file left, nothing replaced or removed


def test_share_form_refuses_a_link_in_the_folder(own):
    from trustlab.share import ShareForm

    journal, out = own
    (out / "report.html").unlink()
    (out / "report.html").symlink_to(journal.path / "people.csv")
    before = tree(journal.path)
    form = ShareForm(journal, folder=out)
    for key, box in form.sections.items():
        box.value = key == "roots"
    form.preview_button.click()
    assert form.export() is None
    assert "is a link" in form.status.value and "Nothing was written" in form.status.value
    assert tree(journal.path) == before


# --- notebook 07's form -----------------------------------------------------------------


def test_share_form_previews_before_anything_is_written(journal, tmp_path):
    from trustlab.share import ShareForm

    out = tmp_path / "report"
    form = ShareForm(journal, folder=out)
    assert form.export_button.disabled
    assert form.export() is None and not out.exists()  # nothing before a preview
    form.sections["roots"].value = False
    form.since.value = datetime.date(2024, 3, 1)
    form.include_text.value = True
    form.note.value = f"Notes {SCRIPT}"
    form.preview_button.click()
    assert not out.exists()
    assert not form.export_button.disabled
    shown = form.output.outputs[0]["data"]["text/html"]
    assert "<iframe" in shown and 'sandbox=""' in shown and "&amp;lt;script" in shown
    form.export_button.click()
    assert (out / "report.html").read_text("utf-8") == form.last_preview.html
    html = (out / "report.html").read_text("utf-8")
    assert ">Step 1 · Roots of distrust</h2>" not in html
    assert marker("marbles", "moment") in html and "Notes &lt;script&gt;" in html
    assert "Done." in form.status.value


def test_share_form_asks_for_a_new_preview_after_a_change(journal, tmp_path):
    from trustlab.share import ShareForm

    out = tmp_path / "report"
    form = ShareForm(journal, folder=out)
    form.preview_button.click()
    form.real_names.value = True
    assert form.export_button.disabled and form.output.outputs == ()
    form.export_button.click()  # a click that slips through a disabled button
    assert not out.exists()
    assert "Preview" in form.status.value


def test_share_form_shows_errors_in_the_form(journal):
    from trustlab.share import ShareForm

    form = ShareForm(journal, folder=journal.path / "inside")
    form.preview_button.click()
    assert form.export() is None
    assert "inside the journal folder" in form.status.value
    for box in form.sections.values():
        box.value = False
    assert form.preview() is None and "at least one section" in form.status.value


def test_notebook_07_is_short_cells_that_call_the_package():
    nb = nbformat.read(ROOT / "notebooks" / "07_share_with_coach.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("workbook.start()" in c for c in code)
    assert all(len(c.splitlines()) <= 3 for c in code)
    text = "\n".join(c.source for c in nb.cells)
    assert "not therapy" in text and "988" in text


# --- the coach's review -------------------------------------------------------------------


@pytest.fixture(scope="module")
def successive(journal, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reports")
    export(journal, folder / "first", until="2024-03-14")
    export(journal, folder / "second", since="2024-03-15", sections=["marbles", "beliefs"])
    return folder


def test_reports_are_read_oldest_first_and_compared(successive):
    reports = read_reports(successive)
    assert [r["folder"] for r in reports] == ["first", "second"]
    assert reports[0]["label"] == "5 Jan 2024 – 14 Mar 2024"
    compared = compare_reports(reports)
    jar = compared[compared["measure"] == "Person A: marbles in the jar"]
    assert list(jar["order"]) == [0, 1]
    assert set(compared[compared["order"] == 1]["group"]) == {"Marble jars", "Beliefs"}
    assert read_reports([successive / "second", successive / "first"])[0]["folder"] == "first"


def test_review_tolerates_reports_that_are_odd_or_not_reports(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "report.json").write_text("{not json", "utf-8")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "report.json").write_text(
        json.dumps(
            {
                "format": "trustlab-report",
                "period": "x",
                "figures": {"marbles": {"jars": [{"person": "<b>X</b>", "marbles": "lots"}]}},
            }
        ),
        "utf-8",
    )
    reports = read_reports(tmp_path)
    assert [r["folder"] for r in reports] == ["b"]
    assert compare_reports(reports).empty


def test_review_escapes_what_reports_contain(journal, tmp_path):
    from trustlab import review

    j = open_journal(tmp_path / "journal")
    for day in IN_RANGE[:3]:
        j.add("marbles", date=day, person="<img src=x onerror=alert(1)>", marbles=1)
    export(j, tmp_path / "reports" / "one", real_names=True)
    reports = read_reports(tmp_path / "reports")
    html = review._comparison_html(review.comparison_table(compare_reports(reports)))
    html += review._reports_html(reports)
    assert "<img" not in html and "&lt;img src=x" in html


def test_review_names_steps_as_the_person_saw_them(successive):
    from trustlab import review

    html = review._reports_html(read_reports(successive))
    assert "Step 5 · Marble jars and small steps" in html and "Step 3 · " in html
    assert "self_trust" not in html and "marbles," not in html


def test_review_charts_tell_lines_apart_and_count_in_whole_numbers(successive):
    from trustlab import review

    spec = review.comparison_chart(compare_reports(read_reports(successive))).to_dict()
    for panel in spec["vconcat"]:
        encoding = panel["encoding"]
        lines = encoding["color"]["sort"]
        # each line has its own dash and point shape as well as its colour
        assert len(set(map(tuple, encoding["strokeDash"]["scale"]["range"]))) == len(lines)
        assert len(set(encoding["shape"]["scale"]["range"])) == len(lines)
        axis = encoding["y"]["axis"]
        if axis["format"] == "d":
            assert axis["tickMinStep"] == 1
    assert {p["encoding"]["y"]["axis"]["format"] for p in spec["vconcat"]} >= {"d"}
    charts_svg = review.charts.to_svg(review.comparison_chart(compare_reports(
        read_reports(successive))))
    assert "<svg" in charts_svg


def test_review_without_reports_names_the_folder_it_looked_in(tmp_path, monkeypatch):
    from IPython.display import HTML

    from trustlab import review

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    monkeypatch.delenv("TRUSTLAB_REPORTS", raising=False)
    monkeypatch.chdir(tmp_path)
    assert review.review() == []
    (note,) = [o.data for o in shown if isinstance(o, HTML)]
    assert f"{tmp_path.resolve()} (the folder this notebook is in)" in note
    assert "in <code>.</code>" not in note


def test_coach_review_runs_without_a_journal(successive, monkeypatch):
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "coach_review.ipynb"
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "workbook" not in source and "open_journal" not in source
    assert 'os.environ.get("TRUSTLAB_REPORTS", ".")' in source
    monkeypatch.delenv("TRUSTLAB_JOURNAL", raising=False)
    monkeypatch.setenv("TRUSTLAB_REPORTS", str(successive))
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(successive)}}
    ).execute()
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "The shared figures, report by report" in html and "Change, first to last" in html
    assert any(charts.VEGA_MIMETYPE in o.get("data", {}) for o in outputs)  # JupyterLab draws it


# --- the benchmark's code (at a tiny size) ---------------------------------------------------


def test_bench_export_runs_on_a_small_journal(planted):
    from benchmarks import bench_export

    rows = bench_export.run(planted)
    assert [r.measurement for r in rows][:2] == ["export time", "report.html size"]
    assert all(r.ok for r in rows)


def test_each_section_shares_the_tables_of_its_step_in_the_schema():
    from trustlab.report import SECTIONS
    from trustlab.schema import TABLES

    for section in SECTIONS.values():
        of_step = {t.name for t in TABLES.values() if t.step == section.step} - {"people"}
        assert set(section.tables) == of_step, section.key


# --- a folder that already holds a report ---------------------------------------------------


def test_a_second_export_into_a_report_folder_is_refused_without_replace(own, capsys):
    from trustlab.report import ReportExists

    journal, out = own
    before = tree(out)
    with pytest.raises(ReportExists, match=r"already holds a trustlab report.*--replace"):
        export(journal, out, sections=["roots"])
    assert tree(out) == before
    code = cli.main(["export", str(journal.path), "--out", str(out), "--sections", "roots"])
    err = capsys.readouterr().err
    assert code == 1 and "--replace" in err and "Nothing was written" in err
    assert tree(out) == before
    assert cli.main(["export", str(journal.path), "--out", str(out), "--sections", "roots",
                     "--replace"]) == 0
    assert json.loads((out / "report.json").read_text("utf-8"))["sections"] == ["roots"]


def test_replacing_keeps_what_the_coach_changed_or_added(own):
    journal, out = own
    nb = json.loads((out / "report.ipynb").read_text("utf-8"))
    cell = next(c for c in nb["cells"] if "coach-notes" in c["metadata"].get("tags", []))
    cell["source"] = "Coach: lovely progress with B"
    notes = json.dumps(nb)
    (out / "report.ipynb").write_text(notes, "utf-8")
    edited_csv = next((out / "csv").glob("marbles-*.csv"))
    edited_csv.write_text(edited_csv.read_text("utf-8") + "my own row\n", "utf-8")
    (out / "coach-plan.txt").write_text("session plan", "utf-8")
    result = export(journal, out, sections=["roots"], replace=True)

    (kept,) = result.kept
    assert kept.name.startswith("report (changed, kept ") and kept.suffix == ".ipynb"
    assert kept.read_text("utf-8") == notes  # the coach's notes, whole
    assert "Coach: lovely" not in (out / "report.ipynb").read_text("utf-8")  # the new one
    assert result.left == (edited_csv,) and "my own row" in edited_csv.read_text("utf-8")
    assert (out / "coach-plan.txt").read_text("utf-8") == "session plan"
    # the unchanged csv files of the earlier report are gone: only what was chosen now
    assert sorted(p.name for p in (out / "csv").iterdir()) == [edited_csv.name]
    assert "kept as" in result.summary and kept.name in result.summary


def test_share_form_asks_before_replacing_a_report(own):
    from trustlab.share import ShareForm

    journal, out = own
    before = tree(out)
    form = ShareForm(journal, folder=out)
    form.preview_button.click()
    assert form.export() is None
    assert "already holds a trustlab report" in form.status.value
    assert "Replace the report already there" in form.status.value
    assert tree(out) == before
    form.replace.value = True
    assert form.export() is not None and "Done." in form.status.value


# --- names that hold ----------------------------------------------------------------------

_MENTIONS = ("Alex O'Brien", "Alex", "alex's", "O'Brien", "O\u2019BRIEN", "SAM", "quinn's",
             "(Sam)", "Sam,", "Quinn-", "sam\u2019s", "Alex  O'Brien")
"""Every way a note may name someone: full, parts, any case, possessive, punctuation."""


def _named_journal(folder: Path):
    journal = open_journal(folder)
    for name in ("Alex O'Brien", "Sam", "Quinn", "Robin Never-Shared"):
        journal.add("people", person=name, relationship="friend", era="present",
                    note=f"note about {' and '.join(_MENTIONS)}")
    words = " / ".join(_MENTIONS)
    for name, table in TABLES.items():
        if name in ("people", "qualities"):
            continue
        entry = {}
        for col in table.columns:
            if col.name in FREE_TEXT[name]:
                entry[col.name] = f"{words} {col.name}"
        if name == "observations":
            journal.add("qualities", quality=f"Honesty {words}", why=words, importance=3)
            entry.update(quality=f"Honesty {words}", shown="yes")
        entry.update({c.name: v for c, v in _valid_rest(table).items() if c.name not in entry})
        entry["date"] = "2024-03-01"
        if "person" in table.column_names:
            entry["person"] = "Quinn"
        journal.add(name, **entry)
    return journal


def _valid_rest(table) -> dict:
    """A valid value for each required non-text column of ``table``."""
    found = {}
    for col in table.columns:
        if col.choices:
            found[col] = col.choices[0]
        elif col.kind in ("int", "number"):
            found[col] = max(col.minimum or 0, 1) if col.maximum is None or col.maximum >= 1 \
                else col.minimum
    return found


def test_every_mention_of_a_known_person_becomes_their_letter(tmp_path):
    journal = _named_journal(tmp_path / "journal")
    result = export(journal, tmp_path / "out", include_text=True, csv=True,
                    note=f"Could we talk about {' and '.join(_MENTIONS)}?")
    for name, text in every_file(result.folder).items():
        found = re.findall(r"alex|o['\u2019]brien|\bsam\b|quinn", text, re.IGNORECASE)
        assert found == [], (name, found)
    html = (result.folder / "report.html").read_text("utf-8")
    assert "Person A&#39;s" in html or "Person A's" in html  # possessive kept, name gone
    data = json.loads((result.folder / "report.json").read_text("utf-8"))
    letters = [p["person"] for p in data["people"]]
    # Letters A, B, C without gaps, each in the people table; Robin is in nothing shared.
    assert letters == ["Person A", "Person B", "Person C"]
    used = set(re.findall(r"Person [A-Z]+\b", " ".join(every_file(result.folder).values())))
    assert used == set(letters)


def test_the_note_to_the_coach_hides_names_even_without_words(tmp_path):
    journal = _named_journal(tmp_path / "journal")
    result = export(journal, tmp_path / "out", sections=["marbles"],
                    note="Can we talk about what alex's sister said to SAM?")
    html = (result.folder / "report.html").read_text("utf-8")
    assert re.search(r"alex|sam\b", html, re.IGNORECASE) is None
    assert "what Person A&#39;s sister said to Person B?" in html


def test_a_name_shared_by_two_people_names_both_letters(tmp_path):
    journal = open_journal(tmp_path / "journal")
    for name in ("Sam Lee", "Sam Okafor"):
        journal.add("people", person=name, relationship="friend", era="present")
        journal.add("marbles", date="2024-03-01", person=name, marbles=1, moment="x")
    journal.add("marbles", date="2024-03-02", person="Sam Lee", marbles=1,
                moment="sam called; Okafor did not")
    result = export(journal, tmp_path / "out", include_text=True)
    html = (result.folder / "report.html").read_text("utf-8")
    assert "Person A or Person B called; Person B did not" in html
    assert "Sam" not in html and "Okafor" not in html


def test_real_names_leave_the_words_as_written(tmp_path):
    journal = _named_journal(tmp_path / "journal")
    result = export(journal, tmp_path / "out", include_text=True, real_names=True,
                    note="about alex's day")
    assert "about alex&#39;s day" in (result.folder / "report.html").read_text("utf-8")


def test_the_preview_highlights_each_letter_and_says_unknown_names_stay(tmp_path):
    journal = _named_journal(tmp_path / "journal")
    shown = preview(journal, include_text=True)._repr_html_()
    page = html_module.unescape(shown.split('srcdoc="', 1)[1].rsplit('"></iframe>', 1)[0])
    assert "<mark>Person A</mark>" in page and "<mark>Person C</mark>" in page
    assert "is not replaced" in page  # names trustlab does not know are the person's to see
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert svgs and not any("<mark>" in svg for svg in svgs)  # charts left whole
    # what is written has no marks and no preview note
    result = export(journal, tmp_path / "out", include_text=True)
    written = (result.folder / "report.html").read_text("utf-8")
    assert "<mark>" not in written and "Preview only" not in written
    named = preview(journal, include_text=True, real_names=True)._repr_html_()
    assert "&lt;mark&gt;" not in named and "Preview only" not in named


# --- the brief --------------------------------------------------------------------------------


def test_the_brief_opens_the_report_and_compares_with_the_last_one(tmp_path):
    journal = open_journal(tmp_path / "journal")
    journal.add("people", person="Sam", relationship="friend", era="present")
    for day in range(1, 21):
        journal.add("marbles", date=f"2024-03-{day:02d}", person="Sam", marbles=1,
                    moment=f"called back {day}")
    journal.add("promises", date="2024-03-02", promise="Rest more")
    first = export(journal, tmp_path / "one", until="2024-03-10")
    html = (first.folder / "report.html").read_text("utf-8")
    # the brief comes first, before what the report covers; the steps are folded
    assert html.index('id="brief"') < html.index('id="covers"') < html.index("<details>")
    assert "1 promise to themselves not yet looked back on." in html
    assert "Since the last report" not in html  # nothing to compare with yet
    kept = sorted((journal.path / ".trustlab" / "reports").glob("report-*.json"))
    # the shared report.json, plus (in the journal only) whose each letter is
    assert len(kept) == 1 and json.loads(kept[0].read_text("utf-8")) == {
        **json.loads((first.folder / "report.json").read_text("utf-8")),
        "letters": {"Person A": "Sam"}}
    assert kept[0].stat().st_mode & 0o077 == 0

    marbles = journal.table("marbles")
    moment = marbles[marbles["moment"] == "called back 15"]["id"].iloc[0]
    second = export(journal, tmp_path / "two", since="2024-03-11", moment=f"marbles:{moment}",
                    note="Can we talk about Sam?")
    html = (second.folder / "report.html").read_text("utf-8")
    brief = html[html.index('id="brief"'):html.index('id="covers"')]
    assert "Since the last report" in brief and "1 Mar 2024 – 10 Mar 2024" in brief
    assert "Person A: marbles in the jar" in brief
    assert "A moment they chose to talk about" in brief and "called back 15" in brief
    assert "Can we talk about Person A?" in brief and "Sam" not in html
    data = json.loads((second.folder / "report.json").read_text("utf-8"))
    assert data["brief"]["moment"][0] == {"what": "What", "value": TABLES["marbles"].title}
    assert "called back 15" in {m["value"] for m in data["brief"]["moment"]}


def test_a_moment_must_be_a_shared_entry(tmp_path):
    journal = open_journal(tmp_path / "journal")
    journal.add("promises", date="2024-03-02", promise="Rest more")
    ident = journal.table("promises")["id"].iloc[0]
    with pytest.raises(ExportError, match="TABLE:ID"):
        export(journal, tmp_path / "a", moment="nonsense")
    with pytest.raises(ExportError, match=r"no entry with id nope in marbles\.csv"):
        export(journal, tmp_path / "a", moment="marbles:nope")
    with pytest.raises(ExportError, match="does not share"):
        export(journal, tmp_path / "a", sections=["marbles"], moment=f"promises:{ident}")
    assert not (tmp_path / "a").exists()


def test_share_form_offers_recent_entries_as_the_moment(tmp_path):
    from trustlab.share import ShareForm

    journal = open_journal(tmp_path / "journal")
    journal.add("people", person="Sam", relationship="friend", era="present")
    journal.add("marbles", date="2024-03-01", person="Sam", marbles=2, moment="came early")
    journal.add("triggers", date="2024-03-05", situation="a late reply", origin="childhood",
                intensity=6, my_share=20)
    form = ShareForm(journal, folder=tmp_path / "out")
    labels = [label for label, _ in form.moment.options]
    assert labels[0] == "(none)" and labels[1].startswith("05 Mar 2024 · ")  # newest first
    assert "came early" in labels[2] and "Sam" in labels[2]
    form.moment.value = form.moment.options[2][1]
    form.preview_button.click()
    result = form.export()
    brief = json.loads((result.folder / "report.json").read_text("utf-8"))["brief"]
    assert "came early" in {m["value"] for m in brief["moment"]}
    assert "Sam" not in json.dumps(brief)  # the person, as their letter


def test_cli_export_takes_a_moment(tmp_path, capsys):
    journal = open_journal(tmp_path / "journal")
    journal.add("promises", date="2024-03-02", promise="Rest more")
    ident = journal.table("promises")["id"].iloc[0]
    out = tmp_path / "out"
    assert cli.main(["export", str(journal.path), "--out", str(out),
                     "--moment", f"promises:{ident}"]) == 0
    assert "Rest more" in (out / "report.html").read_text("utf-8")
    assert cli.main(["export", str(journal.path), "--out", str(tmp_path / "x"),
                     "--moment", "promises"]) == 2
    assert "TABLE:ID" in capsys.readouterr().err


def test_review_puts_the_last_two_briefs_side_by_side(tmp_path):
    from trustlab import review

    journal = open_journal(tmp_path / "journal")
    for day in range(1, 21):
        journal.add("marbles", date=f"2024-03-{day:02d}", person="Sam", marbles=1)
    export(journal, tmp_path / "reports" / "a", until="2024-03-10", note="first <b>note</b>")
    export(journal, tmp_path / "reports" / "b", since="2024-03-11", note="second note")
    shown = review._briefs_html(read_reports(tmp_path / "reports"))
    assert shown.index("Earlier report") < shown.index("first") < shown.index("Latest report")
    assert "second note" in shown and "<b>note</b>" not in shown  # escaped
    assert "Since the last report" in shown.split("Latest report")[1]
    assert review._briefs_html([{"label": "old", "brief": None}]) == ""


def test_the_brief_compares_each_person_with_themselves_when_letters_move(tmp_path):
    journal = open_journal(tmp_path / "journal")
    for name in ("Ann", "Bo"):
        journal.add("people", person=name, relationship="friend", era="present")
    for day in range(1, 6):
        journal.add("marbles", date=f"2024-03-0{day}", person="Ann", marbles=1)
        journal.add("marbles", date=f"2024-03-0{day}", person="Bo", marbles=-1)
    for day in range(11, 14):
        journal.add("marbles", date=f"2024-03-{day}", person="Bo", marbles=2)
    export(journal, tmp_path / "one", until="2024-03-10")  # Ann is A (5), Bo is B (-5)
    second = export(journal, tmp_path / "two", since="2024-03-11")  # only Bo: now Person A
    brief = json.loads((second.folder / "report.json").read_text("utf-8"))["brief"]
    assert brief["changes"] == [{"figure": "Person A: marbles in the jar",
                                 "then": "−5", "now": "6"}]  # Bo then and now, not Ann
    shared = json.loads((second.folder / "report.json").read_text("utf-8"))
    assert "letters" not in shared and "Ann" not in json.dumps(shared)
    kept = sorted((journal.path / ".trustlab" / "reports").glob("*.json"))[-1]
    assert json.loads(kept.read_text("utf-8"))["letters"] == {"Person A": "Bo"}


def test_a_first_name_many_people_share_becomes_someone(tmp_path):
    journal = open_journal(tmp_path / "journal")
    for surname in ("Lee", "Okafor", "Park", "Diaz"):
        journal.add("people", person=f"Sam {surname}", relationship="friend", era="present")
        journal.add("marbles", date="2024-03-01", person=f"Sam {surname}", marbles=1,
                    moment="x")
    journal.add("marbles", date="2024-03-02", person="Sam Lee", marbles=1,
                moment="sam said Park was late")
    html = (export(journal, tmp_path / "out", include_text=True).folder
            / "report.html").read_text("utf-8")
    assert "someone said Person C was late" in html and "Sam" not in html


def test_every_table_lists_at_most_max_rows_and_says_how_many_of_how_many(tmp_path):
    from trustlab.report import MAX_ROWS

    def journal_of(people: int):
        j = open_journal(tmp_path / f"journal-{people}")
        j.add_many("people", [{"person": f"P{i:04d}", "relationship": "friend", "era": "present"}
                              for i in range(people)])
        # the busiest people: P0000 has the most moments, P0001 the next ...
        j.add_many("marbles", [{"date": "2024-03-01", "person": f"P{i:04d}", "marbles": 1}
                               for i in range(people) for _ in range(1 + (i < 3) * (3 - i))])
        j.add_many("red_flags", [{"date": "2024-03-01", "person": f"P{i:04d}",
                                  "flag": "x", "response": "heeded"} for i in range(people)])
        j.add_many("beliefs", [{"date": "2024-03-01", "belief": f"belief {i}", "before": 80,
                                "after": 60} for i in range(people)])
        return j

    pages = {}
    for people in (MAX_ROWS + 60, 3 * MAX_ROWS):
        built = preview(journal_of(people), real_names=True)
        data = json.loads(built.files["report.json"])
        jars = data["figures"]["marbles"]["jars"]
        flags = data["figures"]["self_trust"]["red_flags"]
        assert len(jars) == MAX_ROWS and len(data["figures"]["beliefs"]["beliefs"]) == MAX_ROWS
        assert [r["person"] for r in jars[:3]] == ["P0000", "P0001", "P0002"]  # busiest kept
        assert len(flags) == MAX_ROWS + 1 and flags[-1]["person"] == "Everyone"
        assert flags[-1]["heeded"] == people  # the total counts everyone
        assert len(data["people"]) == MAX_ROWS
        assert (f"Listed here: the {MAX_ROWS} people with the most moments, of {people:,}. "
                f"The sentences and charts count all {people:,}.") in built.html
        pages[people] = len(built.files["report.html"])
    # the page does not grow with the journal
    assert pages[3 * MAX_ROWS] < 1.05 * pages[MAX_ROWS + 60]


def test_a_number_in_a_name_is_not_a_name_of_its_own(tmp_path):
    journal = open_journal(tmp_path / "journal")
    journal.add("people", person="Sam 2", relationship="friend", era="present")
    journal.add("marbles", date="2024-03-01", person="Sam 2", marbles=1,
                moment="Sam waited 2 hours for me, then Sam 2 left")
    page = preview(journal, include_text=True).html
    assert "Person A waited 2 hours for me, then Person A left" in page
