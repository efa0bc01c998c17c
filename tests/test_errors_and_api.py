"""The public API and the messages a person reads: add, correct, delete, errors, CLI."""

from __future__ import annotations

import dataclasses
import datetime
import os
import stat

import pandas as pd
import pytest

import trustlab
from trustlab import JournalError, Problem, open_journal
from trustlab.cli import main

MARBLES = "date,person,marbles,moment,braving\n"
SAM = "person,relationship,era,note\nSam,partner,present,\n"


def _sam(journal, **fields):
    entry = {"date": "2024-03-01", "person": "Sam", "marbles": 2, "moment": "Called back"}
    return journal.add("marbles", **(entry | fields))


# --- the package -------------------------------------------------------------


def test_public_api_is_exactly_the_documented_names():
    assert sorted(trustlab.__all__) == sorted(
        ["open_journal", "Journal", "JournalError", "Problem", "TABLES", "__version__"]
    )
    for name in trustlab.__all__:
        assert getattr(trustlab, name) is not None


def test_problem_has_the_documented_fields():
    names = [f.name for f in dataclasses.fields(Problem)]
    assert names == ["file", "line", "column", "value", "message", "level", "code"]


def test_tables_are_the_nine_of_the_contract_and_the_coachs_notes():
    assert list(trustlab.TABLES) == [
        "people", "qualities", "observations", "triggers", "red_flags",
        "promises", "beliefs", "steps", "marbles", "coach_notes",
    ]
    assert trustlab.TABLES["marbles"].column_names == (
        "date", "person", "marbles", "moment", "braving"
    )


# --- opening -----------------------------------------------------------------


def test_open_creates_a_private_folder(tmp_path):
    path = tmp_path / "new" / "journal"
    journal = open_journal(path)
    assert path.is_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert journal.counts() == dict.fromkeys(trustlab.TABLES, 0)


def test_open_a_file_is_an_error(tmp_path):
    path = tmp_path / "journal.csv"
    path.write_text("x\n")
    with pytest.raises(JournalError, match="is a file, not a folder"):
        open_journal(path)


def test_open_valid_journal_changes_nothing(journal_dir, write_file, snapshot):
    write_file("people.csv", SAM)
    write_file("marbles.csv", MARBLES + "2024-03-01,Sam,2,ok,\n")
    before = snapshot(journal_dir)
    journal = open_journal(journal_dir)
    assert len(journal.table("marbles")) == 1
    assert snapshot(journal_dir) == before
    assert not (journal_dir / ".trustlab").exists()


def test_open_error_lists_every_problem_and_reads_well(journal_dir, write_file):
    write_file("marbles.csv", MARBLES + "2024-02-30,Sam,7,ok,\n")
    write_file("people.csv", "person,relationship,era,note\nSam,boyfriend,present,\n")
    with pytest.raises(JournalError) as info:
        open_journal(journal_dir)
    error = info.value
    errors = [(p.file, p.line, p.column, p.code) for p in error.problems if p.level == "error"]
    assert sorted(errors) == [
        ("marbles.csv", 2, "date", "bad_date"),
        ("marbles.csv", 2, "marbles", "out_of_range"),
        ("people.csv", 2, "relationship", "not_allowed"),
    ]
    text = str(error)
    assert text.startswith("The journal has 3 problems:")
    assert "marbles.csv:2: column date: '2024-02-30' is not a real date" in text
    assert "marbles.csv:2: column marbles: 7 is out of range; expected a whole number " \
           "from -5 to 5, not 0." in text
    assert "people.csv:2: column relationship: 'boyfriend' is not allowed here." in text
    assert "Traceback" not in text
    frame = error.table()
    assert list(frame.columns) == ["level", "file", "line", "column", "value", "message", "code"]
    assert len(frame) == len(error.problems)
    assert set(frame["value"]) >= {"2024-02-30", "7", "boyfriend"}


def test_unknown_person_is_a_warning_on_the_right_line(journal_dir, write_file):
    write_file("people.csv", SAM)
    write_file("marbles.csv", MARBLES + "2024-03-01,Sam,2,ok,\n2024-03-02,Alex,1,ok,\n")
    journal = open_journal(journal_dir)
    [warning] = journal.problems
    assert (warning.file, warning.line, warning.column, warning.value) == (
        "marbles.csv", 3, "person", "Alex"
    )
    assert (warning.level, warning.code) == ("warning", "unknown_reference")
    assert "'Alex' is not in people.csv" in warning.message


