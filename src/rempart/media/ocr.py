"""Read the text of a screenshot with Tesseract (French and English), and its conversation.

``read_image`` decodes the untrusted image with the safe decoder (pixel budget, first frame,
upright), prepares it for Tesseract (grey, dark mode inverted, small screenshots enlarged), and
returns every word with its box (in the original image's pixels) and confidence, the lines, the
language detected and, when the layout allows, the conversation: bubbles on the left (the other
person) or the right (the phone's owner), each with the time shown in it.

The text of a screenshot is evidence: this module returns it to its caller and never logs it.
``suggest_facts`` finds dates, handles and links in the text, as suggestions for the reporter.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import pytesseract
from PIL import Image, ImageOps

from rempart.media.safe_image import decode_rgb

ENGINE = "tesseract"
LANGUAGES = "fra+eng"
TIMEOUT_SECONDS = 60  # one image; Tesseract is killed past it
MIN_CONFIDENCE = 30.0  # words below are dropped (noise: bubble edges, icons)
SMALL_WIDTH = 1400  # screenshots narrower than this are enlarged before reading
_TIME = re.compile(r"(?<![\d:])((?:[01]?\d|2[0-3])[:h][0-5]\d)(?![\d:])")
_FR_WORDS = frozenset(str.split("""le la les un une des de du et est tu je il elle on nous
vous ils pas ne que qui quoi pour avec sur dans ce cette ces mon ma mes ton ta tes son sa ses
au aux mais ou oui non si moi toi lui leur c'est j'ai t'es t'as trop bien vas suis es
fait tout rien"""))
_EN_WORDS = frozenset(str.split("""the a an and is are you i he she we they not no that what
who for with on in this these my your his her our their but or yes if me him it's i'm don't do did
have was were will be been so just all nothing"""))


class OcrFailed(RuntimeError):
    """Tesseract could not read the image (not installed, timed out, unreadable image)."""


@dataclass(frozen=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float  # 0-100, Tesseract's


@dataclass(frozen=True)
class Line:
    text: str
    left: int
    top: int
    width: int
    height: int
    words: list[Word]


@dataclass(frozen=True)
class Bubble:
    side: str  # "left" (the other person), "right" (the phone's owner) or "center"
    text: str
    time: str | None  # as shown ("14:32"), normalised to HH:MM
    top: int


@dataclass(frozen=True)
class OcrResult:
    engine: str
    engine_version: str
    languages: str
    language: str  # "fr", "en" or "und"
    width: int
    height: int
    text: str
    confidence: float  # mean over the words kept
    words: list[Word] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    conversation: list[Bubble] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> OcrResult:
        lines = [Line(**{**line, "words": [Word(**w) for w in line["words"]]})
                 for line in raw.get("lines", [])]
        return cls(engine=raw["engine"], engine_version=raw["engine_version"],
                   languages=raw["languages"], language=raw["language"], width=raw["width"],
                   height=raw["height"], text=raw["text"], confidence=raw["confidence"],
                   words=[Word(**w) for w in raw.get("words", [])], lines=lines,
                   conversation=[Bubble(**b) for b in raw.get("conversation", [])])


def engine_version() -> str:
    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise OcrFailed("tesseract is not installed") from exc


def _prepare(image: Image.Image) -> tuple[Image.Image, float]:
    grey = ImageOps.grayscale(image)
    histogram = grey.histogram()
    mean = sum(i * n for i, n in enumerate(histogram)) / max(1, sum(histogram))
    if mean < 110:  # dark mode: Tesseract reads dark text on light ground best
        grey = ImageOps.invert(grey)
    scale = 1.0
    if grey.width < SMALL_WIDTH:
        scale = min(3.0, SMALL_WIDTH / grey.width)
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)),
                           Image.Resampling.LANCZOS)
    return grey, scale


def read_image(data: bytes) -> OcrResult:
    """Words, lines, language and conversation of an image (PNG, JPEG, WebP, GIF, HEIC)."""
    try:
        image = decode_rgb(data)
    except Exception as exc:  # noqa: BLE001  (UnsafeImage and Pillow's own errors)
        raise OcrFailed(f"unreadable image: {type(exc).__name__}") from None
    version = engine_version()
    prepared, scale = _prepare(image)
    try:
        data_out = pytesseract.image_to_data(prepared, lang=LANGUAGES, config="--psm 3",
                                             output_type=pytesseract.Output.DICT,
                                             timeout=TIMEOUT_SECONDS)
    except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
        raise OcrFailed("tesseract timed out") from exc
    except pytesseract.TesseractError as exc:
        raise OcrFailed(f"tesseract failed (status {exc.status})") from None
    lines = _lines(data_out, scale)
    words = [w for line in lines for w in line.words]
    text = "\n".join(line.text for line in lines)
    confidence = round(sum(w.confidence for w in words) / len(words), 1) if words else 0.0
    return OcrResult(engine=ENGINE, engine_version=version, languages=LANGUAGES,
                     language=detect_language(text), width=image.width, height=image.height,
                     text=text, confidence=confidence, words=words, lines=lines,
                     conversation=conversation(lines, image.width))


def _lines(raw: dict[str, list[Any]], scale: float) -> list[Line]:
    grouped: dict[tuple[int, int, int, int], list[Word]] = {}
    for i, token in enumerate(raw["text"]):
        token = str(token).strip()
        confidence = float(raw["conf"][i])
        if not token or confidence < MIN_CONFIDENCE:
            continue
        key = (int(raw["page_num"][i]), int(raw["block_num"][i]), int(raw["par_num"][i]),
               int(raw["line_num"][i]))
        grouped.setdefault(key, []).append(Word(
            token, round(int(raw["left"][i]) / scale), round(int(raw["top"][i]) / scale),
            round(int(raw["width"][i]) / scale), round(int(raw["height"][i]) / scale),
            round(confidence, 1)))
    lines = []
    for words in grouped.values():
        left = min(w.left for w in words)
        top = min(w.top for w in words)
        right = max(w.left + w.width for w in words)
        bottom = max(w.top + w.height for w in words)
        lines.append(Line(" ".join(w.text for w in words), left, top, right - left,
                          bottom - top, words))
    lines.sort(key=lambda line: (line.top, line.left))
    return lines


def detect_language(text: str) -> str:
    """"fr", "en" or "und", from the share of each language's function words in the text."""
    tokens = re.findall(r"[a-zà-ÿ']+", text.lower())
    if len(tokens) < 3:
        return "und"
    french = sum(token in _FR_WORDS for token in tokens)
    english = sum(token in _EN_WORDS for token in tokens)
    if max(french, english) < 2:
        return "und"
    return "fr" if french >= english else "en"


