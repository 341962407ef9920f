"""pyqdpx, a REFI-QDA reader written independently of the archive, for reading exports back.

pyqdpx 0.1.8 has one line (a debugging __str__) that only Python 3.12 parses: an f-string
nesting its own quotes. The module is loaded here from its installed source with that line
written the 3.11 way; nothing else of it changes.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

_NESTED = '{(f": {sel.description}") if sel.description else ""}'
_PLAIN = "{(': ' + sel.description) if sel.description else ''}"


def pyqdpx() -> types.ModuleType:
    """The pyqdpx module (`pyqdpx.QDPX(path).get_project()` reads a .qdpx)."""
    if "tests._pyqdpx" in sys.modules:
        return sys.modules["tests._pyqdpx"]
    spec = importlib.util.find_spec("pyqdpx")
    assert spec is not None, "Install the dev extra: pip install -e '.[dev]' (it brings pyqdpx)."
    source = (Path(next(iter(spec.submodule_search_locations))) / "pyqdpx.py").read_text()
    assert _NESTED in source or sys.version_info >= (3, 12), "pyqdpx changed: check this loader"
    module = types.ModuleType("tests._pyqdpx")
    module.__file__ = spec.origin
    sys.modules[module.__name__] = module
    code = compile(source.replace(_NESTED, _PLAIN), str(spec.origin), "exec")
    exec(code, module.__dict__)  # noqa: S102 (the installed package's own source)
    return module
