"""The notebook page and what it draws from the journal.

A :class:`Page` redraws each of its parts once after any change; a :class:`Live`
output shows a chart or sentences drawn from the journal, a chart drawn as SVG
with its title as alternative text (:func:`accessible`).
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
    drawn as SVG is shown as an image whose alternative text is its title
    (:func:`accessible`).
    """

    def __init__(self, make: Callable[[], Any], *sources: Any):
        self.make = make
        self.output = widgets.Output()
        self.drawn: Any = None
        self.draws = 0
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
        with self.output:
            clear_output(wait=True)
            display(accessible(self.drawn))


LiveChart = Live
"""The name a live chart had first."""


def accessible(shown: Any) -> Any:
    """``shown``, or for a chart drawn as SVG, an image with its title as alternative text.

    JupyterLab shows an SVG output (Altair's offline renderer) as an ``<img>`` with no
    ``alt``, so a screen reader announces an unnamed image. The same SVG in an ``<img>``
    whose ``alt`` is the chart's title and subtitle says what the chart shows.
    Anything else (HTML, an interactive chart) is returned as it is.
    """
    bundle = getattr(shown, "_repr_mimebundle_", None)
    if bundle is None or not hasattr(shown, "title"):
        return shown
    import altair as alt

    if isinstance(shown, alt.TopLevelMixin) and alt.renderers.active == "svg":
        from ..charts import to_svg

        svg = to_svg(shown, validate=False)  # (built by trustlab: its specs are tested)
    else:
        data = bundle()
        data = data[0] if isinstance(data, tuple) else data
        svg = data.get("image/svg+xml") if isinstance(data, dict) else None
    if not isinstance(svg, str):
        return shown
    from IPython.display import HTML

    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return HTML(f'<img alt="{_esc(_chart_words(shown))}" src="data:image/svg+xml;base64,{source}">')


def _chart_words(chart: Any) -> str:
    """A chart's title and subtitle as sentences ("A chart." without a title)."""
    title = chart.title
    text = getattr(title, "text", title)
    subtitle = getattr(title, "subtitle", None)
    parts = []
    for part in (text, subtitle):
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, list | tuple):
            parts.append(" ".join(str(line) for line in part))
    words = " ".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip())
    return f"Chart: {words}" if words else "A chart."
