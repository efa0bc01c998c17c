"""trustlab's shortcut settings: notebook keys stay out of the forms, and only there."""

from __future__ import annotations

import json

from trustlab import lab
from trustlab.shortcuts import OUTSIDE_OUTPUTS, default_shortcuts, stray_key_shortcuts


def _key(entry):
    return entry["command"], tuple(entry["keys"]), entry["selector"]


def test_each_plain_notebook_key_is_disabled_and_added_back_outside_the_outputs():
    entries = stray_key_shortcuts()
    disabled = {_key(e) for e in entries if e.get("disabled")}
    added = [e for e in entries if not e.get("disabled")]
    defaults = {_key(s) for s in default_shortcuts() if s.get("keys")}
    assert disabled <= defaults  # only real defaults are switched off
    for command, keys in [("notebook:insert-cell-below", ("B",)),
                          ("notebook:change-cell-to-markdown", ("M",)),
                          ("notebook:delete-cell", ("D", "D")),
                          ("notebook:move-cursor-down", ("ArrowDown",)),
                          ("kernelmenu:restart", ("0", "0"))]:
        assert any(c == command and k == keys for c, k, _ in disabled), command
        assert any(e["command"] == command and tuple(e["keys"]) == keys
                   and OUTSIDE_OUTPUTS in e["selector"] for e in added), command
    assert len(added) == len(disabled)


def test_shortcuts_with_ctrl_or_in_edit_mode_are_left_alone():
    for entry in stray_key_shortcuts():
        assert not any(m in k for k in entry["keys"] for m in ("Accel", "Ctrl", "Alt"))
        assert "jp-mod-editMode" not in entry["selector"]


def test_a_persons_own_shortcuts_are_kept(tmp_path):
    plugin = tmp_path / "@jupyterlab" / "shortcuts-extension"
    plugin.mkdir(parents=True, mode=0o700)
    (tmp_path / "@jupyterlab").chmod(0o700)
    mine = {"command": "notebook:run-all-cells", "keys": ["Ctrl Shift R"], "selector": "body"}
    stale = {"command": "notebook:insert-cell-below", "keys": ["B"],
             "selector": f".old :focus{OUTSIDE_OUTPUTS}"}
    (plugin / "shortcuts.jupyterlab-settings").write_text(json.dumps({"shortcuts": [mine, stale]}))
    lab.write_lab_settings(tmp_path)
    written = json.loads((plugin / "shortcuts.jupyterlab-settings").read_text())["shortcuts"]
    assert written[0] == mine
    assert stale not in written
    assert written[1:] == stray_key_shortcuts()
    lab.write_lab_settings(tmp_path)  # again: nothing doubles
    again = json.loads((plugin / "shortcuts.jupyterlab-settings").read_text())["shortcuts"]
    assert again == written
