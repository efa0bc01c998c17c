"""The notebook page and what it draws from the journal.

A :class:`Page` redraws each of its parts once after any change; a :class:`Live`
output shows a chart or sentences drawn from the journal, a chart drawn so a screen
reader can name it (:func:`accessible`).
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..errors import JournalError
from .fields import _alert, _esc


class Page:
    """Everything one notebook page shows of a journal, drawn again after any change.

    Parts are anything with a ``refresh()`` method: live charts and sentences
    (:class:`Live`), lists of entries, forms (which offer the names now in the
    journal), checklists and panels. Forms, lists and panels given a page call
    :meth:`refresh` once after each save, correction, deletion or rename, and
    every part then redraws once. Parts are kept by ``key`` (one per notebook
    cell), so running a cell again replaces its parts instead of adding more.
    """

    def __init__(self) -> None:
        self._parts: dict[str, list[Any]] = {}
        self.refreshes = 0

    def add(self, key: str, *parts: Any) -> None:
        """Keep ``parts`` under ``key``, replacing what was kept there before."""
        self._parts[key] = list(parts)

    def parts(self, key: str | None = None) -> list[Any]:
        """The parts kept under ``key``, or every part, in the order they were added."""
        if key is not None:
            return list(self._parts.get(key, ()))
        return [part for group in self._parts.values() for part in group]

    @property
    def editable(self) -> bool:
        """Whether anything on the page can change the journal (a form, a list, a panel)."""
        return any(not isinstance(part, Live) for part in self.parts())

    def refresh(self, source: Any = None) -> None:
        """Redraw every part once (and ``source``, the part that changed the journal).

        A part that cannot read its table (a file broken outside trustlab since it was
        drawn) is left as it was, and the others still redraw; live outputs show what
        to fix instead.
        """
        parts = self.parts()
        if source is not None and all(part is not source for part in parts):
            parts.append(source)
        for part in parts:
            with contextlib.suppress(JournalError):
                part.refresh()
        self.refreshes += 1


class Live:
    """An output area showing something drawn from the journal, drawn again on refresh().

    ``make`` builds what to show from the journal as it is now: a chart (for example
    ``lambda: charts.marble_jars(journal)``) or an ``IPython.display.HTML``. Each
    of ``sources`` (forms) redraws it after a save; on a notebook page, the
    :class:`Page` redraws it instead. ``drawn`` is what was drawn last, and a
    journal that cannot be read is shown as what to fix, not a traceback. A chart
    is shown so that a screen reader can name it (:func:`accessible`). ``draws``
    counts the builds; ``shown`` counts what was sent to the page: a build that
    looks the same as what is on screen (a chart of a table the save did not
    touch) is not sent again, so JupyterLab does not draw it again.
    """

    def __init__(self, make: Callable[[], Any], *sources: Any):
        self.make = make
        self.output = widgets.Output()
        self.drawn: Any = None
        self.draws = 0
        self.shown = 0
        self._content: Any = None
        for source in sources:
            source.on_saved(lambda _entry: self.refresh())
        self.refresh()

    @property
    def chart(self) -> Any:
        """What was drawn last (for a live chart, the chart)."""
        return self.drawn

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.output)

    def refresh(self) -> None:
        from IPython.display import HTML, clear_output, display

        try:
            self.drawn = self.make()
        except JournalError as error:
            self.drawn = HTML(_alert(error, where=True))
        self.draws += 1
        shown = accessible(self.drawn)
        content = _content(shown)
        if content is not None and content == self._content:
            return  # the same as on screen (a save to another table): nothing to send or draw
        self._content = content
        self.shown += 1
        with self.output:
            clear_output(wait=True)
            display(shown)


LiveChart = Live
"""The name a live chart had first."""


def accessible(shown: Any) -> Any:
    """``shown``, or for a chart, the chart drawn so that a screen reader can name it.

    With :func:`trustlab.charts.enable_offline`'s default, a chart goes to JupyterLab
    as a Vega spec that JupyterLab draws itself, described by its title and subtitle
    (:func:`trustlab.charts.lab_bundle`): the kernel only compiles it, so a page
    redraws quickly. With the static ``"svg"`` renderer, JupyterLab would show the
    SVG as an ``<img>`` with no ``alt``; it is shown instead as an image whose ``alt``
    is the chart's title and subtitle. Either way the spec is not validated again:
    every chart trustlab builds is validated by its tests. Anything else (HTML, a
    chart for another renderer) is returned as it is.
    """
    import altair as alt

    if not isinstance(shown, alt.TopLevelMixin):
        return shown
    from ..charts import style

    if alt.renderers.active not in (style._LAB_RENDERER, "svg"):
        return shown
    spec = shown.to_dict(validate=False)
    if alt.renderers.active == style._LAB_RENDERER:
        return Drawn(*style.lab_bundle(spec))
    from IPython.display import HTML

    svg, words = style.svg_of(spec), style.chart_words(spec)
    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return HTML(f'<img alt="{_esc(words)}" src="data:image/svg+xml;base64,{source}">')


def _content(shown: Any) -> Any:
    """What ``shown`` looks like, to compare with what was shown before (None: unknown)."""
    from IPython.display import HTML

    if isinstance(shown, Drawn):
        return shown.data
    if isinstance(shown, HTML):
        return shown.data
    return None


class Drawn:
    """A mime bundle to display as it is (a chart compiled for JupyterLab to draw)."""

    def __init__(self, data: dict[str, Any], metadata: dict[str, Any]) -> None:
        self.data = data
        self.metadata = metadata

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        return self.data, self.metadata
