"""What a Python user of the model gets on this machine: transformers' pipeline("token-classification") on CPU torch,
timed on the notes `npm run bench -- transformer` uses, with one thread and with torch's default thread count.

    python scripts/reference/bench_pipeline.py models/transformer/bench-standard

reads a folder in the hub's layout (config.json, model.safetensors, tokenizer files: what export_standard.py writes)
and writes bench-results/python-pipeline.json, which the TypeScript bench prints as rows of its table. Each row is
timed like scripts/bench/stats.ts times ours: 3 untimed runs, then N timed ones; tokens/s from the mean, p50 and p99
from the sorted samples. The pipeline labels every token (ignore_labels=[], aggregation "none"), as the
transformers.js row is asked to.
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import torch
import transformers
from transformers import AutoTokenizer, pipeline

NOTE_SPLITS = ["dev", "train"]


def note_of_tokens(tokenizer, tokens: int, notes_dir: Path = Path("data/clinical-notes")) -> str:
    """scripts/bench/transformer-notes.ts's noteOfTokens: the clinical notes joined, cut at a word to exactly `tokens`
    WordPiece tokens, [CLS] and [SEP] included. The TypeScript bench checks the sha256 of each note against its own."""
    text = "\n\n".join(d["text"] for split in NOTE_SPLITS for d in json.loads((notes_dir / f"{split}.json").read_text()))
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    pieces = enc.tokens()
    n = tokens - 2
    while n > 0 and n < len(pieces) and pieces[n].startswith("##"):
        n -= 1
    note = text[: enc["offset_mapping"][n - 1][1]]
    got = len(tokenizer(note)["input_ids"])
    if got != tokens:
        sys.exit(f"bench_pipeline: the {tokens}-token note has {got} tokens")
    return note


def stats(samples_ms: list[float]) -> dict:
    s = sorted(samples_ms)
    q = lambda p: s[min(len(s) - 1, int(p * len(s)))]  # noqa: E731 — the same quantile as stats.ts
    return {"meanMs": sum(s) / len(s), "p50Ms": q(0.5), "p99Ms": q(0.99), "runs": len(s)}


def busy_jiffies() -> tuple[int, int]:
    """CPU time (clock ticks) all processes spent busy, and this process's own."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    own = os.times()
    return sum(fields) - fields[3] - fields[4], round((own.user + own.system) * os.sysconf("SC_CLK_TCK"))


def others_cpu_share(before: tuple[int, int], seconds: float) -> float:
    """Share of the machine's CPUs that other processes used meanwhile: the machine is shared, so each row says it."""
    after = busy_jiffies()
    others = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, others / (seconds * os.sysconf("SC_CLK_TCK") * os.cpu_count()))


def bench(folder: Path, iterations: int, thread_counts: list[int]) -> dict:
    load_before = os.getloadavg()[0]  # the machine is shared: say how busy it was
    tokenizer = AutoTokenizer.from_pretrained(folder)
    notes = {n: note_of_tokens(tokenizer, n) for n in (128, 512)}
    runs = []
    for threads in thread_counts:
        torch.set_num_threads(threads)
        t0 = time.perf_counter()
        pipe = pipeline("token-classification", model=str(folder), device="cpu")
        pipe(notes[128], ignore_labels=[])
        cold_ms = (time.perf_counter() - t0) * 1000
        for tokens, text in notes.items():
            out = pipe(text, ignore_labels=[])
            if len(out) != tokens - 2:  # one answer per word piece: the note ran whole, in one window
                sys.exit(f"bench_pipeline: {len(out)} labels for the {tokens}-token note")
            for _ in range(3):
                pipe(text, ignore_labels=[])
            samples = []
            cpu_before, t_before = busy_jiffies(), time.perf_counter()
            for _ in range(iterations):
                t = time.perf_counter()
                pipe(text, ignore_labels=[])
                samples.append((time.perf_counter() - t) * 1000)
            s = stats(samples)
            runs.append({"impl": f"python-pipeline ({threads} thread{'s' if threads > 1 else ''})", "threads": threads, "tokens": tokens, "tokensPerSecond": tokens / s["meanMs"] * 1000, **s, "coldStartMs": cold_ms, "othersCpuShare": others_cpu_share(cpu_before, time.perf_counter() - t_before)})
            r = runs[-1]
            print(f"{r['impl']:32} {tokens:4} tokens  {r['tokensPerSecond']:7.0f} tokens/s  p50 {s['p50Ms']:7.1f} ms  p99 {s['p99Ms']:7.1f} ms  others' CPU {r['othersCpuShare']:.0%}", file=sys.stderr)
    config = json.loads((folder / "config.json").read_text())
    return {
        "model": {"folder": str(folder), "layers": config["n_layers"], "hidden": config["dim"], "vocab": config["vocab_size"], "labels": len(config["id2label"]), "dtype": "fp32", "attention": config.get("_attn_implementation") or "default"},
        "notes": {str(n): {"tokens": n, "sha256": hashlib.sha256(t.encode()).hexdigest()} for n, t in notes.items()},
        "runs": runs,
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(), "loadavg1Before": load_before, "loadavg1After": os.getloadavg()[0], "torchDefaultThreads": thread_counts[-1]},
        "versions": {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__},
        "iterations": iterations,
        "date": datetime.now(timezone.utc).isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path, nargs="?", default=Path("models/transformer/bench-standard"))
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--out", type=Path, default=Path("bench-results/python-pipeline.json"))
    args = parser.parse_args()
    default_threads = torch.get_num_threads()
    result = bench(args.model, args.iterations, sorted({1, default_threads}))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