def test_unknown_quality_is_a_warning(journal_dir, write_file):
    write_file("qualities.csv", "quality,why,importance\nreliability,,5\n")
    write_file("people.csv", SAM)
    write_file("observations.csv", "date,person,quality,shown,note\n2024-03-01,Sam,vault,yes,\n")
    journal = open_journal(journal_dir)
    assert [(p.file, p.line, p.column, p.code) for p in journal.problems] == [
        ("observations.csv", 2, "quality", "unknown_reference")
    ]


def test_warning_line_is_right_after_multiline_text(journal_dir, write_file):
    """Entries stored by trustlab have ids; a multi-line note above must not shift the line."""
    journal = open_journal(journal_dir)
    journal.add("people", person="Sam", relationship="partner", era="present")
    _sam(journal, moment="one\ntwo\nthree")
    _sam(journal, person="Alex")
    [warning] = open_journal(journal_dir).problems
    assert (warning.file, warning.line, warning.value) == ("marbles.csv", 5, "Alex")


def test_table_unknown_name(journal):
    with pytest.raises(KeyError, match=r"no journal table called 'marble'\. The tables are: "
                                       r"people, .*, marbles"):
        journal.table("marble")


# --- typed tables ------------------------------------------------------------


def test_empty_table_is_typed_with_id_first(journal):
    frame = journal.table("beliefs")
    assert list(frame.columns) == ["id", *trustlab.TABLES["beliefs"].column_names]
    assert len(frame) == 0
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert pd.api.types.is_integer_dtype(frame["before"])
    assert str(frame["after"].dtype) == "Int64"


def test_table_is_typed(journal_dir, write_file):
    write_file("beliefs.csv", "date,belief,before,opposite,evidence,possible,after\n"
                              "2024-03-01,I'm not loveable,80,NA,None,null,\n"
                              "2024-03-08,I'm not loveable,70,nan,#N/A,,50\n")
    frame = open_journal(journal_dir).table("beliefs")
    assert frame.columns[0] == "id"
    assert pd.api.types.is_datetime64_any_dtype(frame["date"])
    assert frame["date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-08")]
    assert frame["before"].tolist() == [80, 70]
    assert pd.api.types.is_integer_dtype(frame["before"])
    assert frame["after"].isna().tolist() == [True, False]
    assert frame["after"].iloc[1] == 50
    assert frame["opposite"].tolist() == ["NA", "nan"]
    assert frame["evidence"].tolist() == ["None", "#N/A"]
    assert frame["possible"].tolist() == ["null", ""]


# --- add ---------------------------------------------------------------------


def test_add_returns_the_entry_with_an_id(journal, journal_dir):
    entry = _sam(journal, braving="reliability")
    assert list(entry) == ["id", "date", "person", "marbles", "moment", "braving"]
    assert isinstance(entry["id"], str) and entry["id"]
    assert entry["date"] == datetime.date(2024, 3, 1)
    assert entry["marbles"] == 2 and type(entry["marbles"]) is int
    assert (entry["moment"], entry["braving"]) == ("Called back", "reliability")
    lines = (journal_dir / "marbles.csv").read_text().splitlines()
    assert lines[0] == '"id","date","person","marbles","moment","braving"'
    for frame in (journal.table("marbles"), open_journal(journal_dir).table("marbles")):
        assert frame.to_dict("records") == [
            entry | {"date": pd.Timestamp("2024-03-01")}
        ]


def test_add_accepts_python_values(journal):
    entry = journal.add("beliefs", date=datetime.date(2024, 3, 1), belief="b", before=50.0,
                        after=None)
    assert entry["date"] == datetime.date(2024, 3, 1)
    assert entry["before"] == 50
    assert entry["after"] is None
    entry = journal.add("beliefs", date=pd.Timestamp("2024-03-02 13:00"), belief="b", before=1)
    assert entry["date"] == datetime.date(2024, 3, 2)


