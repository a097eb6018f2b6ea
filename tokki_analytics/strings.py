"""Text columns as Python strings: the storage of every frame tokki builds.

pandas 3 keeps ``str`` columns in Arrow when pyarrow is installed (it comes with the
``spark`` extra), else as Python strings. tokki's text columns are mostly few values
repeated (paths, codes, marks): Arrow stores each row's bytes, Python strings a pointer to
one shared object (a ``_source`` path: about 74 bytes a row against 8). So the functions
that build frames (the masters, a batch of shards, its views) run under
:func:`python_strings`, whatever is installed: the same dtypes on every machine and engine,
and at 300 contractors (2 M access-log rows) a third less memory (docs/DECISIONS.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pandas as pd

#: pandas' string storage of tokki's frames.
STRING_STORAGE = "python"


@contextlib.contextmanager
def python_strings() -> Iterator[None]:
    """New ``str`` columns inside the block are Python strings (the option restored after).

    Usable as a decorator: ``@python_strings()``.
    """
    with pd.option_context("mode.string_storage", STRING_STORAGE):
        yield
