"""Random bytes from the operating system, read 64 KiB at a time.

`os.urandom` is one system call per use, and on this service's machines a system call costs
several microseconds: an import of 100,000 rows asked for a nonce per encrypted value and
a confirmation code per choice, a third of its Python time. The bytes here are the kernel's
own (the same CSPRNG, only read in larger pieces) and each is handed out once; a forked child
starts with an empty buffer, so a parent and its child never hand out the same bytes (AES-GCM
nonces must never repeat under one key).
"""

from __future__ import annotations

import os
import threading

_READ = 64 * 1024


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._at = 0

    def take(self, size: int) -> bytes:
        with self._lock:
            if self._at + size > len(self._buffer):
                self._buffer = os.urandom(max(_READ, size))
                self._at = 0
            start = self._at
            self._at += size
            return self._buffer[start : self._at]

    def forget(self) -> None:
        """In a forked child: nothing the parent held (nor its lock's state) is kept."""
        self._lock = threading.Lock()
        self._buffer = b""
        self._at = 0


_pool = _Pool()
os.register_at_fork(after_in_child=_pool.forget)


def random_bytes(size: int) -> bytes:
    """`size` bytes from the operating system's CSPRNG, never handed out twice."""
    return _pool.take(size)
