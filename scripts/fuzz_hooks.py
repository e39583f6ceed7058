"""Schemathesis hooks for scripts/fuzz-api.sh: the photo and roster uploads
take raw bytes (a JPEG, a workbook), sent as generated as the body, so that
those operations are fuzzed too (a random body must be refused with a 4xx)."""

import schemathesis
from schemathesis.serializers import OctetStreamSerializer

for media_type in (
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
):
    schemathesis.serializer(media_type)(OctetStreamSerializer)
