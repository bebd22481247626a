"""Files in and out of the admin routes: uploads read within a limit, files sent as downloads."""

from __future__ import annotations

from typing import Any

from fastapi import UploadFile
from fastapi.responses import Response

from models.errors import TooLarge
from models.sheets import CSV_TYPE, XLSX_TYPE, ExportFile

MAX_UPLOAD = 20 * 1024 * 1024
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file.", "content": {CSV_TYPE: {}, XLSX_TYPE: {}}}
}


async def read_upload(file: UploadFile) -> bytes:
    """The uploaded bytes; 413 beyond MAX_UPLOAD."""
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise TooLarge("admin.import.too_large", max_mb=MAX_UPLOAD // (1024 * 1024))
    return data


def download(exported: ExportFile) -> Response:
    """A file the browser saves under its name."""
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(
        exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": disposition},
    )
