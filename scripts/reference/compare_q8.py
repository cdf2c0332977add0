"""How far each ONNX graph of one model strays from torch fp32, per token, on the bench's notes.

    python scripts/reference/compare_q8.py models/transformer/bench-standard \
        toolchain=models/transformer/bench-standard/onnx/model_quantized.onnx \
        medner=models/transformer/bench-medner/onnx/model_quantized.onnx

The folder gives torch its model (model.safetensors, as export_standard.py writes it) and the tokenizer; each graph
runs in onnxruntime on the same token ids (one note per run, no padding, as our engine runs a q8 window). Per graph:
argmax agreement with torch fp32 over the notes' word pieces ([CLS] and [SEP] left out, as the bench counts), the
same on the tokens whose top two fp32 logits are at least 1 apart, and the logit error. Every graph is also set
against the first one: argmax agreement, largest logit difference, and how many of its int8 weight tensors are
byte-identical (values and scale) to one of the first graph's. Writes bench-results/q8-agreement.json.
"""

import argparse
import hashlib
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import numpy_helper
from transformers import AutoModelForTokenClassification, AutoTokenizer

from bench_pipeline import note_of_tokens

DECISIVE_MARGIN = 1.0  # scripts/bench/transformer.ts's DECISIVE_MARGIN


def int8_tensors(graph: Path) -> dict[str, str]:
    """sha256 of each 2-D int8/uint8 initializer with its scale and zero point → its name."""
    init = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(graph)).graph.initializer}
    out = {}
    for name, v in init.items():
        if v.ndim == 2 and v.dtype in (np.int8, np.uint8) and name.endswith("_quantized"):
            base = name[: -len("_quantized")]
            parts = [v, init.get(f"{base}_scale", np.array([])), init.get(f"{base}_zero_point", np.zeros((), v.dtype))]
            out[hashlib.sha256(b"".join(np.asarray(p).tobytes() for p in parts)).hexdigest()] = name
    return out


def compare(folder: Path, graphs: dict[str, Path]) -> dict:
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForTokenClassification.from_pretrained(folder).eval()
    notes = {n: note_of_tokens(tokenizer, n) for n in (128, 512)}
    ids = {n: tokenizer(t, return_tensors="np")["input_ids"] for n, t in notes.items()}
    with torch.no_grad():
        fp32 = {n: model(input_ids=torch.from_numpy(i)).logits[0, 1:-1].numpy() for n, i in ids.items()}
    logits = {}
    for name, path in graphs.items():
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        logits[name] = {n: session.run(["logits"], {"input_ids": i, "attention_mask": np.ones_like(i)})[0][0, 1:-1] for n, i in ids.items()}

    ref = np.concatenate([fp32[n] for n in notes])
    top2 = np.sort(ref, axis=1)[:, -2:]
    decisive = (top2[:, 1] - top2[:, 0]) >= DECISIVE_MARGIN
    first = next(iter(graphs))
    first_int8 = int8_tensors(graphs[first])
    result = {}
    for name, path in graphs.items():
        q = np.concatenate([logits[name][n] for n in notes])
        same = q.argmax(1) == ref.argmax(1)
        err = np.abs(q - ref)
        other = np.concatenate([logits[first][n] for n in notes])
        own_int8 = int8_tensors(path)
        result[name] = {
            "graph": str(path),
            "bytes": path.stat().st_size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "vsTorchFp32": {
                **{f"agreement{n}": float((logits[name][n].argmax(1) == fp32[n].argmax(1)).mean()) for n in notes},
                "agreement": float(same.mean()),
                "decisiveAgreement": float(same[decisive].mean()),
                "meanAbsLogitError": float(err.mean()),
                "tokenMaxLogitErrorP99": float(np.quantile(err.max(1), 0.99)),
            },
            f"vs{first[0].upper()}{first[1:]}": {
                "agreement": float((q.argmax(1) == other.argmax(1)).mean()),
                "maxAbsLogitDiff": float(np.abs(q - other).max()),
                "int8TensorsIdentical": f"{len(own_int8.keys() & first_int8.keys())} of {len(own_int8)}",
            },
        }
    return {
        "torch": {"folder": str(folder), "attention": model.config._attn_implementation, "version": torch.__version__},
        "onnxruntime": onnxruntime.__version__,
        "notes": {str(n): {"tokens": n, "sha256": hashlib.sha256(t.encode()).hexdigest()} for n, t in notes.items()},
        "tokens": int(len(ref)),
        "decisive": {"minMargin": DECISIVE_MARGIN, "tokens": int(decisive.sum())},
        "graphs": result,
        "date": datetime.now(timezone.utc).isoformat(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the toolchain's folder (export_standard.py): torch's weights and the tokenizer")
    parser.add_argument("graphs", nargs="+", help="name=path/to/graph.onnx; the first is the one the others are set against")
    parser.add_argument("--out", type=Path, default=Path("bench-results/q8-agreement.json"))
    args = parser.parse_args()
    graphs = {g.split("=", 1)[0]: Path(g.split("=", 1)[1]) for g in args.graphs}
    r = compare(args.folder, graphs)
    first = next(iter(graphs))
    print(f"{r['tokens']} tokens, {r['decisive']['tokens']} with top two fp32 logits ≥ {DECISIVE_MARGIN} apart; against torch fp32 and against {first}:")
    for name, g in r["graphs"].items():
        t, o = g["vsTorchFp32"], g[f"vs{first[0].upper()}{first[1:]}"]
        print(
            f"{name:12} {g['bytes'] / 1e6:7.1f} MB  vs torch fp32 {t['agreement128']:.2%} (128) {t['agreement512']:.2%} (512) {t['agreement']:.2%} (all) "
            f"{t['decisiveAgreement']:.2%} (decisive)  mean |err| {t['meanAbsLogitError']:.3f}  p99 {t['tokenMaxLogitErrorP99']:.2f}  |  "
            f"vs {first}: {o['agreement']:.2%}, max |diff| {o['maxAbsLogitDiff']:.3f}, int8 tensors identical {o['int8TensorsIdentical']}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(r, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
