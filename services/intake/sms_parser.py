"""The Henan SMS format: 姓名、住址、身份证号码、反映的具体事项及发生地, with or without labels.

Tolerant of what people type: 、，, ;； or new lines between fields, labels with a full- or
half-width colon (姓名：张三), fields in the stated order without labels.
"""

import re
from dataclasses import dataclass, field

from services.intake.schemas import valid_id_number

LABELS = {
    "name": ("姓名", "名字"),
    "address": ("家庭住址", "现住址", "住址", "地址", "居住地"),
    "id_number": ("身份证号码", "身份证号", "身份证"),
    "matter": ("反映的具体事项及发生地", "反映的具体事项", "具体事项", "反映事项", "反映问题", "反映内容",
               "诉求内容", "诉求", "事项", "内容"),
    "place": ("事情发生地", "事发地点", "发生地点", "发生地", "地点"),
}
# Short, so the reply SMS's parameter (20 characters at the providers) names them all.
FIELD_NAMES = {"name": "姓名", "address": "住址", "id_number": "身份证号", "matter": "事项及发生地"}
_LABEL = re.compile("(" + "|".join(sorted((label for labels in LABELS.values() for label in labels),
                                          key=len, reverse=True)) + r")\s*[:：]")
_FIELD_OF = {label: key for key, labels in LABELS.items() for label in labels}
_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_SEPARATORS = re.compile(r"[、，,；;\n\r]+")
_EDGES = " \t\r\n、，,；;。.：:"
_ADDRESS_WORDS = re.compile(r"[省市县区镇乡村路街道巷号组社楼栋室]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MIN_MATTER = 5
ID_WRONG = "身份证号有误"


@dataclass
class Parsed:
    """The fields found in an SMS, and which of the four required ones are missing or wrong."""

    name: str | None = None
    address: str | None = None
    id_number: str | None = None
    matter: str | None = None
    place: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def clean(text: str) -> str:
    """The text without control characters, in one piece."""
    return _CONTROL.sub("", text).strip()


def parse(text: str) -> Parsed:
    """Read the four fields (and 发生地 if labelled) from one SMS or several joined."""
    text = clean(text)
    found = _labelled(text) if _LABEL.search(text) else _positional(text)
    return checked(Parsed(**{key: (value.strip(_EDGES) or None) if value else None
                             for key, value in found.items()}))


def _labelled(text: str) -> dict:
    matches = list(_LABEL.finditer(text))
    # Unlabelled fields before the first label are read in the stated order.
    leading = _positional(text[:matches[0].start()]) if text[:matches[0].start()].strip(_EDGES) else {}
    found: dict[str, str] = {key: value for key, value in leading.items() if value and key != "matter"}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        key = _FIELD_OF[match.group(1)]
        value = text[match.end():end].strip(_EDGES)
        found[key] = f"{found[key]}，{value}" if found.get(key) and value else (found.get(key) or value)
    return found


def _positional(text: str) -> dict:
    """Fields in the stated order: a name, an address, the ID number, then the matter."""
    id_match = _ID.search(text)
    if id_match:
        before, after = text[:id_match.start()], text[id_match.end():]
        pieces = [piece for piece in _SEPARATORS.split(before) if piece.strip(_EDGES)]
        name = pieces.pop(0) if pieces and _looks_like_name(pieces[0]) else None
        return {"name": name, "address": "，".join(pieces) or None, "id_number": id_match.group(),
                "matter": after}
    pieces = [piece for piece in _SEPARATORS.split(text) if piece.strip(_EDGES)]
    found: dict[str, str | None] = {}
    if len(pieces) > 1 and _looks_like_name(pieces[0]):
        found["name"] = pieces.pop(0)
    if found and len(pieces) > 1 and _looks_like_address(pieces[0]):
        found["address"] = pieces.pop(0)
    found["matter"] = "，".join(pieces)
    return found


def _looks_like_name(piece: str) -> bool:
    piece = piece.strip(_EDGES)
    return 2 <= len(piece) <= 6 and not re.search(r"[\d\s]", piece) and not _ADDRESS_WORDS.search(piece[1:])


def _looks_like_address(piece: str) -> bool:
    return len(piece) <= 80 and bool(_ADDRESS_WORDS.search(piece))


def checked(parsed: Parsed) -> Parsed:
    """The fields with what is missing or wrong among them worked out (afresh)."""
    parsed.problems = _problems(parsed)
    return parsed


def _problems(parsed: Parsed) -> list[str]:
    problems = [FIELD_NAMES[key] for key in ("name", "address") if not getattr(parsed, key)]
    if not parsed.id_number:
        problems.append(FIELD_NAMES["id_number"])
    elif not valid_id_number(parsed.id_number.upper()):
        problems.append(ID_WRONG)
    if not parsed.matter or len(parsed.matter) < MIN_MATTER:
        problems.append(FIELD_NAMES["matter"])
    return problems


def missing_text(parsed: Parsed) -> str:
    """What the reply SMS asks for: the missing fields, in few enough characters for one parameter."""
    return "、".join(parsed.problems)
