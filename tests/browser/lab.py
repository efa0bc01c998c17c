"""A small page object for JupyterLab notebooks with ipywidgets forms, for Playwright tests.

Every helper takes the Playwright ``page`` first. Helpers that look for a form field take an
optional ``within`` locator (for example ``cell_output(page, 'entry_form(journal, "marbles")')``)
so that forms sharing a label in other cells are not mixed up; without it the whole page is
searched, and two fields with the same label is an error (Playwright's strict mode).

Fields are found by their visible label (the widget's ``description``) and filled with single
updates (``fill``, one click), so each widget sends one message to the kernel and the kernel
sees the values before a later button click.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

KERNEL_TIMEOUT = 60_000  # ms: a kernel start or a Run All on a slow, busy CI machine
TIMEOUT = 30_000  # ms: anything else (a widget update, a save)

_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
_CHART = ", ".join(
    f".jp-OutputArea-output {selector}"
    for selector in ("svg:not([data-icon])", "canvas", "img[src^='data:image/svg+xml']")
)


def notebook(page: Page) -> Locator:
    """The notebook panel in view."""
    return page.locator(_NOTEBOOK)


def open_notebook(page: Page, server: Any, name: str, *, timeout: float = KERNEL_TIMEOUT) -> None:
    """Open ``name`` (relative to ``server.notebooks``; ``server`` is a ``LabServer``) and
    wait until its kernel is connected and idle.

    Each call uses a new, empty JupyterLab workspace, so tabs from earlier tests are not
    restored (and their kernels not started again).
    """
    workspace = f"test-{time.monotonic_ns():x}"
    path = urllib.parse.quote(name)
    page.goto(server.url_for(f"lab/workspaces/{workspace}/tree/{path}"), timeout=timeout)
    notebook(page).locator(".jp-Notebook").wait_for(timeout=timeout)
    _wait_for_session(page, server, name, timeout)
    wait_for_idle_kernel(page, timeout=timeout)


def _wait_for_session(page: Page, server: Any, name: str, timeout: float) -> None:
    """Wait until the server has an idle kernel for ``name`` with the page connected to it.

    (The page's own indicator can read "idle" before its kernel has even started.)
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        sessions = [s for s in server.api("sessions") if s["name"] == Path(name).name]
        if any(
            s["kernel"]["execution_state"] == "idle" and s["kernel"]["connections"]
            for s in sessions
        ):
            return
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no idle, connected kernel for {name} after "
                f"{timeout / 1000:.0f} s: sessions {sessions}"
            )
        page.wait_for_timeout(200)  # not time.sleep: keep Playwright's events flowing


# With window.jupyterapp (conftest starts JupyterLab so), read the notebook's own state;
# otherwise fall back to what the toolbar shows.
_KERNEL_IDLE_JS = """(selector) => {
    const app = window.jupyterapp;
    if (app) {
        const kernel = app.shell.currentWidget?.sessionContext?.session?.kernel;
        return kernel?.status === 'idle' && kernel?.connectionStatus === 'connected';
    }
    const panel = document.querySelector(selector);
    const name = panel?.querySelector('.jp-KernelName')?.textContent ?? 'No Kernel';
    return Boolean(panel?.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']"))
        && !name.includes('No Kernel');
}"""
_CELL_ERRORS_JS = """(selector) => {
    const model = window.jupyterapp?.shell.currentWidget?.content?.model;
    if (!model) {
        return [...document.querySelectorAll(selector + ' .jp-Cell')]
            .map((cell, index) => [index, cell.querySelector(
                "[data-mime-type='application/vnd.jupyter.stderr']")?.textContent ?? ''])
            .filter(([, text]) => /Traceback|Error: /.test(text));
    }
    const errors = [];
    [...model.cells].forEach((cell, index) => {
        for (const output of cell.outputs?.toJSON() ?? []) {
            if (output.output_type === 'error') {
                errors.push([index, output.traceback.join('\\n')]);
            }
        }
    });
    return errors;
}"""


def wait_for_idle_kernel(page: Page, *, timeout: float = KERNEL_TIMEOUT) -> None:
    """Wait until the notebook in view is connected to its kernel and the kernel is idle."""
    page.wait_for_function(_KERNEL_IDLE_JS, arg=_NOTEBOOK, polling=100, timeout=timeout)


