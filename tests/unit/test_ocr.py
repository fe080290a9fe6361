"""OCR of rendered French chat screenshots (Tesseract, fra+eng): text, boxes, conversation."""

from __future__ import annotations

import difflib
import io

import pytest
from PIL import Image

from rempart.media import ocr
from tests.chat_screens import FRENCH_CHAT, render_chat


def _accuracy(expected: str, got: str) -> float:
    return difflib.SequenceMatcher(None, expected, got).ratio()


@pytest.fixture(scope="module")
def light() -> ocr.OcrResult:
    return ocr.read_image(render_chat(FRENCH_CHAT))


def test_it_reads_the_french_text_of_a_chat_screenshot(light):
    expected = " ".join(text for _, text, _ in FRENCH_CHAT)
    got = " ".join(bubble.text for bubble in light.conversation)
    assert _accuracy(expected, got) > 0.95
    assert light.language == "fr"
    assert light.confidence > 70
    assert "@lea_moqueries" in light.text


def test_it_reads_the_bubbles_sides_and_times(light):
    assert [b.side for b in light.conversation] == [side for side, _, _ in FRENCH_CHAT]
    assert [b.time for b in light.conversation] == [time for _, _, time in FRENCH_CHAT]


def test_word_boxes_are_in_the_original_images_pixels(light):
    image = Image.open(io.BytesIO(render_chat(FRENCH_CHAT)))
    assert (light.width, light.height) == image.size
    word = next(w for w in light.words if w.text.startswith("Salut"))
    assert 30 < word.left < 120 and word.top < 200 and 0 < word.confidence <= 100
    assert all(w.left + w.width <= image.width for w in light.words)


def test_it_reads_a_dark_mode_screenshot():
    result = ocr.read_image(render_chat(FRENCH_CHAT[:2], dark=True))
    assert [b.side for b in result.conversation] == ["left", "right"]
    assert "posté sur toi" in result.conversation[0].text


def test_a_document_that_is_not_a_chat_has_no_conversation():
    image = Image.new("RGB", (1200, 300), "white")
    from PIL import ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    ImageDraw.Draw(image).text((80, 120), "Convocation au commissariat le 3 mars", font=font,
                               fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    result = ocr.read_image(out.getvalue())
    assert "commissariat" in result.text and result.conversation == []


def test_it_refuses_bytes_that_are_not_an_image():
    with pytest.raises(ocr.OcrFailed):
        ocr.read_image(b"not an image at all")


def test_the_result_survives_its_json_round_trip(light):
    assert ocr.OcrResult.from_dict(light.as_dict()) == light


def test_it_suggests_dates_handles_and_links_but_not_other_words():
    found = ocr.suggest_facts("Le 12/03/2026 @lea_moqueries a posté https://ex.example/p/1. "
                              "Puis le 3 avril 2026, mail a@b.fr")
    assert found["dates"] == ["12/03/2026", "3 avril 2026"]
    assert found["handles"] == ["@lea_moqueries"]
    assert found["urls"] == ["https://ex.example/p/1"]


@pytest.mark.parametrize(("text", "language"), [
    ("je ne sais pas ce que tu veux dire avec ça", "fr"),
    ("I do not know what you mean with that", "en"),
    ("14:02", "und"),
])
def test_it_detects_the_language_from_function_words(text, language):
    assert ocr.detect_language(text) == language
