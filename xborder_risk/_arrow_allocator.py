"""Put pyarrow on the C library's allocator in the command-line program (imported for effect).

pandas 3 keeps strings in Arrow arrays, and pyarrow's default allocator (mimalloc) reserves
1 GiB of address space at its first allocation. Under an address-space limit (``ulimit -v``,
RLIMIT_AS, as on many shared and HPC machines) that reservation counts in full, so a quote
under a 2 GiB limit could simulate about half the years it otherwise could
(``tests/engine/test_memory_guard.py``). The CLI's Arrow work is a few small string columns;
the system allocator costs it nothing. pyarrow reads ``ARROW_DEFAULT_MEMORY_POOL`` when it is
first imported, and ``pyarrow.set_memory_pool`` afterwards does not reach the compute kernels'
default context, so this module must be imported before pandas is: ``xborder_risk.cli``
imports it first. A user's own ``ARROW_DEFAULT_MEMORY_POOL`` is left alone. The library
itself changes nothing: its memory guard reads the address space actually left.
"""

from __future__ import annotations

import os

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
