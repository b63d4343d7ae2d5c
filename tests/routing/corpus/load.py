"""The labelled complaint corpus: train.jsonl (fit on) and heldout.jsonl (only ever measured)."""

import json
from pathlib import Path

HERE = Path(__file__).parent
TRAIN, HELDOUT = HERE / "train.jsonl", HERE / "heldout.jsonl"


def rows(path: Path) -> list[dict]:
    """The corpus rows of one part: {category, channel, text}."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def top(code: str | None) -> str | None:
    """The top-level category of a code."""
    return code.split(".")[0] if code else None