def test_add_appends_without_rewriting(journal, journal_dir):
    _sam(journal)
    path = journal_dir / "marbles.csv"
    before, inode = path.read_bytes(), path.stat().st_ino
    _sam(journal, moment="again")
    assert path.stat().st_ino == inode
    assert path.read_bytes().startswith(before)
    assert len(path.read_bytes()) > len(before)
    assert (journal_dir / ".trustlab" / "locks").is_dir()
    assert any("marbles" in p.name for p in (journal_dir / ".trustlab" / "locks").iterdir())


@pytest.mark.parametrize(
    "fields, column, pattern",
    [
        ({"date": "2024-02-30"}, "date", r"column date: '2024-02-30' is not a real date: "
                                         r"that month has no day 30"),
        ({"date": "03/01/2024"}, "date", r"column date: '03/01/2024' is not in the form "
                                         r"YYYY-MM-DD"),
        ({"date": ""}, "date", r"column date: date is required: write it as YYYY-MM-DD"),
        ({"marbles": 7}, "marbles", r"column marbles: 7 is out of range; expected a whole "
                                    r"number from -5 to 5, not 0\."),
        ({"marbles": 0}, "marbles", r"column marbles: marbles cannot be 0: a moment either "
                                    r"puts marbles in \(1 to 5\) or takes them out \(-1 to -5\)"),
        ({"marbles": 2.5}, "marbles", r"column marbles: 2\.5 is not a whole number; expected "
                                      r"a whole number from -5 to 5"),
        ({"marbles": "2.5"}, "marbles", r"column marbles: '2\.5' is not a whole number"),
        ({"marbles": "two"}, "marbles", r"column marbles: 'two' is not a number; expected a "
                                        r"whole number from -5 to 5"),
        ({"marbles": True}, "marbles", r"column marbles: expected a whole number .*not True"),
        ({"braving": "trust"}, "braving", r"column braving: 'trust' is not allowed here\. "
                                          r"Expected one of: boundaries, reliability, "
                                          r"accountability, vault, integrity, non_judgment, "
                                          r"generosity, or empty\."),
        ({"braving": "Non-judgment"}, "braving", r"Did you mean 'non_judgment'\?"),
        ({"person": "  "}, "person", r"column person: person is required"),
        ({"moments": "x"}, "moments", r"marbles\.csv has no field 'moments'\. Did you mean "
                                      r"'moment'\? Its fields are: date, person, marbles, "
                                      r"moment, braving\."),
        ({"id": "mine"}, "id", r"column id: the id is given by trustlab; it cannot be set"),
        ({"moment": "a\x00b"}, "moment", r"column moment: contains a NUL character"),
        ({"moment": "a\ud800b"}, "moment", r"column moment: contains characters that cannot "
                                           r"be saved as UTF-8"),
        ({"moment": 5}, "moment", r"column moment: expected any text, not int 5"),
    ],
)
def test_add_with_a_bad_field_writes_nothing(
    journal, journal_dir, snapshot, fields, column, pattern
):
    _sam(journal)
    before = snapshot(journal_dir)
    with pytest.raises(JournalError, match=pattern) as info:
        _sam(journal, **fields)
    assert str(info.value).startswith("This entry was not saved:\n  marbles.csv: column ")
    assert [p.column for p in info.value.problems] == [column]
    assert snapshot(journal_dir) == before
    assert len(journal.table("marbles")) == 1
    assert len(open_journal(journal_dir).table("marbles")) == 1


def test_add_to_a_missing_file_with_a_bad_field_creates_nothing(journal, journal_dir):
    with pytest.raises(JournalError):
        _sam(journal, date="2024-02-30")
    assert not (journal_dir / "marbles.csv").exists()


def test_add_reports_every_bad_field(journal):
    with pytest.raises(JournalError) as info:
        journal.add("marbles", date="2024-02-30", person="", marbles=9, braving="trust")
    assert sorted(p.column for p in info.value.problems) == [
        "braving", "date", "marbles", "person"
    ]
    values = {p.column: p.value for p in info.value.problems}
    assert values == {"date": "2024-02-30", "person": "", "marbles": "9", "braving": "trust"}
    assert all(p.line == 0 and p.file == "marbles.csv" for p in info.value.problems)


def test_add_unknown_table(journal):
    with pytest.raises(KeyError, match="no journal table called 'marble'"):
        journal.add("marble", date="2024-03-01")


