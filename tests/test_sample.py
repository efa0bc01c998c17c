"""The sample journal (trustlab/sample.py, data/sample/) and the people's data contract
(data/README.md)."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path

import pytest

import trustlab
from trustlab import sample
from trustlab.cli import main as cli
from trustlab.contract import contract_section, with_contract
from trustlab.schema import BRAVING, ID, TABLES, Column, Table

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "sample"
README = ROOT / "data" / "README.md"


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    return sample.write_sample(tmp_path_factory.mktemp("sample") / "journal")


@pytest.fixture(scope="module")
def robin(sample_dir) -> trustlab.Journal:
    """Robin's sample journal, opened."""
    return trustlab.open_journal(sample_dir)


def _journal_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


# --- (a) the committed sample is what the generator writes ----------------------------


def test_committed_sample_is_regenerated_byte_for_byte(sample_dir):
    assert _journal_files(COMMITTED) == sorted(t.filename for t in TABLES.values())
    for table in TABLES.values():
        fresh = (sample_dir / table.filename).read_bytes()
        committed = (COMMITTED / table.filename).read_bytes()
        assert fresh == committed, (
            f"data/sample/{table.filename} differs from what trustlab/sample.py writes; "
            "regenerate it with `make sample`."
        )


def test_files_follow_the_storage_format(sample_dir):
    for name, table in TABLES.items():
        data = (sample_dir / table.filename).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in data, name
        assert data.endswith(b"\n"), name
        header = data.split(b"\n", 1)[0].decode()
        assert header == ",".join(f'"{c}"' for c in (ID, *table.column_names))


def test_folder_is_private_and_files_are_not_world_readable(sample_dir):
    assert stat.S_IMODE(sample_dir.stat().st_mode) == 0o700
    for path in sample_dir.iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path.name


def test_same_seed_same_bytes_other_seed_other_ids(tmp_path):
    one = sample.write_sample(tmp_path / "one", seed=7)
    two = sample.write_sample(tmp_path / "two", seed=7)
    other = sample.write_sample(tmp_path / "other", seed=8)
    for table in TABLES.values():
        assert (one / table.filename).read_bytes() == (two / table.filename).read_bytes()
    assert (one / "people.csv").read_bytes() != (other / "people.csv").read_bytes()


def test_rewriting_keeps_the_previous_version_as_a_backup(tmp_path):
    folder = sample.write_sample(tmp_path / "j", seed=1)
    before = (folder / "marbles.csv").read_bytes()
    sample.write_sample(folder, seed=2)
    assert (folder / "marbles.csv").read_bytes() != before
    backups = list((folder / ".trustlab" / "backups").glob("marbles.*.csv"))
    assert [b.read_bytes() for b in backups] == [before]


def test_module_runs_as_a_script(tmp_path, capsys):
    assert sample.main([str(tmp_path / "out")]) == 0
    assert _journal_files(tmp_path / "out") == _journal_files(COMMITTED)
    assert "fictional" in capsys.readouterr().out


# --- (b) it opens cleanly, every table filled -------------------------------------------


def test_sample_opens_with_no_problems_and_every_table_filled(robin):
    assert robin.problems == []
    for name in TABLES:
        assert len(robin.table(name)) > 0, name


def test_check_passes_on_the_committed_sample_without_warnings(capsys):
    assert cli(["check", str(COMMITTED)]) == 0
    out, err = capsys.readouterr()
    assert "OK" in out
    assert "warning" not in (out + err).lower()
    assert err == ""


def test_ids_are_unique_16_hex_characters(robin):
    for name in TABLES:
        ids = robin.table(name)[ID]
        assert ids.is_unique, name
        assert ids.str.fullmatch(r"[0-9a-f]{16}").all(), name


def test_text_round_trips_commas_quotes_line_breaks_and_emoji(robin):
    texts = [
        value
        for name, table in TABLES.items()
        for col in table.columns
        if col.kind == "text"
        for value in robin.table(name)[col.name]
    ]
    assert any("," in t for t in texts)
    assert any('"' in t for t in texts)
    assert any("\n" in t for t in texts)
    assert any(t.startswith("-") for t in texts)
    assert any(any(ord(ch) > 0xFFFF for ch in t) for t in texts), "no emoji"
    assert "Zoë" in set(robin.table("people")["person"])


# --- (c) data/README.md follows schema.py ------------------------------------------------


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(TABLES))
def test_readme_describes_each_table_exactly_as_the_schema(readme, name):
    section = contract_section(TABLES[name])
    assert section in readme, (
        f"data/README.md is out of date with trustlab/schema.py for {name}.csv. "
        f"Write it again with `python -m trustlab.contract data/README.md`, or replace its "
        f"section with:\n\n{section}"
    )


def test_writing_the_readme_again_changes_nothing(readme):
    assert with_contract(readme) == readme


def test_readme_mentions_every_file_column_and_choice(readme):
    for table in TABLES.values():
        assert table.filename in readme
        for col in table.columns:
            assert f"`{col.name}`" in readme, (table.name, col.name)
            for choice in col.choices:
                assert f"`{choice}`" in readme, (table.name, col.name, choice)
    for element in BRAVING:
        assert f"`{element}`" in readme


@pytest.mark.parametrize(
    "topic",
    ["UTF-8", "YYYY-MM-DD", "`id`", ".trustlab/", "backups", "recovered", "locks",
     "trustlab check", "semicolon", "warning", "Excel", "LibreOffice", "Google Sheets"],
)
def test_readme_covers_what_a_spreadsheet_editor_needs(readme, topic):
    assert topic.lower() in readme.lower()


