"""Reference fixtures made by Hugging Face's own Python: small DistilBertForTokenClassification models (d4data's 84
labels, medner's generated uncased WordPiece vocabulary) saved with save_pretrained as the hub serves a repository, and
what `pipeline("token-classification")` answers with them for every aggregation strategy over
tests/fixtures/reference/texts.json, with per-token logits. medner's tests compare its engine against these files; they
never run Python. Usage (from the repository root, in the venv of scripts/reference/README.md):

    python scripts/reference/make_fixtures.py
"""
import json
import platform
import subprocess
from pathlib import Path

import numpy as np
import safetensors
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer
from transformers import DistilBertConfig, DistilBertForTokenClassification, DistilBertTokenizer, pipeline
from transformers.models.bert.tokenization_bert import load_vocab
from transformers.pipelines.token_classification import AggregationStrategy

from long_notes import chunk_inputs, installed_overflow, medner_merged_logits, stride_chunks
from tokenizer_cases import tokenizer_cases

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/fixtures/reference"
LABELS = json.loads((ROOT / "models/transformer/d4data-labels.json").read_text())["labels"]
STRATEGIES = ["none", "simple", "first", "average", "max"]
MAX_LENGTH = 512
# medner's window for a 512-position model: 510 pieces between [CLS] and [SEP], sharing min(128, 510 // 4) = 127
# (core/transformer/engine.ts); the pipeline's `stride` is given the same overlap, so both cut the first windows alike.
WINDOW, OVERLAP = MAX_LENGTH - 2, 127

# Two shapes, so agreement is not one lucky draw. initializer_range 0.1: with DistilBERT's default 0.02 attention is
# nearly uniform and a piece's logits barely depend on its neighbours; at 0.2 (small model) cutting a note's context
# from 510 pieces to 150 flipped 69% of the first 100 pieces' argmax and torch's own float32 logits were 5.5e-5 off
# float64; at 0.1, 7% and 7.5e-6.
MODELS = {
    "tiny": {"vocab": 1200, "n_layers": 2, "dim": 32, "n_heads": 4, "hidden_dim": 64, "seed": 1},
    "small": {"vocab": 3000, "n_layers": 3, "dim": 64, "n_heads": 4, "hidden_dim": 128, "seed": 2},
}
INITIALIZER_RANGE = 0.1
# Decisive logits. With random weights every piece's last hidden state shares a large common part, so a plain random
# classifier lets a few labels win everywhere, each by little. The classifier is therefore calibrated on the pieces of
# the fixture texts: rows drawn N(0, 1), scaled so that W·(h − mean h) has standard deviation LOGIT_STD, and biases
# TARGETS − W·mean h, so each label's mean logit is its target: O and a few common types win most pieces (I- more
# often than B-, so runs of one type form multi-piece groups), the other 37 types now and then.
LOGIT_STD = 4.0
TARGETS = {"O": 10.0, "common B-": 4.0, "common I-": 6.0, "other": 0.0}
COMMON_TYPES = ["Medication", "Disease_disorder", "Sign_symptom", "Dosage", "Diagnostic_procedure", "Lab_value"]


def medner_vocab(size: int) -> Path:
    """medner's generated vocabulary (trainer/distilbert/vocab.ts), written to a vocab.txt."""
    path = OUT / f".vocab-{size}.txt"
    vocab = subprocess.run(["npx", "tsx", "scripts/reference/vocab.ts", str(size)], cwd=ROOT, check=True, capture_output=True, text=True)
    path.write_text(vocab.stdout)
    return path


def target_bias() -> torch.Tensor:
    def target(label: str) -> float:
        if label == "O":
            return TARGETS["O"]
        return TARGETS[f"common {label[:2]}"] if label.split("-", 1)[1] in COMMON_TYPES else TARGETS["other"]
    return torch.tensor([target(l) for l in LABELS])


