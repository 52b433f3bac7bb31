"""Broken and hostile files, made byte by byte: zip bombs, sheets of a million rows, files that
only pretend to be workbooks."""

import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip entry that holds a sheet's XML, found as a reader finds it (workbook → rels)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    workbook = z.read("xl/workbook.xml").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', workbook)
    assert rid is not None, sheet
    rels = z.read("xl/_rels/workbook.xml.rels").decode()
    target = re.search(rf'Target="([^"]+)" Id="{rid[1]}"', rels)
    assert target is not None
    return target[1].lstrip("/")


def rewrite(data: bytes, part: str, chunks: Iterable[bytes]) -> bytes:
    """The same zip with one entry's content streamed from `chunks` (never all in memory)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for entry in src.infolist():
            if entry.filename != part:
                z.writestr(entry.filename, src.read(entry.filename))
                continue
            with z.open(part, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return out.getvalue()


def inflating_sheet(data: bytes, sheet: str, inflated_bytes: int) -> bytes:
    """A zip bomb: the sheet's XML padded with blanks (valid XML) to `inflated_bytes`; it
    compresses about a thousandfold."""
    part = sheet_part(data, sheet)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part)
    head, tail = xml.rsplit(b"</worksheet>", 1)

    def chunks() -> Iterable[bytes]:
        yield head
        block = b" " * (1 << 20)
        for _ in range(inflated_bytes // len(block) + 1):
            yield block
        yield b"</worksheet>" + tail

    return rewrite(data, part, chunks())


def extra_rows(data: bytes, sheet: str, rows: Iterable[str], dimension: str | None = None) -> bytes:
    """Rows appended to a sheet's XML (after the ones it has), optionally with a new declared
    `<dimension>`."""
    part = sheet_part(data, sheet)
    xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
    if dimension is not None:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
    head, tail = xml.split("</sheetData>", 1)

    def chunks() -> Iterable[bytes]:
        yield head.encode()
        batch: list[str] = []
        for row in rows:
            batch.append(row)
            if len(batch) == 10_000:
                yield "".join(batch).encode()
                batch = []
        yield ("".join(batch) + "</sheetData>" + tail).encode()

    return rewrite(data, part, chunks())


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in entries.items():
            z.writestr(name, content)
    return out.getvalue()


def random_bytes(n: int = 4096) -> bytes:
    return random.Random(7).randbytes(n)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + random_bytes(200)
CSV = "Τίτλος ενέργειας;Είδος;Λήξη\nΝέα ενέργεια;Δράση;31/12/2027\n".encode()
XLS = OLE_MAGIC + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 490 + b"Workbook" * 8
ENCRYPTED = (
    OLE_MAGIC
    + b"\x00" * 504
    + "EncryptionInfo".encode("utf-16-le")
    + "EncryptedPackage".encode("utf-16-le")
)
DOCX = zip_of(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document/>',
    }
)


def understated(data: bytes, part: str, size: int = 100) -> bytes:
    """The zip with one entry's declared uncompressed size (and CRC, to match) faked down to
    `size`, in both the local header and the central directory."""
    z = zipfile.ZipFile(io.BytesIO(data))
    info = z.getinfo(part)
    crc = zlib.crc32(z.read(part)[:size])
    buf = bytearray(data)
    local = info.header_offset
    assert buf[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<II", buf, local + 14, crc, info.compress_size)
    struct.pack_into("<I", buf, local + 22, size)
    name = part.encode()
    pos = buf.find(b"PK\x01\x02")
    while bytes(buf[pos + 46 : pos + 46 + len(name)]) != name:
        pos = buf.find(b"PK\x01\x02", pos + 4)
        assert pos > 0, part
    struct.pack_into("<I", buf, pos + 16, crc)
    struct.pack_into("<I", buf, pos + 24, size)
    return bytes(buf)
