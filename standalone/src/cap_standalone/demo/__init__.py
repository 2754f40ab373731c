"""A realistic demo network loaded into a running platform through its public API (``make demo``).

:mod:`~cap_standalone.demo.network` holds the data (a Coorace region, its structures and
people), :mod:`~cap_standalone.demo.loader` the run, its steps the API calls
(:mod:`~cap_standalone.demo.steps`, one module per kind of thing loaded, through
:mod:`~cap_standalone.demo.client`), and ``__main__`` the ``cap-demo`` command (progress bar,
then where to sign in and what to look at).
"""

from __future__ import annotations

from cap_standalone.demo.client import DemoError, PlatformUnreachable
from cap_standalone.demo.loader import DemoResult, load_demo

__all__ = ["DemoError", "DemoResult", "PlatformUnreachable", "load_demo"]