def test_add_duplicate_person(journal, journal_dir, snapshot):
    journal.add("people", person="Sam", relationship="partner", era="present")
    before = snapshot(journal_dir)
    with pytest.raises(JournalError, match=r"column person: 'Sam' is already in people\.csv; "
                                           r"each person is listed once") as info:
        journal.add("people", person=" Sam ", relationship="friend", era="past")
    [problem] = info.value.problems
    assert (problem.column, problem.code) == ("person", "duplicate")
    assert snapshot(journal_dir) == before
    assert len(open_journal(journal_dir).table("people")) == 1


def test_add_duplicate_person_written_by_someone_else(journal, journal_dir):
    open_journal(journal_dir).add("people", person="Sam", relationship="partner", era="present")
    with pytest.raises(JournalError, match=r"already in people\.csv"):
        journal.add("people", person="Sam", relationship="friend", era="past")


def test_add_duplicate_quality(journal):
    journal.add("qualities", quality="vault", importance=5)
    with pytest.raises(JournalError, match=r"'vault' is already in qualities\.csv"):
        journal.add("qualities", quality="vault", importance=3)


def test_table_sees_entries_added_by_another_journal_object(journal, journal_dir):
    _sam(journal)
    other = open_journal(journal_dir)
    entry = _sam(other, moment="from elsewhere")
    assert entry["id"] in set(journal.table("marbles")["id"])
    assert len(journal.table("marbles")) == 2


def test_table_sees_a_rewrite_by_another_journal_object(journal, journal_dir):
    entry = _sam(journal)
    _sam(journal, moment="second")
    assert len(journal.table("marbles")) == 2
    other = open_journal(journal_dir)
    other.correct("marbles", entry["id"], moment="changed elsewhere")
    assert journal.table("marbles").set_index("id").loc[entry["id"], "moment"] == (
        "changed elsewhere"
    )
    other.delete("marbles", entry["id"])
    assert entry["id"] not in set(journal.table("marbles")["id"])


ONE_OF_EACH = {
    "people": {"person": "Sam", "relationship": "partner", "era": "present", "note": "n"},
    "qualities": {"quality": "vault", "why": "w", "importance": 4},
    "observations": {"date": "2024-03-01", "person": "Sam", "quality": "vault", "shown": "yes"},
    "triggers": {"date": "2024-03-01", "situation": "s", "origin": "childhood", "intensity": 3,
                 "my_share": 40, "mine_to_own": "m", "not_mine": "n"},
    "red_flags": {"date": "2024-03-01", "person": "Sam", "flag": "f", "response": "watching"},
    "promises": {"date": "2024-03-01", "promise": "p", "kept": None},
    "beliefs": {"date": "2024-03-01", "belief": "b", "before": 80, "after": None},
    "steps": {"date": "2024-03-01", "person": "Sam", "kind": "gave", "step": "s",
              "response": "pending"},
    "marbles": {"date": "2024-03-01", "person": "Sam", "marbles": -5, "braving": "vault"},
}


def test_table_after_add_equals_a_fresh_read(journal_dir):
    journal = open_journal(journal_dir)
    for name, fields in ONE_OF_EACH.items():
        journal.add(name, **fields)
    journal = open_journal(journal_dir)
    for name, fields in ONE_OF_EACH.items():
        journal.add(name, **_second(name, fields))
    fresh = open_journal(journal_dir)
    assert fresh.problems == []
    for name in ONE_OF_EACH:
        pd.testing.assert_frame_equal(journal.table(name), fresh.table(name), check_exact=True)
        assert len(fresh.table(name)) == 2


def _second(name, fields):
    unique = {"people": "person", "qualities": "quality"}.get(name)
    return fields | ({unique: fields[unique] + " too"} if unique else {})


def test_add_to_a_header_only_file_without_a_line_break(journal_dir, write_file):
    write_file("marbles.csv", MARBLES.rstrip("\n"))
    journal = open_journal(journal_dir)
    entry = _sam(journal)
    assert open_journal(journal_dir).table("marbles")["id"].tolist() == [entry["id"]]


# --- correct and delete ------------------------------------------------------