def cell_errors(page: Page) -> list[tuple[int, str]]:
    """The errors shown in the notebook in view: (cell number from 1, traceback as text)."""
    errors = page.evaluate(_CELL_ERRORS_JS, _NOTEBOOK)
    return [(index + 1, re.sub(r"\x1b\[[0-9;]*m", "", text)) for index, text in errors]


_RUN_STATE_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = [...panel.content.model.cells];
    return {
        counts: cells.filter(c => c.type === 'code').map(c => c.executionCount ?? 0),
        failed: cells.some(c => (c.outputs?.toJSON() ?? []).some(o => o.output_type === 'error')),
        idle: panel.sessionContext?.session?.kernel?.status === 'idle',
    };
}"""


def _run_state(page: Page) -> dict[str, Any]:
    """The execution count of every code cell, whether one failed, and whether the kernel
    is idle: read from the notebook's model, so hidden code makes no difference."""
    return page.evaluate(_RUN_STATE_JS)


def run_all(page: Page, *, timeout: float = KERNEL_TIMEOUT) -> None:
    """Run menu > Run All Cells; wait until the run is over and the kernel is idle.

    Raises AssertionError with the traceback if a cell fails (Run All stops there).
    """
    state = _run_state(page)
    if not state["counts"]:
        return
    before = max(state["counts"])
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*Run\s*$")).click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    # Over when a cell failed (Run All stops there) or every code cell has a new count,
    # and the kernel is idle. A count is set as its cell starts, after the kernel said
    # it was busy, so "all counts new and idle", read at one moment, means the last
    # cell has finished.
    page.wait_for_function(
        f"""(before) => {{
            const state = ({_RUN_STATE_JS})();
            return state.idle && (state.failed || state.counts.every(c => c > before));
        }}""",
        arg=before,
        polling=100,
        timeout=timeout,
    )
    errors = cell_errors(page)
    if errors:
        number, traceback = errors[0]
        raise AssertionError(f"cell {number} failed in Run All:\n{traceback}")
    wait_for_idle_kernel(page, timeout=timeout)


_CELL_INDEX_JS = """([words]) => {
    const model = window.jupyterapp?.shell.currentWidget?.content?.model;
    if (!model) return -1;
    const squash = text => text.split(/\\s+/).filter(Boolean).join(' ');
    const wanted = squash(words);
    return [...model.cells].findIndex(
        cell => cell.type === 'code' && squash(cell.sharedModel.getSource()).includes(wanted));
}"""


def cell(page: Page, source: str) -> Locator:
    """The code cell whose source contains ``source`` (line breaks and indents may differ).

    Found through the notebook's model (``window.jupyterapp``), so it works when the cell's
    code is hidden, as it is in the guided notebooks; without the app object, by the text
    of the visible editors.
    """
    index = page.evaluate(_CELL_INDEX_JS, [source])
    if index >= 0:
        return notebook(page).locator(".jp-Cell").nth(index)
    words = source.split()
    editor = page.locator(
        ".jp-InputArea-editor", has_text=re.compile(r"\s*".join(map(re.escape, words)))
    )
    return notebook(page).locator(".jp-CodeCell").filter(has=editor)


def cell_output(page: Page, source: str) -> Locator:
    """The output area of the code cell whose source contains ``source``."""
    return cell(page, source).locator(".jp-Cell-outputArea")


def widget_by_label(page: Page, label: str, *, within: Locator | None = None) -> Locator:
    """The widget whose description is exactly ``label`` (the element holding the label)."""
    scope = within if within is not None else notebook(page)
    exact = re.compile(rf"^\s*{re.escape(label)}\s*$")
    return scope.locator("label.widget-label").filter(has_text=exact).locator("xpath=..")


def _input(page: Page, label: str, within: Locator | None) -> Locator:
    return widget_by_label(page, label, within=within).locator("input, textarea, select")


def fill_text(page: Page, label: str, text: str, *, within: Locator | None = None) -> None:
    """Type ``text`` into a Text, Textarea or Combobox field (replacing what is there)."""
    field = _input(page, label, within)
    field.fill(text, timeout=TIMEOUT)
    field.blur()
    _expect_value(field, text)