def test_contract_section_notices_a_schema_change():
    table = TABLES["promises"]
    changed = Table(table.name, table.step, table.title, table.description,
                    (*table.columns, Column("mood", "int", "Mood", minimum=1, maximum=5)))
    assert contract_section(changed) != contract_section(table)
    assert "| `mood` |" in contract_section(changed)


# --- (d) `trustlab demo DIR` ------------------------------------------------------------


def test_demo_writes_the_sample(tmp_path, capsys):
    target = tmp_path / "new" / "journal"
    assert cli(["demo", str(target)]) == 0
    assert "fictional" in capsys.readouterr().out
    for table in TABLES.values():
        assert (target / table.filename).read_bytes() == (COMMITTED / table.filename).read_bytes()
    assert trustlab.open_journal(target).problems == []


def test_demo_refuses_a_folder_with_journal_files(tmp_path, capsys):
    target = tmp_path / "mine"
    target.mkdir()
    own = b'"person","relationship","era","note"\n"Kit","friend","present","mine"\n'
    (target / "people.csv").write_bytes(own)
    assert cli(["demo", str(target)]) == 1
    err = capsys.readouterr().err
    assert "already has journal files" in err
    assert "people.csv" in err
    assert (target / "people.csv").read_bytes() == own
    assert _journal_files(target) == ["people.csv"]


def test_demo_twice_refuses_the_second_time(tmp_path, capsys):
    target = tmp_path / "j"
    assert cli(["demo", str(target)]) == 0
    before = {n: (target / n).read_bytes() for n in _journal_files(target)}
    assert cli(["demo", str(target)]) == 1
    assert {n: (target / n).read_bytes() for n in _journal_files(target)} == before


# --- (e) a realistic three months ---------------------------------------------------------


def test_spans_about_three_months(robin):
    dates = [
        d.date()
        for name, table in TABLES.items()
        if "date" in table.column_names
        for d in robin.table(name)["date"]
    ]
    assert min(dates) == date(2026, 6, 1)
    assert max(dates) == date(2026, 8, 31)
    for name, table in TABLES.items():
        if "date" in table.column_names and name != "coach_notes":  # one reply, one day
            days = robin.table(name)["date"]
            assert (days.max() - days.min()).days >= 60, f"{name} covers under two months"


def _trajectories(robin) -> dict[str, str]:
    marbles = robin.table("marbles").sort_values("date", kind="stable")
    shapes = {}
    for person, rows in marbles.groupby("person"):
        running = rows["marbles"].cumsum()
        final, lowest = int(running.iloc[-1]), int(running.min())
        if final < 0:
            shapes[person] = "down"
        elif lowest <= -3:
            shapes[person] = "dip then up"
        else:
            shapes[person] = "up"
    return shapes


def test_several_people_with_different_marble_trajectories(robin):
    people = robin.table("people")
    assert len(people) >= 5
    assert {"present", "past"} <= set(people["era"])
    shapes = _trajectories(robin)
    assert len(shapes) >= 5
    assert set(shapes.values()) == {"up", "down", "dip then up"}, shapes
    assert shapes["Dana"] == "down"
    assert shapes["Zoë"] == "up"


def test_marbles_are_plenty_varied_and_valid(robin):
    marbles = robin.table("marbles")
    assert 150 <= len(marbles) <= 250
    assert (marbles["marbles"] != 0).all()
    assert marbles["marbles"].between(-5, 5).all()
    assert marbles["marbles"].nunique() >= 7
    assert set(marbles["braving"]) == {"", *BRAVING}
    assert marbles["moment"].nunique() > 100


def test_every_choice_of_the_reflection_tables_is_used(robin):
    expect = {
        ("observations", "shown"), ("triggers", "origin"), ("red_flags", "response"),
        ("steps", "kind"), ("steps", "response"), ("promises", "kept"),
        ("people", "relationship"), ("people", "era"),
    }
    for name, column in expect:
        col = TABLES[name].column(column)
        used = set(robin.table(name)[column])
        wanted = set(col.choices) | ({""} if col.optional else set())
        assert used == wanted, (name, column, wanted - used)


def test_blame_balance_moves_from_all_or_nothing_to_balanced(robin):
    triggers = robin.table("triggers")
    june = triggers[triggers["date"].dt.month == 6]["my_share"]
    august = triggers[triggers["date"].dt.month == 8]["my_share"]
    assert ((june <= 10) | (june >= 90)).sum() >= 5
    assert august.between(11, 89).all()
    assert triggers["intensity"].nunique() >= 6


def test_self_trust_improves(robin):
    flags = robin.table("red_flags")
    early, late = flags[flags["date"].dt.month == 6], flags[flags["date"].dt.month == 8]
    assert (early["response"] == "painted_green").sum() >= 2
    assert "painted_green" not in set(late["response"])
    promises = robin.table("promises")
    kept = promises[promises["kept"] != ""]
    first, second = kept.iloc[: len(kept) // 2], kept.iloc[len(kept) // 2:]
    assert (second["kept"] == "yes").mean() > (first["kept"] == "yes").mean()


def test_beliefs_are_revisited_and_ease_over_time(robin):
    beliefs = robin.table("beliefs").sort_values("date", kind="stable")
    groups = beliefs.groupby("belief")
    assert 3 <= groups.ngroups <= 4
    for belief, rows in groups:
        assert len(rows) >= 3, belief
        assert rows["before"].is_monotonic_decreasing, belief
        known = rows.dropna(subset=["after"])
        assert (known["after"] <= known["before"]).all(), belief
    assert beliefs["after"].isna().sum() == 1
