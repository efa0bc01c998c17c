"""Keyboard shortcuts that cannot edit a notebook while a form has the focus.

JupyterLab's notebook shortcuts in command mode (``a``, ``b``, ``m``, ``d d``, ``z``,
the arrows …) fire whenever something inside the notebook has the focus and is not
a text field: a form's button, slider, toggle or list too. A person pressing a key
there inserted cells, turned headings into code and deleted cells.

:func:`stray_key_shortcuts` rewrites those shortcuts for JupyterLab's user settings
(``@jupyterlab/shortcuts-extension:shortcuts``): each default is disabled and added
again with a selector that leaves out anything inside a cell's output, where the
forms live. Outside the outputs every shortcut works as before; inside them the
keys reach the widget (an arrow moves a slider).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUTSIDE_OUTPUTS = ":not(.jp-OutputArea-output *)"
"""Appended to a ``:focus`` in a selector: the focused element is not inside an output."""

_SCOPES = (".jp-Notebook", "[data-jp-kernel-user]", "[data-jp-code-runner]")
"""Shortcuts whose selector names one of these act on the notebook (or its kernel)."""


def _schemas_dir() -> Path:
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir()) / "schemas"


def default_shortcuts(schemas: Path | None = None) -> list[dict[str, Any]]:
    """Every keyboard shortcut JupyterLab's installed extensions declare."""
    schemas = _schemas_dir() if schemas is None else schemas
    found = []
    for path in sorted(schemas.rglob("*.json")):
        try:
            schema = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(schema, dict):
            found += [s for s in schema.get("jupyter.lab.shortcuts", []) if isinstance(s, dict)]
    return found


def _reaches_widgets(shortcut: dict[str, Any]) -> bool:
    """Whether the shortcut can fire while a widget in an output has the focus."""
    keys = shortcut.get("keys") or []
    selector = shortcut.get("selector", "")
    if not keys or not any(k for k in keys) or "jp-mod-editMode" in selector:
        return False  # edit mode means a cell's editor has the focus, not a widget
    if not any(scope in selector for scope in _SCOPES):
        return False
    # Shortcuts with Ctrl, Alt or Cmd are deliberate; plain keys and Shift are what
    # a person presses while typing or moving through a form.
    return not any(mod in key for key in keys for mod in ("Accel", "Ctrl", "Alt", "Cmd"))


def _outside_outputs(selector: str) -> str:
    if ":focus" in selector:
        head, _, tail = selector.rpartition(":focus")
        return f"{head}:focus{OUTSIDE_OUTPUTS}{tail}"
    return f"{selector} :focus{OUTSIDE_OUTPUTS}"


def stray_key_shortcuts(schemas: Path | None = None) -> list[dict[str, Any]]:
    """User shortcut settings that keep notebook keys away from the forms.

    For each default notebook shortcut a key press inside a form could trigger, two
    entries: the default, disabled, and the same command and keys with a selector
    that excludes the inside of cell outputs.
    """
    entries = []
    for shortcut in default_shortcuts(schemas):
        if not _reaches_widgets(shortcut):
            continue
        base = {k: shortcut[k] for k in ("command", "keys", "selector") if k in shortcut}
        if "args" in shortcut:
            base["args"] = shortcut["args"]
        entries.append({**base, "disabled": True})
        entries.append({**base, "selector": _outside_outputs(shortcut["selector"])})
    return entries
