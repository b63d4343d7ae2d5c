"""The classifiers on the corpus's held-out part: keywords alone against the learned model.

    python -m bench.classifier [--rounds 5]

The model is trained exactly as `routing-train --corpus tests/routing/corpus/train.jsonl`
trains it on a fresh install (its own held-out slice of train.jsonl judges it and calibrates
the threshold; the served model is then fitted on all of train.jsonl), then measured on
tests/routing/corpus/heldout.jsonl, which no step ever fits or tunes on. Prints a Markdown table; the figures go to bench/results/classifier.json.
"""

import argparse
import json
import time
from pathlib import Path

from bench.common import percentile
from services.routing import learned
from services.routing.classifier import CONFIDENT, classify, warm_up
from services.routing.model_store import Example, corpus_key, is_holdout
from services.routing.training import fit_and_score, keyword_predictions
from tests.routing.corpus.load import HELDOUT, TRAIN, rows, top

RESULTS = Path(__file__).parent / "results" / "classifier.json"


def scores(predicted: list[tuple[str | None, float]], truth: list[str], threshold: float) -> dict:
    """Top-level and exact accuracy, and the share and precision of answers at the threshold."""
    n = len(truth)
    auto = [p == t for (p, c), t in zip(predicted, truth, strict=True) if c >= threshold]
    return {"top_level": sum(top(p) == top(t) for (p, _), t in zip(predicted, truth, strict=True)) / n,
            "exact": sum(p == t for (p, _), t in zip(predicted, truth, strict=True)) / n,
            "threshold": threshold, "auto_rate": len(auto) / n,
            "auto_precision": sum(auto) / len(auto) if auto else None}


def best_rate(predicted: list[tuple[str | None, float]], truth: list[str]) -> float:
    """Hindsight: the largest share of held-out answers that is still ≥ 95 % right."""
    ranked = sorted(zip(predicted, truth, strict=True), key=lambda pair: -pair[0][1])
    right, best = 0, 0.0
    for n, ((p, _), t) in enumerate(ranked, start=1):
        right += p == t
        if right / n >= learned.TARGET_PRECISION:
            best = n / len(ranked)
    return best


def timings(classify_one, texts: list[str], rounds: int) -> dict:
    """p50 and p99 in ms of classifying one text (every text, `rounds` times): wall clock,
    and the thread's CPU time, which a machine shared with other work disturbs less."""
    wall, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            start, start_cpu = time.perf_counter(), time.thread_time()
            classify_one(text)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": percentile(wall, 50), "p99_ms": percentile(wall, 99),
            "cpu_p50_ms": percentile(cpu, 50), "cpu_p99_ms": percentile(cpu, 99)}


def run(rounds: int) -> dict:
    """Train as a fresh install does, then measure both classifiers on the held-out part."""
    train, held = rows(TRAIN), rows(HELDOUT)
    examples = [Example(r["text"], r["category"], is_holdout(corpus_key(r["text"]))) for r in train]
    warm_up()
    start = time.perf_counter()
    trained = fit_and_score(examples)
    trained_s = time.perf_counter() - start
    model, own = trained.serving, trained.scores
    texts, truth = [r["text"] for r in held], [r["category"] for r in held]
    by_keywords, by_model = keyword_predictions(texts), learned.predictions(model, texts)
    return {
        "corpus": {"train": len(train), "heldout": len(held),
                   "judged_after": own["examples"], "judged_on_slice": own["holdout"],
                   "served_fitted_on": own["examples"] + own["holdout"]},
        "training_seconds": trained_s,
        "keywords": {**scores(by_keywords, truth, CONFIDENT), "best_rate": best_rate(by_keywords, truth),
                     **timings(lambda t: classify(t), texts, rounds)},
        "model": {**scores(by_model, truth, model.threshold), "best_rate": best_rate(by_model, truth),
                  **timings(lambda t: model.suggest(t), texts, rounds)},
    }


def table(result: dict) -> str:
    """The figures as the README shows them."""
    def pct(value):
        return "—" if value is None else f"{value:.1%}"
    lines = ["| held-out (n={}) | top level | exact | auto-dispatched (at threshold) | right when auto | "
             "hindsight rate at ≥95 % | p50 / p99 per text | CPU p50 / p99 |"
             .format(result["corpus"]["heldout"]),
             "|---|---|---|---|---|---|---|---|"]
    for name in ("keywords", "model"):
        r = result[name]
        lines.append(f"| {name} | {pct(r['top_level'])} | {pct(r['exact'])} | "
                     f"{pct(r['auto_rate'])} (≥ {r['threshold']:.2f}) | {pct(r['auto_precision'])} | "
                     f"{pct(r['best_rate'])} | {r['p50_ms']:.2f} / {r['p99_ms']:.2f} ms | "
                     f"{r['cpu_p50_ms']:.2f} / {r['cpu_p99_ms']:.2f} ms |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each text is classified")
    result = run(parser.parse_args().rounds)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(table(result))
    corpus = result["corpus"]
    print(f"\ntrained in {result['training_seconds']:.1f} s: judged after {corpus['judged_after']} "
          f"texts on {corpus['judged_on_slice']} more (threshold calibrated there), served "
          f"fitted on all {corpus['served_fitted_on']}")


if __name__ == "__main__":
    main()
