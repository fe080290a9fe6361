"""OCR benchmark: images per second and character accuracy on rendered French chat screenshots of
known text (Pillow + DejaVu Sans; light and dark mode, phone widths 720 and 1080 px, three font
sizes), for Rempart's reader (``rempart.media.ocr.read_image``: safe decode, grey, dark mode
inverted, small screenshots enlarged, words, boxes, bubbles) against the in-process baseline of
plain ``pytesseract.image_to_string(image, lang="fra+eng")`` on the same images.

Character accuracy is 1 - (Levenshtein distance / length of the expected text), on the bubbles'
text joined by spaces (times excluded, whitespace collapsed); "sides+times" is the share of
screenshots whose bubbles were all found with their side and time.

    nice -n 10 .venv/bin/python benchmarks/bench_ocr.py [--images 12]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "ocr.json"

MESSAGES = [
    "Salut, t'as vu ce qu'ils ont posté sur toi ?",
    "Non, c'est quoi ? Envoie le lien stp",
    "Regarde sur le compte @lea_moqueries, ils disent que tu es nulle",
    "Je vais le signaler, merci de m'avoir prévenue",
    "Ils ont écrit que tout le monde verra tes photos le 12/03/2026",
    "Arrête de m'écrire, je ne veux plus te parler",
    "Si tu ne réponds pas ce soir je balance tout au lycée",
    "Tu es vraiment bête, personne ne t'aime ici",
    "Ça suffit, j'en ai parlé à ma mère et à la CPE",
    "On se retrouve demain à 8h devant le gymnase ?",
    "Envoie-moi une photo sinon je montre la vidéo à tout le monde",
    "Laisse-la tranquille, ce que vous faites est du harcèlement",
]


def _screens(count: int) -> list[tuple[bytes, list[tuple[str, str, str]], str]]:
    from tests.chat_screens import render_chat

    rng = random.Random(14)
    out = []
    for n in range(count):
        chosen = rng.sample(MESSAGES, 4)
        chat = [("left" if i % 2 == 0 else "right", text,
                 f"{rng.randint(7, 23):02d}:{rng.randint(0, 59):02d}")
                for i, text in enumerate(chosen)]
        width, size, dark = (1080, 720)[n % 2], (28, 34, 40)[n % 3], n % 4 >= 2
        label = f"{width}px {size}pt {'dark' if dark else 'light'}"
        out.append((render_chat(chat, width=width, font_size=size, dark=dark), chat, label))
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _accuracy(expected: str, got: str) -> float:
    expected, got = _norm(expected), _norm(got)
    return max(0.0, 1 - _levenshtein(expected, got) / len(expected))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=12)
    args = parser.parse_args()
    import pytesseract
    from PIL import Image

    from rempart.media import ocr

    screens = _screens(args.images)
    strip_times = re.compile(r"\b\d{1,2}[:h]\d{2}\b")

    started = time.perf_counter()
    base_acc = []
    for data, chat, _ in screens:
        text = pytesseract.image_to_string(Image.open(io.BytesIO(data)), lang="fra+eng")
        base_acc.append(_accuracy(" ".join(t for _, t, _ in chat), strip_times.sub(" ", text)))
    base_s = time.perf_counter() - started

    started = time.perf_counter()
    ours_acc, layout_ok = [], 0
    for data, chat, _ in screens:
        result = ocr.read_image(data)
        ours_acc.append(_accuracy(" ".join(t for _, t, _ in chat),
                                  " ".join(b.text for b in result.conversation)))
        layout_ok += [(b.side, b.time) for b in result.conversation] == \
            [(side, when) for side, _, when in chat]
    ours_s = time.perf_counter() - started

    row = {"images": len(screens), "load_avg": round(os.getloadavg()[0], 1),
           "tesseract": str(pytesseract.get_tesseract_version()),
           "baseline_images_per_s": round(len(screens) / base_s, 2),
           "rempart_images_per_s": round(len(screens) / ours_s, 2),
           "ratio_vs_baseline": round(base_s / ours_s, 2),
           "baseline_char_accuracy": round(sum(base_acc) / len(base_acc), 4),
           "rempart_char_accuracy": round(sum(ours_acc) / len(ours_acc), 4),
           "rempart_min_char_accuracy": round(min(ours_acc), 4),
           "rempart_sides_and_times": f"{layout_ok}/{len(screens)}"}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(row, indent=2) + "\n")
    print(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
