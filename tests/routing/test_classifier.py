import json
from collections import Counter
from pathlib import Path

import pytest

from services.routing.catalog import CATEGORIES, TOP_LEVEL, children
from services.routing.classifier import CONFIDENT, classify, confidence, keyword_hits

DATA = json.loads((Path(__file__).parent / "labelled_complaints.json").read_text("utf-8"))
LABELLED = DATA["labelled"]


def top_level(code: str | None) -> str | None:
    return code.split(".")[0] if code else None


def predicted(text: str) -> str | None:
    suggestions = classify(text)
    return suggestions[0].category_code if suggestions else None


def test_labelled_set_is_sound():
    counts = Counter(top_level(item["category"]) for item in LABELLED)
    assert len(LABELLED) >= 70 and len(DATA["no_signal"]) >= 5
    assert all(item["category"] in CATEGORIES for item in LABELLED)
    assert all(counts[code] >= 5 for code in TOP_LEVEL), counts
    assert len({item["text"] for item in LABELLED}) == len(LABELLED)


def test_top1_accuracy_on_labelled_complaints():
    misses = []
    for item in LABELLED:
        got = predicted(item["text"])
        if top_level(got) != top_level(item["category"]):
            misses.append((item["category"], got, item["text"]))
    accuracy = 1 - len(misses) / len(LABELLED)
    confusion = Counter((top_level(want), top_level(got)) for want, got, _ in misses)
    report = "\n".join(f"{want} -> {got}: {text}" for want, got, text in misses)
    assert accuracy >= 0.8, f"accuracy {accuracy:.3f}\nconfusion {confusion}\n{report}"


def test_confident_answers_are_mostly_right():
    best = [(item["category"], classify(item["text"])[:1]) for item in LABELLED]
    confident = [(want, s[0].category_code) for want, s in best
                 if s and s[0].confidence >= CONFIDENT]
    wrong = [(want, got) for want, got in confident if top_level(want) != top_level(got)]
    assert len(confident) >= len(LABELLED) // 3
    assert len(wrong) <= 0.05 * len(confident), wrong


@pytest.mark.parametrize("text", DATA["no_signal"])
def test_texts_without_a_subject_go_to_manual_dispatch(text):
    suggestions = classify(text)
    assert not suggestions or suggestions[0].confidence < CONFIDENT


def test_empty_text_has_no_suggestion():
    assert classify("") == []
    assert classify("。。。") == []


def test_sub_category_wins_over_its_parent():
    assert predicted("城管来管管这个噪音") == "municipal.noise"
    assert predicted("市场监管部门查一下这家店卖的过期食品") == "market.food"


@pytest.mark.parametrize("sub", [c for c in CATEGORIES.values() if c.parent],
                         ids=lambda c: c.code)
def test_each_sub_category_is_named_when_its_strong_keyword_joins_the_parent(sub):
    parent_word = next((w for w, weight in CATEGORIES[sub.parent].keywords if weight == 3), "")
    sub_word = next(w for w, weight in sub.keywords if weight == 3)
    assert predicted(f"{parent_word}，{sub_word}") == sub.code


def test_parent_keywords_alone_name_the_parent():
    assert predicted("城管和市政能不能管一下") == "municipal"


def test_suggestions_are_ranked_and_bounded():
    suggestions = classify("小区物业不管，垃圾堆成山，楼道里还有人给电动车充电，噪音也大", top=3)
    assert len(suggestions) == 3
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert all(0 <= s.confidence <= 1 for s in suggestions)
    assert suggestions[0].confidence > suggestions[1].confidence
    assert len({top_level(s.category_code) for s in suggestions}) == 3


def test_a_keyword_inside_a_longer_keyword_counts_once():
    assert keyword_hits("采石场") == {"ecology.pollution": 2}


def test_confidence_rewards_evidence_and_margin():
    assert confidence(3, 0) >= CONFIDENT
    assert confidence(9, 0) > confidence(3, 0)
    assert confidence(6, 6) <= 0.5
    assert confidence(6, 2) > confidence(6, 4)
    assert confidence(0, 0) == 0


def test_every_top_level_category_can_be_suggested():
    for code in TOP_LEVEL:
        family = [CATEGORIES[code], *children(code)]
        words = [w for cat in family for w, weight in cat.keywords if weight == 3][:2]
        assert top_level(predicted("，".join(words))) == code, words
