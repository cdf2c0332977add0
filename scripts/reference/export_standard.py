"""The "standard" q8 artifact as the real toolchain makes it, from a transformer folder that medner generated.

transformers.js users run what its conversion does: optimum's ONNX export of the Hugging Face model, then
onnxruntime's dynamic quantizer with int8 weights (scripts/quantize.py there, mode q8: QInt8 weights for a model
without Conv, per_channel and reduce_range off, MatMulConstBOnly). optimum does not install from this machine's wheel
mirror, so this script calls what optimum calls for DistilBERT: torch.onnx.export with the TorchScript exporter,
opset 14 (optimum's default for BERT-like models), inputs input_ids / attention_mask and output logits with the axes
batch_size / sequence_length. Then onnxruntime.quantization.quantize_dynamic.

medner's generator keeps no safetensors, so the weights are read back from the folder's fp32 graph
(onnx/model.onnx: every tensor of the state dict is an initializer there, linear weights transposed, the medner
variant's q/k/v biases laid side by side); the script checks that torch then reproduces that graph's logits.

    python scripts/reference/export_standard.py models/transformer/bench-medner models/transformer/bench-standard

writes a folder in the hub's layout (config.json, model.safetensors, tokenizer files, onnx/model.onnx,
onnx/model_quantized.onnx) with a manifest.json that medner's loaders read.
"""

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
import transformers
from onnx import numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoConfig, DistilBertForTokenClassification

OPSET = 14
AXES = {0: "batch_size", 1: "sequence_length"}


def state_dict_from_onnx(fp32_graph: Path, model) -> dict[str, torch.Tensor]:
    """The HF state dict from the initializers of medner's fp32 graph (trainer/distilbert/distilbert-graph.ts names)."""
    init = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(fp32_graph)).graph.initializer}
    renamed = {"distilbert.embeddings.word_embeddings.weight": "word_embeddings", "distilbert.embeddings.position_embeddings.weight": "position_embeddings"}
    d = model.config.dim
    sd = {}
    for name, param in model.state_dict().items():
        lin = name.split(".")[-2]
        if name in renamed:
            value = init[renamed[name]]
        elif name not in init and lin in ("q_lin", "k_lin", "v_lin"):  # the medner variant's MultiHeadAttention takes one q|k|v bias
            i = ["q_lin", "k_lin", "v_lin"].index(lin)
            value = init[name.replace(f"{lin}.bias", "qkv.bias")][i * d : (i + 1) * d]
        elif param.ndim == 2:  # MatMul's right operand is torch Linear's weight transposed
            value = init[name].T
        else:
            value = init[name]
        sd[name] = torch.from_numpy(np.array(value, dtype=np.float32))
    return sd


class LogitsOnly(torch.nn.Module):
    """optimum exports the logits alone; the HF model returns a ModelOutput."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask):
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits


def probe_inputs(vocab_size: int) -> dict[str, np.ndarray]:
    """Two rows, the second padded, so a broken attention mask shows in the comparison."""
    rng = np.random.default_rng(0)
    ids = rng.integers(1, vocab_size, size=(2, 24), dtype=np.int64)
    mask = np.ones_like(ids)
    mask[1, 15:] = 0
    ids[1, 15:] = 0
    return {"input_ids": ids, "attention_mask": mask}


def ort_logits(graph: Path, feeds: dict[str, np.ndarray]) -> np.ndarray:
    return onnxruntime.InferenceSession(str(graph), providers=["CPUExecutionProvider"]).run(["logits"], feeds)[0]


def max_diff_on_real_tokens(a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> float:
    return float(np.abs(a - b)[mask.astype(bool)].max())


def file_entry(path: Path, dtype: str | None = None) -> dict:
    data = path.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data), **({"dtype": dtype} if dtype else {})}


def export(source: Path, out: Path) -> dict:
    config = AutoConfig.from_pretrained(source)
    model = DistilBertForTokenClassification(config).eval()
    model.load_state_dict(state_dict_from_onnx(source / "onnx/model.onnx", model), strict=True)
    feeds = probe_inputs(config.vocab_size)
    with torch.no_grad():
        reference = model(**{k: torch.from_numpy(v) for k, v in feeds.items()}).logits.numpy()
    weights_error = max_diff_on_real_tokens(reference, ort_logits(source / "onnx/model.onnx", feeds), feeds["attention_mask"])
    if weights_error > 1e-3:
        sys.exit(f"export_standard: torch with the weights read from {source}/onnx/model.onnx differs from that graph by {weights_error:.2e}")

    # Written next to the target and renamed at the end, so a failure leaves no half-written folder.
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        model.save_pretrained(tmp)
        for f in ["tokenizer.json", "tokenizer_config.json"]:
            shutil.copy(source / f, tmp / f)
        (tmp / "onnx").mkdir()
        with torch.no_grad():
            torch.onnx.export(
                LogitsOnly(model),
                (torch.from_numpy(feeds["input_ids"]), torch.from_numpy(feeds["attention_mask"])),
                str(tmp / "onnx/model.onnx"),
                input_names=["input_ids", "attention_mask"],
                output_names=["logits"],
                dynamic_axes={"input_ids": AXES, "attention_mask": AXES, "logits": AXES},
                opset_version=OPSET,
                do_constant_folding=True,
                dynamo=False,
            )
        quantize_dynamic(
            str(tmp / "onnx/model.onnx"),
            str(tmp / "onnx/model_quantized.onnx"),
            weight_type=QuantType.QInt8,
            per_channel=False,
            reduce_range=False,
            extra_options={"MatMulConstBOnly": True},
        )
        fp32_error = max_diff_on_real_tokens(reference, ort_logits(tmp / "onnx/model.onnx", feeds), feeds["attention_mask"])
        if fp32_error > 1e-3:
            sys.exit(f"export_standard: the exported fp32 graph differs from torch by {fp32_error:.2e}")

        medner = json.loads((source / "manifest.json").read_text())
        files = {str(p.relative_to(tmp)): file_entry(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
        files["onnx/model.onnx"]["dtype"] = "fp32"
        files["onnx/model_quantized.onnx"]["dtype"] = "q8"
        manifest = {
            **{k: medner[k] for k in ["name", "version", "kind", "architecture", "dtype", "labels", "shape", "maxLength"]},
            "files": files,
            "source": {**medner["source"], "weightsFrom": f"{source}/onnx/model.onnx (sha256 {medner['files']['onnx/model.onnx']['sha256']})"},
            "graph": {
                "builder": "toolchain",
                "variant": "standard",
                "fp32": f"torch.onnx.export (TorchScript exporter), opset {OPSET}, attention {config._attn_implementation}",
                "q8": "onnxruntime.quantization.quantize_dynamic, QInt8 weights, per_channel off, reduce_range off, MatMulConstBOnly",
                "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__},
                "checks": {"weightsMaxAbsLogitDiff": weights_error, "exportMaxAbsLogitDiff": fp32_error},
            },
            "createdAt": datetime.now(timezone.utc).isoformat(),
            "gitCommit": None,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="a folder written by `npm run models:generate` (either variant)")
    parser.add_argument("out", type=Path, help="where to write the toolchain's folder")
    args = parser.parse_args()
    manifest = export(args.source, args.out)
    for f, e in manifest["files"].items():
        print(f"{f:27} {e['size'] / 1e6:10.3f} MB")
    print(f"checks: {json.dumps(manifest['graph']['checks'])}", file=sys.stderr)


if __name__ == "__main__":
    main()
