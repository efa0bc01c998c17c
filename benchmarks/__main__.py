"""``python -m benchmarks``: run every benchmark and print one Markdown table."""

import sys

from .bench_journal import main

sys.exit(main())
