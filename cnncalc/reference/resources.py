"""What a run costs the machine, as the operating system reports it."""

from __future__ import annotations

import sys


def peak_rss_bytes() -> int | None:
    """This process's peak resident memory (None where the OS does not say). Linux's VmHWM first:
    getrusage's figure survives exec, so it would include a parent's memory."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # pragma: no cover  (Windows)
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB, macOS bytes
