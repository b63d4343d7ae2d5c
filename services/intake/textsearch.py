"""Chinese full-text search: jieba cuts the words, PostgreSQL's `simple` tsvector indexes them."""

import re
from functools import cache

import jieba
from sqlalchemy import Text, bindparam, func, literal_column
from sqlalchemy.sql.elements import ColumnElement

CONFIG = literal_column("'simple'::regconfig")
WEIGHTS = {weight: literal_column(f"'{weight}'::\"char\"") for weight in "ABCD"}
_WORD = re.compile(r"^\w+$")
# Words too common to tell one case from another.
STOPWORDS = frozenset("的 了 在 是 我 有 和 就 不 人 都 一 个 也 很 到 说 要 去 你 会 着 没有 看 好 这 那 "
                      "我们 他们 请问 问题 反映 一下 什么 怎么 如何 吗 呢 吧 啊".split())


@cache
def _ready() -> None:
    jieba.setLogLevel(60)  # its dictionary-loading chatter would otherwise reach the logs
    jieba.initialize()


def words(text: str) -> list[str]:
    """The searchable words of a text: jieba's search-engine cut, lower-cased, no punctuation."""
    _ready()
    found = (word.strip().lower() for word in jieba.cut_for_search(text or ""))
    return [word for word in found if _WORD.match(word) and word not in STOPWORDS]


def document(*weighted: tuple[str, str]) -> ColumnElement:
    """A tsvector of (text, weight A–D) parts, each cut into words first."""
    vectors = [func.setweight(func.to_tsvector(CONFIG, _text(" ".join(words(text)))), WEIGHTS[weight])
               for text, weight in weighted]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined.op("||")(vector)
    return combined


def query(text: str) -> ColumnElement | None:
    """A tsquery matching any word of the text (ranking puts the fullest match first); None if empty."""
    terms = list(dict.fromkeys(words(text)))[:20]
    if not terms:
        return None
    return func.to_tsquery(CONFIG, _text(" | ".join(f"'{term}'" for term in terms)))


def _text(value: str):
    return bindparam(None, value, type_=Text)
