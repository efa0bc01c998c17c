"""Run the notebooks (pytest --nbval-lax) against a temporary copy of the sample journal.

nbval starts its kernels from this process's environment, so TRUSTLAB_JOURNAL is
set here, at import, before any kernel starts: no notebook run by the tests can
touch data/sample/ or a person's real journal.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
_TMP = Path(tempfile.mkdtemp(prefix="trustlab-nbval-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_JOURNAL = _TMP / "journal"
shutil.copytree(_SAMPLE, _JOURNAL)
os.environ["TRUSTLAB_JOURNAL"] = str(_JOURNAL)
