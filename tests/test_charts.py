"""Charts, tested on their Vega-Lite specs (``chart.to_dict()``) and rendered offline."""

from __future__ import annotations

import inspect
import json
import re
import shutil
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from trustlab import charts, insights, open_journal
from trustlab.schema import BRAVING, TABLES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
MARKER = "zq7-private-marker"
"""Planted in every free-text column; must never reach a chart."""

CHARTS = {
    "marble_jar": charts.marble_jar,
    "current_jars": charts.current_jars,
    "braving_profile": charts.braving_profile,
    "step_responses": charts.step_responses,
    "qualities_check": charts.qualities_check,
    "self_trust": charts.self_trust,
    "belief_shift": lambda j, **kw: charts.belief_shift(j, label_beliefs=False, **kw),
    "triggers_over_time": charts.triggers_over_time,
    "blame_balance": charts.blame_balance,
    "dashboard": lambda j, **kw: charts.dashboard(j, label_beliefs=False, **kw),
}
FREE_TEXT = {
    name: [c.name for c in table.columns if c.kind == "text" and c.refers_to is None
           and not c.unique]
    for name, table in TABLES.items()
}  # fmt: skip
PEOPLE = ["Sam", "Priya", "Zoë", "Dana"]
ORIGINS = TABLES["triggers"].column("origin").choices
QUALITIES = ["Reliability", "Honesty", "Keeps confidences"]


