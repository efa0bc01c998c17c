"""``python -m benchmarks`` (``make bench``): run every benchmark, print one Markdown table,
and write it into README.md between its ``<!-- bench:start -->`` and ``<!-- bench:end -->``."""

import sys

from .suite import main

sys.exit(main())
