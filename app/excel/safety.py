"""Checks an upload must pass before any spreadsheet parser sees it.

A 2.8 MB xlsx can inflate to 1 GB, and calamine aborts the whole process on it; so the zip is
checked first (signature, entries, the real inflated size by streaming with a byte cap), and
the parse itself runs in a child process with a memory limit (see `sandbox`).
"""

import io
import zipfile

from app.core.config import get_settings
from app.core.errors import ContentTooLarge, InvalidInput, UnsupportedMedia

MAX_ENTRIES = 1000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an xlsx protected by a password


def check_xlsx(data: bytes) -> None:
    s = get_settings()
    if len(data) > s.max_upload_bytes:
        raise ContentTooLarge(f"το αρχείο είναι μεγαλύτερο από {s.max_upload_bytes // 1024} KB")
    if not data:
        raise InvalidInput("το αρχείο είναι κενό")
    if data.startswith(OLE_MAGIC):
        raise UnsupportedMedia(
            "αυτό είναι παλιό αρχείο .xls ή αρχείο με κωδικό: αποθηκεύστε το "
            "ως «Βιβλίο εργασίας του Excel (.xlsx)» χωρίς κωδικό"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise UnsupportedMedia("το αρχείο δεν είναι βιβλίο εργασίας Excel (.xlsx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnsupportedMedia("το αρχείο είναι κατεστραμμένο: δεν ανοίγει ως .xlsx") from None
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(
            f"το αρχείο έχει {len(entries)} εσωτερικά μέρη: δεν είναι κανονικό .xlsx"
        )
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise UnsupportedMedia("το αρχείο δεν είναι βιβλίο εργασίας Excel (.xlsx)")
    inflated = 0
    try:
        for entry in entries:
            if entry.flag_bits & 0x1:
                raise UnsupportedMedia("το αρχείο έχει κωδικό: αποθηκεύστε το χωρίς κωδικό")
            with archive.open(entry) as stream:
                while chunk := stream.read(1 << 16):
                    inflated += len(chunk)
                    if inflated > s.max_inflated_bytes:
                        raise ContentTooLarge(
                            "το αρχείο αποσυμπιέζεται σε πάρα πολλά δεδομένα "
                            f"(πάνω από {s.max_inflated_bytes // (1024 * 1024)} MB): δεν διαβάζεται"
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError):
        raise UnsupportedMedia("το αρχείο είναι κατεστραμμένο: δεν ανοίγει ως .xlsx") from None