def _note(i: int) -> str:
    return f'{MARKER} {i}: a note, with a comma and a "quote"'


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    """Every table filled over three months, a marker in every free-text field."""
    journal = open_journal(tmp_path_factory.mktemp("rich") / "journal")
    rng = np.random.default_rng(7)
    for person in PEOPLE:
        journal.add("people", person=person, relationship="friend", era="present", note=_note(0))
    for i, quality in enumerate(QUALITIES):
        journal.add("qualities", quality=quality, why=_note(i), importance=5 - i)
    days = pd.date_range("2024-03-01", "2024-05-31", freq="D")
    for i, day in enumerate(days):
        person = PEOPLE[i % len(PEOPLE)]
        journal.add(
            "marbles", date=day, person=person, marbles=int(rng.choice([-2, -1, 1, 2, 3])),
            moment=_note(i), braving=BRAVING[i % len(BRAVING)] if i % 3 else "",
        )  # fmt: skip
        if i % 4 == 0:
            journal.add("observations", date=day, person=person,
                        quality=QUALITIES[i // 4 % 3], shown=rng.choice(["yes", "no", "unsure"]),
                        note=_note(i))  # fmt: skip
            journal.add("steps", date=day, person=person, kind="gave", step=_note(i),
                        response=["warm", "neutral", "cold", "pending"][i // 4 % 4],
                        note=_note(i))  # fmt: skip
        if i % 5 == 0:
            journal.add("triggers", date=day, situation=_note(i), origin=ORIGINS[i // 5 % 4],
                        intensity=i % 11, my_share=(i * 7) % 101, mine_to_own=_note(i),
                        not_mine=_note(i))  # fmt: skip
            journal.add("red_flags", date=day, person=person, flag=_note(i),
                        response=["heeded", "painted_green", "watching"][i % 3],
                        note=_note(i))  # fmt: skip
            journal.add("promises", date=day, promise=_note(i),
                        kept=["yes", "partly", "no", ""][i % 4])  # fmt: skip
        if i % 9 == 0:
            journal.add("beliefs", date=day, belief=f"{MARKER} belief {i % 2}",
                        before=80 - i // 3, opposite=_note(i), evidence=_note(i),
                        possible=_note(i), after=None if i % 2 else 50)  # fmt: skip
        if i % 30 == 0:  # what a coach wrote back: never in a chart either
            journal.add("coach_notes", date=day, report=f"r{i} {_note(i)}",
                        section="marbles", note=_note(i))  # fmt: skip
    return journal


@pytest.fixture
def empty(journal):
    return journal


def spec_of(chart) -> dict:
    return chart.to_dict()


def datasets(spec: dict) -> dict[str, list[dict]]:
    return spec.get("datasets", {})


def drawn(spec: dict) -> list[dict]:
    """The rows of the chart's main dataset (its largest)."""
    return max(datasets(spec).values(), key=len)


def strings_in(spec: dict) -> set[str]:
    return {
        value
        for rows in datasets(spec).values()
        for row in rows
        for value in row.values()
        if isinstance(value, str)
    }


def layers(spec: dict) -> list[dict]:
    """Every single-view spec inside a chart, however it is layered or concatenated."""
    found = []
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key, []):
            found += layers(part)
    if "spec" in spec:
        found += layers(spec["spec"])
    if "mark" in spec:
        found.append(spec)
    return found


# --- privacy ---------------------------------------------------------------------------------


def test_every_free_text_column_is_known():
    assert FREE_TEXT["marbles"] == ["moment"]
    assert FREE_TEXT["triggers"] == ["situation", "mine_to_own", "not_mine"]
    assert FREE_TEXT["beliefs"] == ["belief", "opposite", "evidence", "possible"]
    assert "person" not in FREE_TEXT["people"] and "quality" not in FREE_TEXT["qualities"]


def test_the_marker_really_is_in_every_free_text_column(rich):
    for table, columns in FREE_TEXT.items():
        frame = rich.table(table)
        for column in columns:
            assert frame[column].str.contains(MARKER).any(), f"{table}.{column}"


@pytest.mark.parametrize("name", CHARTS)
def test_no_free_text_reaches_a_chart(rich, name):
    text = json.dumps(spec_of(CHARTS[name](rich)), ensure_ascii=False)
    assert MARKER not in text


@pytest.mark.parametrize("name", CHARTS)
def test_charts_embed_only_names_choices_and_dates(rich, name):
    allowed = set(PEOPLE) | set(QUALITIES) | set(charts.LABELS.values())
    for value in strings_in(spec_of(CHARTS[name](rich))):
        assert (
            value in allowed
            or re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00", value)  # dates
            or re.fullmatch(r"\d+–\d+", value)  # blame-balance bands
            or re.fullmatch(r"Belief \d+", value)
        ), f"{name} embeds {value!r}"


def test_belief_labels_show_only_the_first_words_and_only_when_asked(rich):
    plain = json.dumps(spec_of(charts.belief_shift(rich)), ensure_ascii=False)
    overview = json.dumps(spec_of(charts.dashboard(rich)), ensure_ascii=False)
    for spec in (plain, overview):  # by default no chart holds a word of a belief
        assert MARKER not in spec and "Belief 1" in spec
    labelled = json.dumps(spec_of(charts.belief_shift(rich, label_beliefs=True)),
                          ensure_ascii=False)
    assert f"{MARKER} belief 0" in labelled  # the person's own view, when asked
    for column in ("opposite", "evidence", "possible"):
        assert rich.table("beliefs")[column].iloc[0] not in labelled
    assert charts.belief_labels(rich) == {1: "Belief 1", 2: "Belief 2"}
    assert charts.belief_labels(rich, label_beliefs=True) == {
        1: f"{MARKER} belief 0", 2: f"{MARKER} belief 1"}


def test_only_the_step_4_notebook_asks_for_the_words_of_beliefs():
    asked = [path.name for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
             if "label_beliefs=True" in path.read_text("utf-8")]
    assert asked == ["04_challenging_beliefs.ipynb"]


def test_beliefs_with_the_same_first_words_get_distinct_labels(journal):
    start = "Nobody will ever really stay with me, "
    for ending in ("because of who I am", "because I push them away"):
        journal.add("beliefs", date="2024-03-01", belief=start + ending, before=80)
    labels = charts.belief_labels(journal, label_beliefs=True)
    assert len(set(labels.values())) == 2
    assert labels[2].endswith("(2)")


# --- specs ---------------------------------------------------------------------------------


def test_marble_jar_spec(rich):
    spec = spec_of(charts.marble_jar(rich, freq="W"))
    line, points = layers(spec)[1:3]
    assert line["mark"]["type"] == "line" and line["mark"]["interpolate"] == "step-after"
    x = line["encoding"]["x"]
    assert (x["field"], x["type"], x["title"]) == ("date", "temporal", None)
    assert x["axis"]["tickCount"] == {"interval": "week", "step": 2}  # 14 weeks, 7 ticks
    assert line["encoding"]["y"]["field"] == "balance"
    assert line["encoding"]["y"]["type"] == "quantitative"
    colour = line["encoding"]["color"]
    assert colour["field"] == "person" and colour["type"] == "nominal"
    assert [t["field"] for t in points["encoding"]["tooltip"]] == [
        "person", "date", "earned", "lost", "moments", "balance",
    ]  # fmt: skip
    rows = drawn(spec)
    marbles = rich.table("marbles")
    weeks = insights.period_start(marbles["date"], "W")
    assert len(rows) == len(set(zip(marbles["person"], weeks, strict=True)))
    assert set(rows[0]) == {"person", "date", "earned", "lost", "moments", "net", "balance"}
    last_sam = [r for r in rows if r["person"] == "Sam"][-1]
    jar = insights.current_jars(rich).set_index("person")
    assert last_sam["balance"] == jar.loc["Sam", "marbles"]


def test_marble_jar_counts_in_longer_periods_for_long_journals(rich):
    assert charts.choose_freq(rich.table("marbles")["date"]) == "D"  # 92 days
    long = pd.Series(pd.date_range("2015-01-01", "2024-12-31", freq="D"))
    assert charts.choose_freq(long) == "Q"
    assert charts.choose_freq(long[:400]) == "W"
    assert charts.choose_freq(pd.Series(pd.to_datetime(["2024-01-01"] * 3)), min_per_period=5) in (
        "Y",
    )


def test_person_colours_are_the_same_in_every_chart(rich):
    colours = charts.person_colours(rich)
    assert list(colours) == PEOPLE
    assert colours["Sam"] == charts.PALETTE[0]
    scales = []
    for chart in (
        charts.marble_jar(rich),
        charts.current_jars(rich),
        charts.self_trust(rich, by_person=True),
        charts.dashboard(rich),
    ):
        for layer in layers(spec_of(chart)):
            scale = layer.get("encoding", {}).get("color", {}).get("scale", {})
            if set(scale.get("domain", [None])) <= set(colours):
                scales.append(scale)
    assert len(scales) >= 6
    for scale in scales:
        assert scale["range"] == [colours[p] for p in scale["domain"]]


def test_adding_a_person_keeps_everyone_elses_colour(journal):
    for person in ("Sam", "Priya"):
        journal.add("people", person=person, relationship="friend", era="present")
    journal.add("marbles", date="2024-03-01", person="Robin", marbles=1)
    before = charts.person_colours(journal)
    journal.add("people", person="Noor", relationship="family", era="present")
    after = charts.person_colours(journal)
    assert {p: after[p] for p in ("Sam", "Priya")} == {p: before[p] for p in ("Sam", "Priya")}
    assert len(set(after.values())) == len(after)


def test_current_jars_spec(rich):
    spec = spec_of(charts.current_jars(rich))
    bars = layers(spec)[0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["x"]["field"] == "marbles"
    jars = insights.current_jars(rich)
    fullest_first = jars.sort_values("marbles", ascending=False)["person"].tolist()
    assert bars["encoding"]["y"]["sort"] == fullest_first
    assert len(drawn(spec)) == len(PEOPLE)


def test_heat_maps(rich):
    braving = spec_of(charts.braving_profile(rich))
    cells = layers(braving)[0]
    assert cells["mark"]["type"] == "rect"
    assert cells["encoding"]["color"]["field"] == "net"
    assert cells["encoding"]["x"]["sort"] == [charts.LABELS[e] for e in BRAVING]
    assert len(drawn(braving)) == len(PEOPLE) * len(BRAVING)
    qualities = spec_of(charts.qualities_check(rich))
    cells = layers(qualities)[0]
    assert cells["encoding"]["color"]["field"] == "share_shown"
    assert cells["encoding"]["color"]["scale"]["domain"] == [0, 1]
    assert cells["encoding"]["x"]["sort"] == QUALITIES


def test_self_trust_spec_shows_shares_so_far(rich):
    spec = spec_of(charts.self_trust(rich, freq="M"))
    line = layers(spec)[0]
    assert line["encoding"]["y"]["field"] == "rate"
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 1]
    rows = drawn(spec)
    assert {r["series"] for r in rows} == {charts.LABELS["heeded"], charts.LABELS["kept"]}
    flags = [r for r in rows if r["series"] == charts.LABELS["heeded"]]
    overall = insights.self_trust_rate(rich).iloc[0]
    assert flags[-1]["decided"] == overall["decided"]
    assert flags[-1]["rate"] == pytest.approx(overall["rate"])


def test_belief_shift_is_one_row_per_belief(rich):
    spec = spec_of(charts.belief_shift(rich, label_beliefs=False))
    assert spec["facet"]["row"]["field"] == "belief"
    assert spec["facet"]["row"]["sort"] == ["Belief 1", "Belief 2"]
    rows = drawn(spec)
    assert len(rows) == len(rich.table("beliefs"))
    no_after = [r for r in rows if r["after"] is None]
    assert no_after, "a record without an 'after' keeps its row, with after left empty"


def test_belief_shift_averages_many_records_per_period(journal_dir, write_file):
    dates = pd.date_range("2020-01-01", periods=400, freq="D")
    lines = ["date,belief,before,opposite,evidence,possible,after"]
    lines += [f"{d:%Y-%m-%d},I'm not loveable,80,,,,{40 + i % 10}" for i, d in enumerate(dates)]
    write_file("beliefs.csv", "\n".join(lines) + "\n")
    spec = spec_of(charts.belief_shift(open_journal(journal_dir), max_points=60))
    rows = drawn(spec)
    assert 1 < len(rows) <= 60
    assert sum(r["records"] for r in rows) == 400


def test_triggers_and_blame_balance(rich):
    spec = spec_of(charts.triggers_over_time(rich, freq="M"))
    rows = drawn(spec)
    assert sum(r["triggers"] for r in rows) == len(rich.table("triggers"))
    bar = layers(spec)[0]
    assert {bar["encoding"][k]["field"] for k in ("x", "x2", "y", "y2")} == {
        "date", "end", "top", "bottom",
    }  # fmt: skip
    blame = spec_of(charts.blame_balance(rich))
    rows = drawn(blame)
    assert len(rows) == 10
    assert [r["kind"] for r in rows if r["low"] in (0, 90)] == [charts.LABELS["all_or_nothing"]] * 2


def test_step_responses_spec(rich):
    spec = spec_of(charts.step_responses(rich))
    bar = layers(spec)[0]
    assert bar["encoding"]["x"]["field"] == "steps"
    assert bar["encoding"]["color"]["scale"]["domain"] == ["Warm", "Neutral", "Cold", "Waiting"]


def test_dashboard_keeps_colour_scales_apart(rich):
    spec = spec_of(charts.dashboard(rich))
    assert spec["resolve"]["scale"]["color"] == "independent"
    assert len(layers(spec)) >= 15


def test_dashboard_fits_a_1280px_window_with_the_sidebar_open(rich, tmp_path):
    """JupyterLab's notebook area is about 850 px wide there; the dashboard is one column."""
    shutil.copytree(SAMPLE, tmp_path / "sample")
    for journal in (rich, open_journal(tmp_path / "sample")):
        svg = charts.to_svg(charts.dashboard(journal))
        width = float(re.search(r'<svg[^>]* width="([\d.]+)"', svg).group(1))
        assert width <= 700, f"the dashboard is {width:.0f} px wide"


@pytest.mark.parametrize(("make", "field"), [
    (charts.marble_jar, "balance"), (charts.current_jars, "marbles"),
    (charts.step_responses, "steps"), (charts.triggers_over_time, "top"),
    (charts.blame_balance, "triggers"),
])  # fmt: skip
def test_count_axes_show_whole_numbers_only(rich, make, field):
    """A small count (one trigger) must not get ticks at 0.5."""
    found = [
        view["encoding"][channel]
        for view in layers(spec_of(make(rich)))
        for channel in ("x", "y")
        if view.get("encoding", {}).get(channel, {}).get("field") == field
    ]
    assert found, f"{field} is not drawn on an axis"
    for encoding in found:
        if "axis" in encoding:
            assert encoding["axis"]["tickMinStep"] == 1
            assert encoding["axis"]["format"] == "d"
    assert any("axis" in e for e in found)


def _axis_labels(svg: str) -> list[list[str]]:
    """The labels of each axis drawn in ``svg``, axis by axis."""
    groups = re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg)
    return [re.findall(r"<text[^>]*>([^<]*)</text>", group) for group in groups]


@pytest.mark.parametrize("net", [[1], [2], [1, 1, 1], [2, -3], [-1]])
def test_small_counts_are_labelled_once_each(journal, net):
    """On a span of one or two marbles Vega picks half steps despite tickMinStep; drawn,
    the labels must still be whole numbers, each once (not "0 1 1 2 2")."""
    journal.add("people", person="Dana", relationship="partner", era="present")
    for day, marbles in enumerate(net, start=1):
        journal.add("marbles", date=f"2026-11-{day:02d}", person="Dana", marbles=marbles,
                    moment="A small moment")
    for make in (charts.marble_jar, charts.current_jars):
        counts = [
            labels for labels in _axis_labels(charts.to_svg(make(journal)))
            if labels and all(re.fullmatch(r"[−-]?\d+", label) for label in labels)
        ]
        assert counts, f"{make.__name__}: no axis of counts drawn"
        for labels in counts:
            assert len(labels) == len(set(labels)) >= 2, f"{make.__name__}: {labels}"


# --- sizes --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """Six years of daily marbles for 12 people: 26,000 rows, far over Altair's limit."""
    folder = tmp_path_factory.mktemp("big")
    rng = np.random.default_rng(3)
    dates = pd.date_range("2019-01-01", "2024-12-31", freq="D")
    people = [f"Person {i}" for i in range(12)]
    rows = [
        f"{d:%Y-%m-%d},{p},{rng.choice([-2, -1, 1, 2])},moment {MARKER},"
        for d in dates
        for p in people
    ]
    (folder / "marbles.csv").write_text(
        "date,person,marbles,moment,braving\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return open_journal(folder)


@pytest.mark.parametrize("name", CHARTS)
def test_large_journals_make_small_charts(big, name):
    assert len(big.table("marbles")) > 5 * charts.MAX_ROWS
    spec = spec_of(CHARTS[name](big))
    for rows in datasets(spec).values():
        assert len(rows) <= 1_000
    assert len(json.dumps(spec)) < 300_000


def test_too_many_rows_is_an_error_that_says_what_to_do(big):
    people = insights.person_order(big)
    with pytest.raises(ValueError, match=r"would embed 2\d,\d{3} rows; charts embed at most 5,000"):
        charts.marble_jar(big, people=people, freq="D")
    assert alt.data_transformers.active == "default"


def test_at_most_max_people_unless_asked(big):
    rows = datasets(spec_of(charts.current_jars(big)))
    assert len(next(iter(rows.values()))) == charts.MAX_PEOPLE
    rows = datasets(spec_of(charts.current_jars(big, people=["Person 11", "Person 3"])))
    assert sorted(r["person"] for r in next(iter(rows.values()))) == ["Person 11", "Person 3"]


# --- empty journals and rendering -----------------------------------------------------------


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_renders_offline_even_when_empty(empty, name):
    chart = CHARTS[name](empty)
    svg = charts.to_svg(chart)
    assert svg.lstrip().startswith("<svg")
    assert "yet" in svg  # "No marbles yet", "No thought records yet" ...


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_renders_to_svg(rich, name):
    svg = charts.to_svg(CHARTS[name](rich))
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "http://" not in svg.replace("http://www.w3.org", "")
    assert MARKER not in svg


def test_to_svg_loads_nothing_from_the_internet():
    chart = alt.Chart(alt.UrlData("https://example.com/data.csv")).mark_point().encode(x="a:Q")
    with pytest.raises(ValueError, match="not allowed"):
        charts.to_svg(chart)


def test_enable_offline(restore_altair, rich):
    charts.enable_offline()
    assert alt.theme.active == charts.THEME
    assert charts.marble_jar(rich).to_dict()["config"]["title"]["fontSize"] == 15
    # By default JupyterLab draws each chart itself from a Vega spec compiled here.
    data, metadata = alt.renderers.get()(charts.current_jars(rich).to_dict())
    vega = data[charts.VEGA_MIMETYPE]
    assert vega["description"] == data["text/plain"] == (
        "Chart: Each jar now. Marbles in minus marbles out, from the first moment on.")
    assert [mark["type"] for mark in vega["marks"]] and vega["data"][0]["values"]
    assert "http" not in json.dumps(vega).replace("https://vega.github.io/schema/vega/v5", "")
    assert metadata[charts.VEGA_MIMETYPE]["embed_options"]["actions"] is False
    charts.enable_offline(draw="svg")
    assert alt.renderers.active == "svg"
    svg = alt.renderers.get()(charts.current_jars(rich).to_dict())["image/svg+xml"]
    assert svg.startswith("<svg")
    charts.enable_offline(draw="html")
    assert alt.renderers.active == "html"
    bundle = alt.renderers.get()(charts.current_jars(rich).to_dict())
    html = bundle["text/html"]
    assert "cdn.jsdelivr.net" not in html and "<script" in html
    with pytest.raises(ValueError, match="draw must be"):
        charts.enable_offline(draw="png")  # type: ignore[arg-type]


def test_charts_for_jupyterlab_load_nothing_from_the_internet():
    chart = alt.Chart(alt.UrlData("https://example.com/data.csv")).mark_point().encode(x="a:Q")
    with pytest.raises(ValueError, match="loads nothing"):
        charts.lab_bundle(chart.to_dict())


@pytest.mark.parametrize("title, words", [
    (None, "A chart."),
    ("Jars", "Chart: Jars."),
    ({"text": "Jars.", "subtitle": ["One line", "and two."]}, "Chart: Jars. One line and two."),
    ({"text": ["Two", "lines"], "subtitle": "Sub"}, "Chart: Two lines. Sub."),
])
def test_chart_words(title, words):
    assert charts.chart_words({} if title is None else {"title": title}) == words


# --- the sample journal -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    if not (SAMPLE / "marbles.csv").exists():
        pytest.skip("data/sample/ is not there yet")
    copy = shutil.copytree(SAMPLE, tmp_path_factory.mktemp("sample") / "journal")
    return open_journal(copy)


@pytest.mark.parametrize("name", [*CHARTS, "dashboard_labelled"])
def test_every_chart_builds_and_renders_from_the_sample(sample, name):
    make = CHARTS.get(name) or charts.dashboard
    spec = spec_of(make(sample))
    assert all(len(rows) <= charts.MAX_ROWS for rows in datasets(spec).values())
    assert charts.to_svg(make(sample)).lstrip().startswith("<svg")


def test_the_sample_has_something_to_say(sample):
    said = insights.sentences(sample)
    assert len(said) > 10
    assert any("jar has been filling" in s for s in said)


# --- the benchmark, at a tiny size ------------------------------------------------------------


def test_benchmark_rows(tmp_path):
    pytest.importorskip("vegafusion")
    from benchmarks import bench_charts, generate

    folder = generate.generate_journal(tmp_path / "journal", marbles=3_000, people=20, years=2)
    rows = bench_charts.run(folder, runs=1)
    assert [r.measurement for r in rows][1:] == [
        "dashboard spec size (JSON)",
        "largest dataset embedded in the dashboard",
    ]
    assert all(len(r) == 6 and isinstance(r.ok, bool) for r in rows)
    assert alt.data_transformers.active == "default"


def test_the_public_api_is_documented():
    for name in charts.__all__:
        value = getattr(charts, name)
        if inspect.isfunction(value):
            assert value.__doc__ and value.__doc__.strip(), name