def set_date(page: Page, label: str, date: str, *, within: Locator | None = None) -> None:
    """Set a DatePicker to ``date`` written YYYY-MM-DD."""
    field = _input(page, label, within)
    field.fill(date, timeout=TIMEOUT)
    _expect_value(field, date)


def choose_dropdown(page: Page, label: str, option: str, *, within: Locator | None = None) -> None:
    """Choose ``option`` in a Dropdown: its visible text ("Accountability"), or the value the
    journal stores for it ("accountability", "pending" for "Waiting"; see ``option_words``)."""
    field = widget_by_label(page, label, within=within).locator("select")
    field.select_option(label=_option_text(field, option), timeout=TIMEOUT)


def choose_toggle(page: Page, label: str, option: str, *, within: Locator | None = None) -> None:
    """Press the toggle button ``option`` (its visible text) of a ToggleButtons field.

    For a field shown as a Dropdown, chooses ``option`` there (as ``choose_dropdown``).
    """
    row = widget_by_label(page, label, within=within)
    row.locator("button, select").first.wait_for(timeout=TIMEOUT)
    if row.locator("select").count():
        choose_dropdown(page, label, option, within=within)
        return
    button = row.get_by_role("button", name=option, exact=True)
    button.click(timeout=TIMEOUT)
    _expect(button, "to_have_class", re.compile(r"\bmod-active\b"))


def set_slider(page: Page, label: str, value: int, *, within: Locator | None = None) -> None:
    """Set an IntSlider, or a number box (BoundedIntText), to ``value``.

    Types the value into a number box, or into the slider's editable readout; without a
    readout, moves the handle with the arrow keys. Waits until the field shows the value.
    """
    row = widget_by_label(page, label, within=within)
    row.locator("[role='slider'], input[type='number']").first.wait_for(timeout=TIMEOUT)
    number = row.locator("input[type='number']")
    if number.count():
        number.fill(str(value), timeout=TIMEOUT)
        number.blur()  # a number box sends its value when it is left
        _expect_value(number, str(value))
        return
    handle = row.locator("[role='slider']")
    handle.wait_for(timeout=TIMEOUT)
    readout = row.locator(".widget-readout")
    if readout.is_visible() and readout.get_attribute("contenteditable") == "true":
        readout.fill(str(value), timeout=TIMEOUT)
        readout.press("Enter")
    else:
        handle.focus()
        for _ in range(1000):
            now = float(handle.get_attribute("aria-valuenow") or "nan")
            if now == value:
                break
            handle.press("ArrowRight" if now < value else "ArrowLeft")
    _expect(handle, "to_have_attribute", "aria-valuenow", re.compile(rf"^{int(value)}(\.0+)?$"))


def click_button(page: Page, text: str, *, within: Locator | None = None) -> None:
    """Click the widget button labelled ``text``."""
    scope = within if within is not None else notebook(page)
    scope.locator("button.widget-button").filter(
        has_text=re.compile(rf"^\s*{re.escape(text)}\s*$")
    ).click(timeout=TIMEOUT)


def wait_for_text(
    page: Page, text: str, *, within: Locator | None = None, timeout: float = TIMEOUT
) -> Locator:
    """Wait until ``text`` is visible (in ``within`` or the notebook); return its element."""
    scope = within if within is not None else notebook(page)
    found = scope.get_by_text(text).first
    found.wait_for(timeout=timeout)
    return found


# For each chart candidate: whether it is in the page, drawn, and larger than a thumbnail.
_CHARTS_READY_JS = """(charts, old) => charts.map(e => {
    if (!e.isConnected || e === old) return false;
    if (e.tagName === 'IMG' && !(e.complete && e.naturalWidth > 0)) return false;
    const box = e.getBoundingClientRect();
    return box.width > 50 && box.height > 50;
})"""