def _side(left: int, right: int, width: int) -> str:
    """The side of a bubble from its margins: the nearer screen edge; "center" when both
    margins are alike (date separators, system lines, full-width text)."""
    left_gap, right_gap = left, width - right
    if abs(left_gap - right_gap) < 0.08 * width:
        return "center"
    return "left" if left_gap < right_gap else "right"


def conversation(lines: list[Line], width: int) -> list[Bubble]:
    """Bubbles by layout: a line close below the previous one and overlapping it horizontally
    continues its bubble, until a time ("14:32", "14h32") closes it; each bubble's side is the
    screen edge nearer to it. Empty when the layout is not a chat (fewer than two bubbles, or
    nothing on a side)."""
    if width <= 0 or not lines:
        return []
    groups: list[list[Line]] = []
    for line in lines:
        if groups:
            group = groups[-1]
            previous = group[-1]
            gap = line.top - (previous.top + previous.height)
            left = min(x.left for x in group)
            right = max(x.left + x.width for x in group)
            overlaps = line.left < right and line.left + line.width > left
            closed = _TIME.fullmatch(previous.words[-1].text) is not None
            time_only = _TIME.fullmatch(line.text) is not None  # the bubble's time, below it
            height = max(line.height, previous.height)
            if not closed and ((gap < 0.9 * height and overlaps)
                               or (time_only and gap < 1.5 * height)):
                group.append(line)
                continue
        groups.append([line])
    out = []
    for group in groups:
        text = " ".join(line.text for line in group)
        found = _TIME.findall(text)
        time = _normal_time(found[-1]) if found else None
        if found and text.rstrip().endswith(found[-1]):
            text = text.rstrip()[: -len(found[-1])].rstrip()
        side = _side(min(x.left for x in group), max(x.left + x.width for x in group), width)
        if text or time:
            out.append(Bubble(side, text, time, group[0].top))
    sides = {bubble.side for bubble in out}
    if len(out) < 2 or not sides & {"left", "right"}:
        return []
    return out


def _normal_time(shown: str) -> str:
    hours, minutes = re.split("[:h]", shown)
    return f"{int(hours):02d}:{minutes}"


_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")
_MONTHS = ("janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août",
           "aout", "septembre", "octobre", "novembre", "décembre", "decembre")
_WORD_DATE = re.compile(r"\b(\d{1,2})(?:er)?\s+(" + "|".join(_MONTHS) + r")(?:\s+(\d{4}))?\b",
                        re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.@])@([A-Za-z0-9_.]{2,30})\b")
_URL = re.compile(r"\b((?:https?://|www\.)[^\s<>\"']{3,200})", re.IGNORECASE)


def suggest_facts(text: str) -> dict[str, list[str]]:
    """Dates, handles and links found in the text: suggestions, never facts by themselves."""
    dates = [m.group(0) for m in _DATE.finditer(text)]
    dates += [m.group(0) for m in _WORD_DATE.finditer(text)]
    handles = ["@" + m.group(1).rstrip(".") for m in _HANDLE.finditer(text)]
    urls = [m.group(1).rstrip(".,;:!?)") for m in _URL.finditer(text)]
    return {"dates": list(dict.fromkeys(dates)), "handles": list(dict.fromkeys(handles)),
            "urls": list(dict.fromkeys(urls))}