def build_model(name: str, spec: dict, texts: list[str]) -> Path:
    folder = OUT / "models" / name
    vocab_file = medner_vocab(spec["vocab"])
    tokenizer = DistilBertTokenizer(vocab=load_vocab(str(vocab_file)), do_lower_case=True, model_max_length=MAX_LENGTH)
    vocab_file.unlink()
    # Saved before it encodes anything: a call with truncation sets it on the tokenizer, and save_pretrained would keep it.
    tokenizer.save_pretrained(folder)
    config = DistilBertConfig(
        vocab_size=spec["vocab"], n_layers=spec["n_layers"], dim=spec["dim"], n_heads=spec["n_heads"],
        hidden_dim=spec["hidden_dim"], max_position_embeddings=MAX_LENGTH, initializer_range=INITIALIZER_RANGE,
        pad_token_id=tokenizer.pad_token_id, id2label=dict(enumerate(LABELS)), label2id={l: i for i, l in enumerate(LABELS)},
        architectures=["DistilBertForTokenClassification"],
    )
    torch.manual_seed(spec["seed"])
    model = DistilBertForTokenClassification(config).eval()
    with torch.no_grad():
        encoded = [tokenizer(t, return_tensors="pt", truncation=True) for t in texts if t.strip()]
        hidden = torch.cat([model.distilbert(**e).last_hidden_state[0, 1:-1] for e in encoded])
        mean = hidden.mean(0)
        w = torch.randn(len(LABELS), spec["dim"], generator=torch.Generator().manual_seed(spec["seed"]))
        w *= LOGIT_STD / ((hidden - mean) @ w.T).std()
        model.classifier.weight.copy_(w)
        model.classifier.bias.copy_(target_bias() - w @ mean)
    model.save_pretrained(folder)
    return folder


def f32(v) -> float:
    """A float32 as the shortest decimal that reads back as the same float32."""
    return float(str(np.float32(v)))


def rows(entities: list[dict], strategy: str) -> list[list]:
    """Compact rows: none [entity, index, start, end, word, score]; others [entity_group, start, end, word, score]."""
    keys = ["entity", "index", "start", "end", "word"] if strategy == "none" else ["entity_group", "start", "end", "word"]
    return [[int(e[k]) if isinstance(e[k], np.integer) else e[k] for k in keys] + [f32(e["score"])] for e in entities]


def postprocess(pipe, text: str, enc, logits: torch.Tensor, strategy: str) -> list[dict]:
    """The pipeline's own postprocess over given logits for the whole note (one chunk spanning it)."""
    outputs = {
        "logits": logits[None], "input_ids": torch.tensor([enc.ids]), "offset_mapping": torch.tensor([enc.offsets]),
        "special_tokens_mask": torch.tensor([enc.special_tokens_mask]), "sentence": text, "is_last": True,
    }
    return rows(pipe.postprocess([outputs], aggregation_strategy=AggregationStrategy(strategy), ignore_labels=[]), strategy)