def test_correct_round_trip(journal, journal_dir):
    first = _sam(journal)
    second = _sam(journal, moment="second")
    corrected = journal.correct("marbles", first["id"], marbles=-1, moment="Actually, late")
    assert corrected == first | {"marbles": -1, "moment": "Actually, late"}
    for frame in (journal.table("marbles"), open_journal(journal_dir).table("marbles")):
        rows = frame.set_index("id")
        assert rows.loc[first["id"], "marbles"] == -1
        assert rows.loc[first["id"], "moment"] == "Actually, late"
        assert rows.loc[second["id"], "moment"] == "second"
        assert list(frame["id"]) == [first["id"], second["id"]]


def test_delete_round_trip(journal, journal_dir):
    first = _sam(journal)
    second = _sam(journal, moment="second")
    removed = journal.delete("marbles", first["id"])
    assert removed == first
    for frame in (journal.table("marbles"), open_journal(journal_dir).table("marbles")):
        assert list(frame["id"]) == [second["id"]]


def test_correct_with_a_bad_value_changes_nothing(journal, journal_dir, snapshot):
    entry = _sam(journal)
    before = snapshot(journal_dir)
    with pytest.raises(JournalError, match=r"column marbles: 9 is out of range"):
        journal.correct("marbles", entry["id"], marbles=9)
    with pytest.raises(JournalError, match=r"column date: '2024-04-31' is not a real date"):
        journal.correct("marbles", entry["id"], date="2024-04-31")
    with pytest.raises(JournalError, match=r"no field 'moments'"):
        journal.correct("marbles", entry["id"], moments="x")
    with pytest.raises(JournalError, match=r"column person: person is required"):
        journal.correct("marbles", entry["id"], person="")
    with pytest.raises(JournalError, match=r"contains a NUL character"):
        journal.correct("marbles", entry["id"], moment="\x00")
    assert snapshot(journal_dir) == before
    assert journal.table("marbles").to_dict("records")[0]["marbles"] == 2


def test_correct_into_a_duplicate_person_changes_nothing(journal, journal_dir, snapshot):
    journal.add("people", person="Sam", relationship="partner", era="present")
    jo = journal.add("people", person="Jo", relationship="friend", era="present")
    before = snapshot(journal_dir)
    with pytest.raises(JournalError, match=r"'Sam' is already in people\.csv"):
        journal.correct("people", jo["id"], person="Sam")
    assert snapshot(journal_dir) == before
    kept = journal.correct("people", jo["id"], person="Jo", note="same name is fine")
    assert kept["note"] == "same name is fine"


@pytest.mark.parametrize("action", ["correct", "delete"])
def test_unknown_id_changes_nothing(journal, journal_dir, action, snapshot):
    _sam(journal)
    before = snapshot(journal_dir)
    args = {"moment": "x"} if action == "correct" else {}
    with pytest.raises(JournalError, match=r"^Nothing was changed:\n  marbles\.csv: column id: "
                                           r"there is no entry with id 'nope' in marbles\.csv\.$"):
        getattr(journal, action)("marbles", "nope", **args)
    assert snapshot(journal_dir) == before


def test_delete_in_a_missing_file(journal, journal_dir):
    with pytest.raises(JournalError, match=r"no entry with id 'nope' in steps\.csv"):
        journal.delete("steps", "nope")
    assert not (journal_dir / "steps.csv").exists()


def test_rewrites_keep_a_backup_of_the_previous_version(journal, journal_dir):
    entry = _sam(journal)
    _sam(journal, moment="second")
    path = journal_dir / "marbles.csv"
    versions = [path.read_bytes()]
    journal.correct("marbles", entry["id"], moment="corrected")
    versions.append(path.read_bytes())
    journal.delete("marbles", entry["id"])
    backups = journal_dir / ".trustlab" / "backups"
    kept = [p.read_bytes() for p in sorted(backups.iterdir())]
    assert kept[-2:] == versions
    assert all(p.name.startswith("marbles") for p in backups.iterdir())
    assert stat.S_IMODE((journal_dir / ".trustlab").stat().st_mode) == 0o700


# --- hand-made files ----------------------------------------------------------


HANDMADE = MARBLES + "2024-03-01,Sam,2,first,\n2024-03-02,Sam,1,second,vault\n"


def _ids_in_file(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, index_col=False)
    return frame["id"].tolist()


