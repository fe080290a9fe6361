"""Classifier benchmark: messages per second on 1 and 2 cores for 100-character messages, model
load time and memory, against the character TF-IDF + logistic regression baseline measured in the
same run; and the accuracy table (model vs that baseline, both measured by the training run on the
same held-out conversations).

    nice -n 10 .venv/bin/python benchmarks/bench_classifier.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_TEXT = ROOT.parent / "shared" / "data" / "text"
RESULTS = ROOT / "benchmarks" / "results" / "classifier.json"


def messages_of_100_chars(count: int) -> list[str]:
    """Real chat messages from the shared data, joined or cut to 100 characters."""
    rows = [json.loads(line)["text"] for line in
            (SHARED_TEXT / "cyberagressionado_large_fr.jsonl").open(encoding="utf-8")]
    out, current = [], ""
    for text in rows * (1 + count * 100 // max(1, sum(map(len, rows)))):
        current = f"{current} {text}".strip()
        if len(current) >= 100:
            out.append(current[:100])
            current = ""
            if len(out) == count:
                break
    return out


def _baseline(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [json.loads(line) for line in
            (SHARED_TEXT / "cyberagressionado_large_fr.jsonl").open(encoding="utf-8")]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2,
                                 sublinear_tf=True)
    x = vectorizer.fit_transform([r["text"] for r in rows])
    head = LogisticRegression(solver="liblinear", random_state=0)
    head.fit(x, [r["hate"] != "NAG" for r in rows])
    return lambda batch: head.predict_proba(vectorizer.transform(batch))


def _measure(cores: int, count: int, queue: mp.Queue) -> None:
    os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))
    from threadpoolctl import threadpool_limits

    threadpool_limits(cores)
    texts = messages_of_100_chars(count)
    started = time.perf_counter()
    from rempart.detect.classifier.features import sentence_encoder
    from rempart.detect.classifier.model import load

    classifier = load()
    sentence_encoder().encode(["bonjour"])
    load_s = time.perf_counter() - started
    classifier.predict(texts[:64])
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        classifier.predict(texts[i:i + 256])
    model_s = time.perf_counter() - started
    baseline = _baseline(texts)
    baseline(texts[:64])
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        baseline(texts[i:i + 256])
    baseline_s = time.perf_counter() - started
    queue.put({"cores": cores, "messages": len(texts), "load_seconds": round(load_s, 3),
               "model_msgs_per_s": round(len(texts) / model_s, 1),
               "baseline_msgs_per_s": round(len(texts) / baseline_s, 1),
               "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)})


def run(count: int) -> dict:
    speed = []
    for cores in (1, 2):
        queue: mp.Queue = mp.get_context("spawn").Queue()
        process = mp.get_context("spawn").Process(target=_measure, args=(cores, count, queue))
        process.start()
        speed.append(queue.get())
        process.join()
    from rempart.detect.classifier.model import MODEL_PATH, load

    metrics = load().metrics
    return {"speed": speed, "model_file_mib": round(MODEL_PATH.stat().st_size / 2**20, 1),
            "accuracy": metrics.get("caa_held_out_conversations", {}),
            "functional": metrics.get("functional", {})}


def table(result: dict) -> str:
    lines = ["| cores | classifier msg/s | baseline msg/s | ratio | load (s) | max RSS (MiB) |",
             "|---|---|---|---|---|---|"]
    for s in result["speed"]:
        ratio = s["model_msgs_per_s"] / s["baseline_msgs_per_s"]
        lines.append(f"| {s['cores']} | {s['model_msgs_per_s']:.0f} | "
                     f"{s['baseline_msgs_per_s']:.0f} | {ratio:.2f} | {s['load_seconds']:.2f} | "
                     f"{s['max_rss_mib']} |")
    lines += ["", "| CyberAgressionAdo, held-out conversations | macro-F1 (5 classes) | "
              "F1 aggressive vs neutral |", "|---|---|---|"]
    for name, values in result["accuracy"].items():
        lines.append(f"| {name} | {values['macro_f1_5_classes']:.3f} | "
                     f"{values['f1_aggressive_vs_neutral']:.3f} |")
    lines += ["", "| held-out functional tests | share right |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in result["functional"].items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    result = run(args.messages)
    print(table(result))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