def margins(logits: np.ndarray) -> np.ndarray:
    top2 = np.sort(logits, axis=-1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


def run_texts(pipe, folder: Path, texts: list[dict]) -> tuple[list[dict], np.ndarray, dict]:
    # A tokenizer of its own, read from the saved file: the pipeline's call leaves truncation set on its backend.
    backend = Tokenizer.from_file(str(folder / "tokenizer.json"))
    assert backend.truncation is None and backend.padding is None
    cls_id, sep_id, pad_id = pipe.tokenizer.cls_token_id, pipe.tokenizer.sep_token_id, pipe.tokenizer.pad_token_id
    out, all_logits = [], []
    for t in texts:
        text = t["text"]
        enc = backend.encode(text)  # [CLS] … [SEP], no truncation
        ids = enc.ids[1:-1]
        record = {"id": t["id"], "ids": ids, "offsets": [list(o) for o in enc.offsets[1:-1]]}
        if len(ids) <= WINDOW:
            with torch.no_grad():
                x = torch.tensor([enc.ids])
                logits = pipe.model(input_ids=x, attention_mask=torch.ones_like(x)).logits[0]
            record["pipeline"] = {s: rows(pipe(text, aggregation_strategy=s, ignore_labels=[]), s) for s in STRATEGIES}
            # The logits stored are the pipeline's: its postprocess over them gives back its answers.
            for s in STRATEGIES:
                assert postprocess(pipe, text, enc, logits, s) == record["pipeline"][s], (t["id"], s)
        else:
            windows, merged = medner_merged_logits(pipe.model, ids, cls_id, sep_id, WINDOW, OVERLAP)
            edge = torch.zeros(1, merged.shape[1])
            logits = torch.cat([edge, merged, edge])  # rows for [CLS]/[SEP], which postprocess skips
            record["windows"] = windows
            record["pipeline"] = {s: postprocess(pipe, text, enc, logits, s) for s in STRATEGIES}
            chunks = stride_chunks(backend, text, MAX_LENGTH, OVERLAP)
            step = WINDOW - OVERLAP
            record["strideChunks"] = [[k * step, min(k * step + WINDOW, len(ids))] for k in range(len(chunks))]
            assert [c.ids[1:-1] for c in chunks] == [ids[a:b] for a, b in record["strideChunks"]], t["id"]
            # What this tokenizers' own truncation gives instead: pieces per chunk ([CLS]/[SEP] not counted).
            installed = installed_overflow(backend, text, MAX_LENGTH, OVERLAP)
            record["strideChunksInstalled"] = [len(c.ids) - 2 for c in installed]
            outputs = [pipe.forward(m) for m in chunk_inputs(chunks, pad_id, text)]
            record["stride"] = {
                s: rows(pipe.postprocess(outputs, aggregation_strategy=AggregationStrategy(s), ignore_labels=[]), s)
                for s in STRATEGIES[1:]
            }
        logits = logits[1:-1].numpy()
        record["logitsRow"] = sum(len(a) for a in all_logits)
        all_logits.append(logits)
        out.append(record)
    logits = np.concatenate(all_logits)
    m = margins(logits)
    stats = {
        "tokens": int(m.size), "min": float(m.min()), "p01": float(np.percentile(m, 1)), "median": float(np.median(m)),
        "below 0.01": int((m < 0.01).sum()), "below 0.1": int((m < 0.1).sum()),
    }
    return out, logits, {"top2LogitMargin": stats}


def write_json(path: Path, doc: dict, listed: str) -> None:
    """Indented, with one line per entry of doc[listed], so a regenerated file diffs line by line."""
    head = json.dumps({k: v for k, v in doc.items() if k != listed}, ensure_ascii=False, indent=1)[:-2]
    lines = ",\n".join(json.dumps(x, ensure_ascii=False, separators=(",", ":")) for x in doc[listed])
    path.write_text(f'{head},\n "{listed}": [\n{lines}\n ]\n}}\n')


def main() -> None:
    torch.set_num_threads(1)
    texts = json.loads((OUT / "texts.json").read_text())["texts"]
    versions = {
        "python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__, "safetensors": safetensors.__version__, "numpy": np.__version__,
    }
    for name, spec in MODELS.items():
        folder = build_model(name, spec, [t["text"] for t in texts])
        pipe = pipeline("token-classification", model=str(folder), tokenizer=str(folder), device="cpu")
        records, logits, stats = run_texts(pipe, folder, texts)
        (OUT / f"{name}.logits.f32").write_bytes(logits.astype("<f4").tobytes())
        fixture = {
            "about": f"What transformers' token-classification pipeline answers with models/{name} "
            "(scripts/reference/make_fixtures.py). Per text: the pieces (ids, code-point offsets, [CLS]/[SEP] left out); "
            f"their logits, pieces × labels, from row logitsRow of {name}.logits.f32 (float32 little-endian); pipeline: "
            "its answer for each aggregation strategy with ignore_labels [], as rows (none: entity, index, start, end, "
            "word, score; the others: entity_group, start, end, word, score). Long notes (over one window): logits and "
            "pipeline are medner's windows merged (each window run alone, each piece from the window where it sits "
            "farthest from an edge), then the pipeline's own postprocess; stride: the pipeline's answer with stride=127, "
            "its chunks made as tokenizers 0.22.2 makes them.",
            "versions": versions,
            "model": {**spec, "labels": len(LABELS), "maxLength": MAX_LENGTH, "initializerRange": INITIALIZER_RANGE, "classifier": {
                "logitStd": LOGIT_STD, "meanLogits": TARGETS, "commonTypes": COMMON_TYPES,
                "how": "rows N(0, 1) scaled so W·(h − mean h) has standard deviation logitStd over the pieces of texts.json; "
                "bias meanLogits − W·mean h",
            }},
            "window": {"pieces": WINDOW, "overlap": OVERLAP, "stride": OVERLAP},
            "stats": stats,
            "texts": records,
        }
        write_json(OUT / f"{name}.json", fixture, "texts")
        size = sum(f.stat().st_size for f in folder.iterdir())
        print(f"{name}: {size / 1e3:.0f} kB of model files, {stats}")
    cases = tokenizer_cases(OUT / "models/tiny/tokenizer.json", ROOT / "tests/fixtures/tokenizers/bert-cased/tokenizer.json")
    cases = {
        "about": f"Generated strings and the pieces (ids, code-point offsets) tokenizers {tokenizers.__version__} gives "
        "them (scripts/reference/tokenizer_cases.py). uncased: models/tiny/tokenizer.json; uncased-keep-accents: the "
        "same with normalizer.strip_accents false; cased: tests/fixtures/tokenizers/bert-cased/tokenizer.json.",
        "versions": versions, **cases,
    }
    write_json(OUT / "tokenizer-cases.json", cases, "cases")


if __name__ == "__main__":
    main()