def test_handmade_file_without_ids_opens(journal_dir, write_file):
    write_file("marbles.csv", HANDMADE)
    frame = open_journal(journal_dir).table("marbles")
    assert frame.columns[0] == "id"
    assert frame["moment"].tolist() == ["first", "second"]
    assert frame["id"].is_unique and all(frame["id"])
    again = open_journal(journal_dir).table("marbles")
    assert again["id"].tolist() == frame["id"].tolist()


def test_add_to_handmade_file_gives_every_entry_an_id(journal_dir, write_file):
    path = write_file("marbles.csv", HANDMADE)
    journal = open_journal(journal_dir)
    entry = _sam(journal, moment="third")
    ids = _ids_in_file(path)
    assert len(ids) == 3 and all(ids) and len(set(ids)) == 3
    assert ids[2] == entry["id"]
    for frame in (journal.table("marbles"), open_journal(journal_dir).table("marbles")):
        assert frame["id"].tolist() == ids
        assert frame["moment"].tolist() == ["first", "second", "third"]


def test_correct_on_handmade_file_gives_every_entry_an_id(journal_dir, write_file):
    path = write_file("marbles.csv", HANDMADE)
    journal = open_journal(journal_dir)
    derived = journal.table("marbles")["id"].tolist()
    corrected = journal.correct("marbles", derived[1], moment="second, corrected")
    ids = _ids_in_file(path)
    assert len(ids) == 2 and all(ids) and len(set(ids)) == 2
    assert corrected["id"] == ids[1]
    assert corrected["moment"] == "second, corrected"
    frame = open_journal(journal_dir).table("marbles")
    assert frame["id"].tolist() == ids
    assert frame["moment"].tolist() == ["first", "second, corrected"]
    assert journal.table("marbles")["id"].tolist() == ids


def test_delete_on_handmade_file(journal_dir, write_file):
    path = write_file("marbles.csv", HANDMADE)
    journal = open_journal(journal_dir)
    derived = journal.table("marbles")["id"].tolist()
    removed = journal.delete("marbles", derived[0])
    assert removed["moment"] == "first"
    ids = _ids_in_file(path)
    assert len(ids) == 1 and all(ids)
    assert open_journal(journal_dir).table("marbles")["moment"].tolist() == ["second"]


def test_handmade_file_with_some_empty_ids(journal_dir, write_file):
    """A copied row whose id was cleared gets an id in the table, and a real one on a rewrite."""
    path = write_file("marbles.csv", "id," + MARBLES + "a1,2024-03-01,Sam,2,first,\n"
                                                       ",2024-03-02,Sam,1,second,\n")
    journal = open_journal(journal_dir)
    assert journal.table("marbles")["id"].iloc[0] == "a1"
    entry = _sam(journal, moment="third")
    frame = journal.table("marbles")
    assert frame["id"].is_unique and all(frame["id"])
    journal.correct("marbles", entry["id"], moment="third, corrected")
    ids = _ids_in_file(path)
    assert ids[0] == "a1" and all(ids) and len(set(ids)) == 3
    assert open_journal(journal_dir).table("marbles")["id"].tolist() == ids


# --- CRLF and BOM ---------------------------------------------------------------


def _only_crlf(data: bytes) -> bool:
    return data.count(b"\n") == data.count(b"\r\n") and data.count(b"\r") == data.count(b"\r\n")


@pytest.mark.parametrize("with_id", [True, False])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_crlf_and_bom_are_kept_by_add_and_correct(journal_dir, write_file, with_id, bom):
    text = HANDMADE if not with_id else "id," + MARBLES + "a,2024-03-01,Sam,2,first,\n"
    path = write_file("marbles.csv", bom + text.replace("\n", "\r\n").encode())
    journal = open_journal(journal_dir)
    entry = _sam(journal, moment="added")
    data = path.read_bytes()
    assert _only_crlf(data)
    assert data.endswith(b"\r\n")
    assert data.startswith(bom + b"id,") or data.startswith(bom + b'"id"')
    assert data.count(b"\xef\xbb\xbf") == (1 if bom else 0)
    journal.correct("marbles", entry["id"], moment="corrected")
    data = path.read_bytes()
    assert _only_crlf(data) and data.count(b"\xef\xbb\xbf") == (1 if bom else 0)
    frame = open_journal(journal_dir).table("marbles")
    assert frame["moment"].tolist()[-1] == "corrected"
    assert frame.columns[0] == "id"


