"""Switches on dlbook's offline guard in every Python process started by `make test` and `make book`.

The Makefile and tests/conftest.py put this folder on PYTHONPATH with DLBOOK_OFFLINE=1, so notebook
kernels, pytest workers and their subprocesses all refuse to reach any host but this machine. The guard
itself is lib/dlbook/offline.py (standard library only); it is loaded by path so that starting a process
does not import dlbook and its dependencies.
"""

import os

if os.environ.get("DLBOOK_OFFLINE") == "1":
    import importlib.util
    import sys

    _path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir, "lib", "dlbook", "offline.py")
    _spec = importlib.util.spec_from_file_location("dlbook.offline", os.path.normpath(_path))
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["dlbook.offline"] = _module
    _spec.loader.exec_module(_module)
    _module.install()
