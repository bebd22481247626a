"""Random bytes read in bulk are still handed out once, across refills and forks."""

from __future__ import annotations

import os

from models.payments.service import confirmation_code
from models.protection import DataProtector
from models.randomness import random_bytes


def test_bytes_are_never_handed_out_twice_across_refills() -> None:
    nonces = [random_bytes(12) for _ in range(20_000)]  # several 64 KiB reads
    assert len(set(nonces)) == len(nonces)
    assert all(len(nonce) == 12 for nonce in nonces)
    assert len(random_bytes(100_000)) == 100_000  # larger than one read


def test_a_forked_child_does_not_reuse_the_parents_bytes() -> None:
    random_bytes(1)  # the parent holds a buffer
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        os.write(writer, random_bytes(32))
        os._exit(0)
    os.close(writer)
    from_child = os.read(reader, 32)
    os.close(reader)
    os.waitpid(child, 0)
    assert from_child != random_bytes(32)


def test_nonces_and_codes_come_from_it() -> None:
    protector = DataProtector("a-test-key-0123456789abcdef0123456789")
    blobs = {protector.encrypt("001203004567") for _ in range(1_000)}
    assert len(blobs) == 1_000
    assert all(protector.decrypt(blob) == "001203004567" for blob in blobs)
    codes = {confirmation_code() for _ in range(1_000)}
    assert len(codes) > 990 and all(len(code) == 6 for code in codes)