def test_text_with_line_breaks_in_a_crlf_file(journal_dir, write_file):
    text = "id," + MARBLES + "a,2024-03-01,Sam,2,first,\n"
    write_file("marbles.csv", text.replace("\n", "\r\n"))
    journal = open_journal(journal_dir)
    texts = ["one\ntwo", "one\r\ntwo", "one\rtwo"]
    ids = [_sam(journal, moment=t)["id"] for t in texts]
    frame = open_journal(journal_dir).table("marbles").set_index("id")
    assert [frame.loc[i, "moment"] for i in ids] == texts


# --- the check command ------------------------------------------------------------


def test_check_ok_prints_one_summary_line(journal_dir, write_file, capsys, snapshot):
    write_file("people.csv", SAM)
    write_file("marbles.csv", MARBLES + "2024-03-01,Sam,2,ok,\n2024-03-02,Sam,1,ok,\n")
    before = snapshot(journal_dir)
    assert main(["check", str(journal_dir)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith(f"{journal_dir}: OK")
    assert "2 marbles" in out and "1 people" in out and "0 steps" in out
    assert snapshot(journal_dir) == before


def test_check_with_only_warnings_passes(journal_dir, write_file, capsys):
    write_file("marbles.csv", MARBLES + "2024-03-01,Alex,2,ok,\n")
    assert main(["check", str(journal_dir)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{journal_dir / 'marbles.csv'}:2: column person: warning: 'Alex'")
    assert out[-1].startswith(f"{journal_dir}: OK")


def test_check_prints_file_line_column_message(journal_dir, write_file, capsys):
    write_file("marbles.csv", MARBLES + "2024-03-01,Sam,2,ok,\n2024-03-02,Sam\n")
    write_file("people.csv", "person,relationship,era,note\nSam,partner,now,\n")
    assert main(["check", str(journal_dir)]) == 1
    captured = capsys.readouterr()
    assert f"{journal_dir / 'marbles.csv'}:3: this line has 2 fields but the header has 5" \
        in captured.out
    assert f"{journal_dir / 'people.csv'}:2: column era: 'now' is not allowed here." \
        in captured.out
    assert "2 problems to fix; no file was changed" in captured.err


def test_check_a_missing_folder(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["check", str(missing)]) == 2
    assert "no such folder" in capsys.readouterr().err
    assert not missing.exists()


def test_check_never_writes_even_with_a_torn_line(journal_dir, write_file, capsys, snapshot):
    write_file("marbles.csv", MARBLES + '2024-03-01,Sam,2,ok,\n2024-03-02,Sam,1,"cut')
    before = snapshot(journal_dir)
    assert main(["check", str(journal_dir)]) == 1
    assert f"{journal_dir / 'marbles.csv'}:3: " in capsys.readouterr().out
    assert snapshot(journal_dir) == before
    assert not (journal_dir / ".trustlab").exists()


def test_new_files_are_private(journal, journal_dir):
    _sam(journal)
    mode = stat.S_IMODE((journal_dir / "marbles.csv").stat().st_mode)
    assert mode & 0o077 == 0, oct(mode)
    assert os.access(journal_dir / "marbles.csv", os.R_OK | os.W_OK)


def test_setting_aside_a_torn_entry_says_where_it_went(tmp_path):
    from trustlab.errors import JournalWarning

    journal = open_journal(tmp_path / "j")
    journal.add("marbles", date="2024-03-01", person="Sam", marbles=1, moment="one")
    path = tmp_path / "j" / "marbles.csv"
    fragment = b'"e000000000000001","2024-03-02","Sam","2","hal'
    path.write_bytes(path.read_bytes() + fragment)
    journal = open_journal(tmp_path / "j")
    with pytest.warns(JournalWarning, match=r"marbles.csv:3: .* moved to \.trustlab/recovered/"):
        journal.add("marbles", date="2024-03-03", person="Sam", marbles=1)
    recovered = list((tmp_path / "j" / ".trustlab" / "recovered").iterdir())
    assert [p.read_bytes() for p in recovered] == [fragment]
    assert list(journal.table("marbles").marbles) == [1, 1]
