"""A photo's GPS location never leaves in a copy sent outside (issue 14.2): the images the
documents (evidence report, notices) embed are re-encoded by the safe decoder, without EXIF."""

from __future__ import annotations

import io
from types import SimpleNamespace

from PIL import Image

from rempart.media.image_metadata import read_metadata
from rempart.services import documents
from rempart.services.cases import EvidenceReceipt
from tests.evidence_samples import jpeg_with_gps


def test_a_jpeg_with_gps_yields_a_report_image_without_it():
    original = jpeg_with_gps()
    assert read_metadata(original).location is not None
    store = SimpleNamespace(open=lambda case_id, item_id: iter([original]))
    receipt = EvidenceReceipt.__new__(EvidenceReceipt)
    object.__setattr__(receipt, "item_id", "item")
    object.__setattr__(receipt, "media_type", "image/jpeg")
    object.__setattr__(receipt, "size", len(original))
    embedded = documents._thumbnail(SimpleNamespace(store=store), "case", receipt)
    assert embedded is not None
    image = Image.open(io.BytesIO(embedded))
    assert image.format == "PNG"
    assert not image.getexif() and "exif" not in image.info
    assert read_metadata(embedded).location is None and read_metadata(embedded).device is None
