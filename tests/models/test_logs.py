"""No ID, account or phone number reaches a log line, in text or JSON."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from models.logs import MaskingFilter, configure_logging

CCCD = "020190012345"
PHONE = "0912 345 678"


class ListHandler(logging.Handler):
    """Keeps the formatted lines."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def lines() -> Iterator[list[str]]:
    handler = ListHandler()
    handler.setFormatter(logging.Formatter("%(message)s %(note)s"))
    handler.addFilter(MaskingFilter())
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler.lines
    logger.removeHandler(handler)


@pytest.fixture
def restore_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    filters = {h: list(h.filters) for h in handlers}
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler, kept in filters.items():
        handler.filters = kept
    root.setLevel(level)


def test_message_and_args_are_masked(lines: list[str]) -> None:
    log = logging.getLogger("tests.masking")
    log.info("cccd %s phone %s", CCCD, PHONE, extra={"note": "-"})
    log.info("direct %s in text", f"+84 912 345 678 and {CCCD}", extra={"note": "-"})
    log.info("dict %(who)s", {"who": CCCD}, extra={"note": "-"})
    log.info("number %d", 20190012345, extra={"note": "-"})
    assert lines == [
        "cccd 020******345 phone 091****678 -",
        "direct 091****678 and 020******345 in text -",
        "dict 020******345 -",
        "number *******2345 -",  # an int loses the leading 0: masked as an account
    ]


def test_extra_fields_are_masked(lines: list[str]) -> None:
    logging.getLogger("tests.masking").warning("saved", extra={"note": f"tk {CCCD}"})
    assert lines == ["saved tk 020******345"]


def test_tracebacks_are_masked(lines: list[str]) -> None:
    log = logging.getLogger("tests.masking")
    try:
        int(f"x{CCCD}")
    except ValueError:
        log.exception("failed", extra={"note": "-"})
    assert "020******345" in lines[0]
    assert CCCD not in lines[0]


def test_broken_format_does_not_escape_the_filter(lines: list[str]) -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d %d", (CCCD,), None)
    assert MaskingFilter().filter(record)
    assert record.args == ("020******345",)


def test_masking_twice_changes_nothing() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (CCCD,), None)
    masking = MaskingFilter()
    masking.filter(record)
    masking.filter(record)
    assert record.getMessage() == "id 020******345"


def test_json_lines(restore_root: logging.Logger, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json_format=True, level="debug")
    logging.getLogger("ansinh.test").debug(
        "sent to %s", PHONE, extra={"outbox_id": 7, "account": "1903 1234 5678 90"}
    )
    entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert entry["level"] == "DEBUG"
    assert entry["logger"] == "ansinh.test"
    assert entry["message"] == "sent to 091****678"
    assert entry["outbox_id"] == 7
    assert entry["account"] == "**********7890"
    assert entry["ts"].endswith("+00:00")
    assert restore_root.level == logging.DEBUG


def test_text_lines_and_every_root_handler(
    restore_root: logging.Logger,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure_logging(json_format=False, level="INFO")
    configure_logging(json_format=False, level="INFO")  # a second call replaces, not adds
    logging.getLogger("ansinh.test").info("person %s", CCCD)
    logging.getLogger("ansinh.test").debug("hidden %s", CCCD)
    err = capsys.readouterr().err
    assert err.count("INFO ansinh.test: person 020******345") == 1
    assert "hidden" not in err
    assert CCCD not in err
    assert [r.getMessage() for r in caplog.records] == ["person 020******345"]
