"""Uploaded documents (plan attachments, spending-plan minutes): their real type is read from the first bytes, never
from the name (a renamed .exe is not a PDF), and every download names its file by that type."""

from django.http import FileResponse

from xiji_afterschool.errors import DomainError

# First bytes -> content type, and content type -> the extension a download carries.
SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
CONTENT_TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}
OCTET_STREAM = "application/octet-stream"


def sniff(upload, *, max_bytes: int, too_large: str, empty: str, wrong_type: str) -> str:
    """The upload's content type (PDF, PNG or JPEG) from its first bytes; raises DomainError with the caller's
    message when it is larger than `max_bytes`, empty, or of another type. The upload is rewound."""
    if upload.size > max_bytes:
        raise DomainError(too_large)
    if upload.size == 0:
        raise DomainError(empty)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    raise DomainError(wrong_type)


def extension_of(content_type: str) -> str:
    return EXTENSIONS[content_type]


def content_type_of(filename: str) -> str:
    """The content type a stored file is served with, from the extension it was saved under."""
    return CONTENT_TYPES.get(filename.rsplit(".", 1)[-1].lower(), OCTET_STREAM)


def photo_response(file, *, content_type: str = "") -> FileResponse:
    """A stored photo (a listed adult's, a rectification's) shown inline to the one viewer the view has checked:
    never cached by a shared proxy, never sniffed into another type by the browser."""
    response = FileResponse(file.open("rb"), content_type=content_type or content_type_of(file.name))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
