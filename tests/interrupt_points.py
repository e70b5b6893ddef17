"""The command line, stopped at a chosen point so that a test can press Ctrl-C there.

    python tests/interrupt_points.py POINT COMMAND [ARGUMENT...]

At POINT it prints ``at POINT`` on stdout and sleeps; the caller sends SIGINT to its process
group, as a terminal does, and reads how the command ends. Nothing in the library is changed.

Points:
  loading   the command line's modules loading (an import in the middle of news_archive.cli's)
  counting  ingest on a terminal counting the files for its progress line, before it opens the archive
"""

from __future__ import annotations

import sys
import time

point, arguments = sys.argv[1], sys.argv[2:]


def stop() -> None:
    print(f"at {point}", flush=True)
    time.sleep(3600)  # interrupted here


class StopWhileLoading:
    """An import finder that finds nothing: it only stops when news_archive.cli imports matches."""

    def find_spec(self, name, path=None, target=None):
        if name == "news_archive.matches":
            sys.meta_path.remove(self)
            stop()
        return None


if point == "loading":
    sys.meta_path.insert(0, StopWhileLoading())
elif point == "counting":
    from news_archive import ingest

    ingest.count_candidates = lambda *args, **kwargs: stop()
else:
    sys.exit(f"unknown point {point!r}: loading or counting")

from news_archive.cli import main  # noqa: E402  (after the stop is set up: it may be in this import)

sys.argv = ["news-archive", *arguments]
main()
