"""Chinese full-text search without a Chinese parser in PostgreSQL: jieba cuts the words here,
and they go to the database as a ready-made tsvector or tsquery.

A long word also yields its two-character parts (社保卡 → 社保, 保卡; 城乡居民 → 城乡, 居民 …),
so 医保 finds 医保卡 and 公积金 finds 住房公积金. Title words weigh A, keywords B, body C, so
ts_rank puts a title hit above a body hit, and an item that matches more words comes first.
"""

import re

from services.routing.classifier import words

_WORD = re.compile(r"^[0-9a-z\u3400-\u9fff]+$")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Function words and the phrasing of every question: they would match every item.
STOP = frozenset("""
的 了 是 在 和 与 或 及 等 我 你 他 她 它 们 吗 呢 啊 吧 也 都 就 还 要 有 没 不 这 那 个 把 被 给
对 从 到 向 让 请 问 能 会 可 想 怎 么 啥 哪 谁 如 何 为 什 之 其 该 于 以 上 下 中
怎么 怎样 如何 什么 哪些 哪里 哪儿 可以 能否 是否 需要 请问 问下 一下 我们 你们 他们 自己 这个 那个 一个
办理 咨询 关于 有关 相关 进行 情况 问题 时候 现在 已经 还是 或者 以及 应该 必须 怎么办 需 要求
""".split())
MAX_TERMS = 32
MAX_POSITION = 16383  # PostgreSQL's limit for a position in a tsvector


def terms(text: str) -> list[str]:
    """The searchable words of a text in order: jieba's words, long ones with their parts."""
    found: list[str] = []
    for word in words(text.lower()):
        word = word.strip()
        if word in STOP or not _WORD.match(word):
            continue
        found.append(word)
        if len(word) > 2 and _HAN.search(word):
            found.extend(word[i:i + 2] for i in range(len(word) - 1))
    return [w for w in found if w not in STOP]


def _quoted(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def vector(title: str, keywords: list[str], body: str = "") -> str:
    """The tsvector literal of an item: title words weigh A, keywords B, body C."""
    positions: dict[str, list[str]] = {}
    position = 0
    for weight, text in (("A", title), ("B", " ".join(keywords)), ("C", body)):
        for term in terms(text):
            position = min(position + 1, MAX_POSITION)
            positions.setdefault(term, []).append(f"{position}{weight}")
    return " ".join(f"{_quoted(term)}:{','.join(marks[:256])}" for term, marks in positions.items())


def query(text: str) -> str | None:
    """The tsquery literal for a searcher's words (any of them); None when nothing is searchable."""
    found = list(dict.fromkeys(terms(text)))
    if any(len(term) > 1 for term in found):  # a lone character says little and matches a lot
        found = [term for term in found if len(term) > 1]
    found = found[:MAX_TERMS]
    return " | ".join(_quoted(term) for term in found) or None