def chart_drawn(
    page: Page,
    *,
    within: Locator | None = None,
    replacing: Any = None,
    timeout: float = KERNEL_TIMEOUT,
) -> Any:
    """Wait for a drawn chart in an output area; return it (an element handle).

    A chart is an ``svg`` or ``canvas`` (Altair's HTML renderer), or an ``img`` showing an
    SVG (JupyterLab shows ``image/svg+xml`` outputs, such as Altair's svg renderer, that way).

    Charts are redrawn after every save: an element found a moment ago may already be gone.
    So the check is made in one step in the page (in the DOM, loaded, larger than 50x50 px),
    and repeated until it holds. ``replacing`` is a chart returned before an action that
    redraws it (a save): then this waits until that one has left the page and a new one is
    drawn, instead of returning the old chart a moment before it is replaced.
    """
    scope = within if within is not None else notebook(page)
    charts = scope.locator(_CHART)
    deadline = time.monotonic() + timeout / 1000
    seen: list[bool] = []
    while True:
        if replacing is None or not replacing.evaluate("e => e.isConnected"):
            seen = charts.evaluate_all(_CHARTS_READY_JS, replacing)
            for index, ready in enumerate(seen):
                if ready:
                    handle = charts.nth(index).element_handle(timeout=TIMEOUT)
                    if handle.evaluate(f"e => ({_CHARTS_READY_JS})([e], null)[0]"):
                        return handle
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no chart drawn within {timeout / 1000:.0f} s "
                f"({len(seen)} candidates; replaced: {replacing is None or 'not yet'})"
            )
        page.wait_for_timeout(100)


def screenshot(page: Page, path: str | Path, *, within: Locator | None = None) -> Path:
    """Save a PNG of the page (or of ``within``, scrolled into view) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if within is not None:
        within.scroll_into_view_if_needed()
        within.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path))
    return path


def _expect_value(field: Locator, value: str) -> None:
    _expect(field, "to_have_value", value)


def _expect(locator: Locator, check: str, *args: Any) -> None:
    from playwright.sync_api import expect

    getattr(expect(locator), check)(*args, timeout=TIMEOUT)


# --- choices, accessibility and the keyboard ---------------------------------------------


def option_words(option: str) -> list[str]:
    """The texts a choice may show: as given, in the charts' words, with spaces for "_".

    Forms show a stored value in the words the charts use ("pending" is "Waiting",
    "childhood" is "Childhood"; ``trustlab.forms.label_of``), so a test may name a choice by
    the value it expects in the CSV file.
    """
    from trustlab.charts import LABELS

    words = [option, LABELS.get(option, option), option.replace("_", " ")]
    return list(dict.fromkeys(words))


def _option_text(select: Locator, option: str) -> str:
    """The text of the option of ``select`` that ``option`` names (see option_words), as the
    page has it (ipywidgets writes the spaces of a Dropdown's options as no-break spaces)."""
    select.locator("option").first.wait_for(state="attached", timeout=TIMEOUT)
    texts = select.locator("option").all_text_contents()
    plain = [" ".join(t.split()) for t in texts]
    found = next((w for w in option_words(option) if w in plain), None)
    if found is None:
        raise AssertionError(f"no option {option!r} (or {option_words(option)}) in {plain}")
    return texts[plain.index(found)]


def wait_until(
    page: Page, check: Any, *, what: str, timeout: float = TIMEOUT, interval: float = 100
) -> Any:
    """Call ``check()`` until it returns something true (returned); fail saying ``what``.

    For conditions outside the page (a file on disk): waits with Playwright's timer, so the
    page's events keep flowing meanwhile.
    """
    deadline = time.monotonic() + timeout / 1000
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout / 1000:.0f} s: {what}")
        page.wait_for_timeout(interval)


def axe_violations(page: Page, selector: str = ".jp-OutputArea-output") -> list[dict[str, Any]]:
    """axe-core's violations inside the elements matching ``selector``, every rule run.

    axe-core comes from the Python package axe-playwright-python (its axe.min.js), so
    nothing is fetched. Each violation: ``id``, ``impact``, ``help`` and ``targets`` (the
    CSS path and the start of the HTML of each element at fault).
    """
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError as error:
        raise AssertionError(
            "axe-core is needed: pip install axe-playwright-python (the test extra)"
        ) from error
    page.evaluate(Axe().axe_script)
    return page.evaluate(
        """async (selector) => {
            const result = await axe.run({include: [[selector]]}, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ') + '  ' + n.html.slice(0, 160)),
            }));
        }""",
        selector,
    )


_SNAPSHOT_LINE = re.compile(r'^- ([\w-]+)(?: "((?:[^"\\]|\\.)*)")?')


