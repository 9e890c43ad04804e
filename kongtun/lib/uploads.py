"""Evidence files people upload (voucher attachments, claim documents): what is accepted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# Judged by the first bytes, never by the name: a renamed program is not a picture.
_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
}


def evidence_type(data: bytes) -> str:
    """The content type of a PDF, JPEG or PNG of at most 10 MB; otherwise a ValidationError
    on the form's "file" field saying why."""
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": [_("The file is larger than 10 MB.")]})
    for magic, content_type in _MAGIC.items():
        if data.startswith(magic):
            return content_type
    raise ValidationError({"file": [_("Only PDF, JPEG or PNG files can be attached.")]})
