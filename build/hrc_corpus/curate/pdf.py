"""Text from a PDF source, by a documented and deterministic extraction (docs/curating.md, "PDF sources").

pypdf (pinned in requirements.lock) extracts each page's text layer in its plain mode; pages
are joined by a blank line and the result ends with one line end. The same PDF and the same
pypdf version give the same text, byte for byte; the version is recorded in statement.yaml,
and source.md keeps the text as extracted, so a later pypdf never changes a curated statement.
A PDF without a text layer (a scan) is refused: this project does no OCR.
"""

from __future__ import annotations

import io

MAGIC = b"%PDF-"


class PdfError(Exception):
    """A PDF whose text cannot be extracted."""


def is_pdf(data: bytes) -> bool:
    """Whether the bytes are a PDF file (by its header)."""
    return data.startswith(MAGIC)


def conversion() -> str:
    """How source.md is derived from a PDF, as recorded in statement.yaml."""
    import pypdf

    return (f"pypdf {pypdf.__version__}: PdfReader(...).pages[i].extract_text(extraction_mode='plain') for every page, "
            "joined by a blank line, one final line end (hrc-corpus new)")


def extract(data: bytes) -> str:
    """The text layer of a PDF, page by page (PdfError when there is none)."""
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfError("the PDF is encrypted; ask for an unprotected copy")
        pages = [page.extract_text(extraction_mode="plain") or "" for page in reader.pages]
    except PdfError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a damaged file
        raise PdfError(f"pypdf cannot read the PDF ({type(exc).__name__}: {exc})") from None
    text = "\n\n".join(page.strip("\n") for page in pages).strip("\n")
    if not text.strip():
        raise PdfError("the PDF has no text layer (a scan?); this project does no OCR: ask for a text version")
    return text + "\n"