# The focused element. A date box is focused also while its calendar button (inside it) is.
_FOCUSED = ":is(:focus, input:focus-within)"


def focused_control(page: Page) -> tuple[str, str, str]:
    """The focused element: (its role, its accessible name, its tag), as a screen reader
    would find them (Playwright's ARIA snapshot)."""
    focused = page.locator(_FOCUSED)
    focused.wait_for(state="attached", timeout=TIMEOUT)
    line = focused.aria_snapshot(timeout=TIMEOUT).splitlines()[0]
    match = _SNAPSHOT_LINE.match(line)
    role, name = (match.group(1), match.group(2) or "") if match else ("", "")
    return role, name.replace('\\"', '"'), focused.evaluate("e => e.tagName.toLowerCase()")


def _type_date(page: Page, date: str) -> None:
    """Type ``date`` (YYYY-MM-DD) into the focused date box, its parts in the page's order."""
    year, month, day = date.split("-")
    order = page.evaluate(
        """() => new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2006, 0, 2))
            .map(p => p.type).filter(t => ['year', 'month', 'day'].includes(t))"""
    )
    for part in order:
        page.keyboard.type({"year": year, "month": month, "day": day}[part])


def _choose_by_arrows(page: Page, option: str) -> None:
    """Move the focused ``<select>`` to ``option`` with the arrow keys."""
    select = page.locator(_FOCUSED)
    texts = select.locator("option").all_text_contents()
    target = texts.index(_option_text(select, option))
    now = select.evaluate("e => e.selectedIndex")
    for _ in range(abs(target - now)):
        page.keyboard.press("ArrowDown" if target > now else "ArrowUp")
    chosen = select.evaluate("e => e.selectedIndex")
    if chosen != target:
        raise AssertionError(f"the arrow keys chose {texts[chosen]!r}, not {texts[target]!r}")


def fill_by_keyboard(
    page: Page,
    values: dict[str, Any],
    *,
    submit: str = "Save",
    within: Locator | None = None,
    max_steps: int = 60,
) -> list[str]:
    """Fill a form with the keyboard alone, from the focused control; press ``submit``.

    Moves with Tab from control to control. A control whose accessible name is in
    ``values`` gets its value: typed (text, numbers, a date written YYYY-MM-DD), chosen
    with the arrow keys (a dropdown; the option's text or stored value), set with Space
    (a checkbox: True or False) or pressed with Enter (a button: True). The others are
    passed. Ends by pressing Enter on the button named ``submit``.

    A date box takes two Tab presses (its date, then its calendar button); a control is
    given its value once. Fails if a control the focus reaches has no accessible name, if
    the focus leaves ``within``, or if a name in ``values`` was never reached. Returns the
    names reached, in order.
    """
    reached: list[str] = []
    for _ in range(max_steps):
        role, name, tag = focused_control(page)
        if within is not None and within.locator(_FOCUSED).count() == 0:
            raise AssertionError(f"the focus left the form at {role} {name!r}; reached {reached}")
        if not name.strip():
            raise AssertionError(f"the focus reached a {role or tag} with no accessible name; "
                                 f"reached {reached}")
        if role == "button" and name == submit:
            missing = [label for label in values if label not in reached]
            if missing:
                raise AssertionError(f"never reached {missing}; reached {reached}")
            page.keyboard.press("Enter")
            return [*reached, name]
        if name in values and name not in reached:
            value = values[name]
            kind = page.locator(_FOCUSED).evaluate("e => e.type || ''")
            if tag == "select":
                _choose_by_arrows(page, str(value))
            elif kind == "date":
                _type_date(page, str(value))
            elif role == "checkbox":
                checked = page.locator(_FOCUSED).is_checked()
                if checked != bool(value):
                    page.keyboard.press("Space")
            elif role == "button":
                if value:
                    page.keyboard.press("Enter")
            else:  # a text box, a text area, a name box or a number box: replace its text
                page.keyboard.press("Control+A")
                page.keyboard.type(str(value))
        if not reached or reached[-1] != name:
            reached.append(name)
        page.keyboard.press("Tab")
    raise AssertionError(f"no {submit!r} button within {max_steps} Tab presses: {reached}")
