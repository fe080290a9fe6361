"""Rendered chat screenshots of known text (Pillow + DejaVu), for the OCR tests and benchmark.

A phone-width image, bubbles on the left (the other person, grey) and the right (the owner,
green), each with its time under the text, like WhatsApp or Messenger screenshots.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WIDTH = 1080


def render_chat(messages: Sequence[tuple[str, str, str]], *, width: int = WIDTH,
                dark: bool = False, font_size: int = 34) -> bytes:
    """PNG of ``(side, text, time)`` messages, side "left" or "right"."""
    font = ImageFont.truetype(FONT, font_size)
    small = ImageFont.truetype(FONT, int(font_size * 0.7))
    margin, pad, line_h = 30, 22, int(font_size * 1.35)
    blocks = []
    y = 60
    for side, text, time in messages:
        chars = int(width * 0.72 / (font_size * 0.6))  # bubbles leave the far side free
        lines = textwrap.wrap(text, min(30, chars))
        text_w = max(int(font.getlength(line)) for line in lines)
        box_w = max(text_w, int(small.getlength(time))) + 2 * pad
        box_h = len(lines) * line_h + int(font_size * 0.9) + 2 * pad
        x = margin if side == "left" else width - margin - box_w
        blocks.append((side, lines, time, x, y, box_w, box_h))
        y += box_h + 34
    image = Image.new("RGB", (width, y + 40), (20, 20, 20) if dark else (236, 229, 221))
    draw = ImageDraw.Draw(image)
    for side, lines, time, x, top, box_w, box_h in blocks:
        if dark:
            fill, ink = ((38, 45, 49), (235, 235, 235)) if side == "left" else \
                ((0, 92, 75), (235, 235, 235))
        else:
            fill, ink = ((255, 255, 255), (17, 17, 17)) if side == "left" else \
                ((217, 253, 211), (17, 17, 17))
        draw.rounded_rectangle((x, top, x + box_w, top + box_h), 18, fill=fill)
        for n, line in enumerate(lines):
            draw.text((x + pad, top + pad + n * line_h), line, font=font, fill=ink)
        time_w = small.getlength(time)
        draw.text((x + box_w - pad - time_w, top + box_h - pad - int(font_size * 0.75)), time,
                  font=small, fill=(110, 110, 110) if not dark else (170, 170, 170))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


FRENCH_CHAT = (
    ("left", "Salut, t'as vu ce qu'ils ont posté sur toi ?", "14:02"),
    ("right", "Non, c'est quoi ? Envoie le lien stp", "14:05"),
    ("left", "Regarde sur le compte @lea_moqueries, ils disent que tu es nulle", "14:07"),
    ("right", "Je vais le signaler, merci de m'avoir prévenue", "14:09"),
    ("left", "Ils ont écrit que tout le monde verra tes photos le 12/03/2026", "14:11"),
)
