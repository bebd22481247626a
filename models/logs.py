"""Logging setup: plain or JSON lines, with every ID, account and phone number masked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from models.protection import mask_text

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName"}
)
_MASKED_FLAG = "_ansinh_masked"
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and k != _MASKED_FLAG}


def _mask_value(value: Any) -> Any:
    """Strings and long integers masked; other values left as they are."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**8:
        return mask_text(str(value))
    return value


class MaskingFilter(logging.Filter):
    """Masks numbers in the message, its arguments, extra fields and tracebacks of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _MASKED_FLAG, False):
            return True
        try:
            record.msg = mask_text(record.getMessage())
            record.args = None
        except (TypeError, ValueError):
            # A broken format: mask the pieces and let the handler report the error.
            record.msg = mask_text(str(record.msg))
            record.args = _mask_args(record.args)
        for name, value in _extras(record).items():
            setattr(record, name, _mask_value(value))
        _mask_traceback(record)
        setattr(record, _MASKED_FLAG, True)
        return True


def _mask_args(args: Any) -> Any:
    if isinstance(args, dict):
        return {key: _mask_value(value) for key, value in args.items()}
    if isinstance(args, tuple):
        return tuple(_mask_value(value) for value in args)
    return args


def _mask_traceback(record: logging.LogRecord) -> None:
    """Render the traceback now, masked, so formatters print the masked text."""
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extras(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(*, json_format: bool, level: str) -> None:
    """Log to stderr in text or JSON lines at `level`, masking on every root handler."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    for handler in list(root.handlers):
        if getattr(handler, "_ansinh", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_format else logging.Formatter(_TEXT_FORMAT))
    handler._ansinh = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    for each in root.handlers:
        if not any(isinstance(f, MaskingFilter) for f in each.filters):
            each.addFilter(MaskingFilter())
