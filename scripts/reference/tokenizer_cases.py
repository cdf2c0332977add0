"""Generated strings with the pieces and code-point offsets the Rust tokenizers (what Python runs) give them, for three
BERT normalizer settings: core/transformer/wordpiece.test.ts checks medner's tokenizer against them."""
import json
import random
from pathlib import Path

from tokenizers import Tokenizer

CASES = 500
# Each string mixes characters from a few of these pools: what clinical text holds and what tends to break offsets.
POOLS = [
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    " \t\n\r\u00a0\u2003\u3000\u2028\u0085\u200b\u00ad\ufeff\u200d",
    ".,;:!?()[]{}-/\\'\"@#$%^&*_+=<>|~`",
    "éèüöäïçñßİıΣσςΑΩαβµ°±×½²ﬁＡｍ",
    "\u0301\u0308\u0303\u0327\u20dd",
    "胸痛发热患者三天의두통ㄱアイ",
    "𠀀𠀁𪚥𠮷𫠠𬺰𰀀𲎯\U0002f800\U0002fa1d\U0002b820\U0002b920",
    "🫀💊👍🏽👩‍⚕️😀",
    "\u0378\uffff\ue000\U000f0000\U000e0041\u0000\u0007\ufffd",
    ["[MASK]", "[SEP]", "[UNK]", "[CLS]", "[PAD]"],
]


def tokenizer_cases(uncased_tokenizer_json: Path, cased_tokenizer_json: Path, seed: int = 5) -> dict:
    uncased = json.loads(uncased_tokenizer_json.read_text())
    keep_accents = {**uncased, "normalizer": {**uncased["normalizer"], "strip_accents": False}}
    tokenizers = {
        "uncased": Tokenizer.from_str(json.dumps(uncased)),
        "uncased-keep-accents": Tokenizer.from_str(json.dumps(keep_accents)),
        "cased": Tokenizer.from_file(str(cased_tokenizer_json)),
    }
    rng = random.Random(seed)
    cases = []
    for _ in range(CASES):
        pools = rng.sample(POOLS, rng.randint(1, 4))
        text = "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, 24)))
        pieces = {}
        for name, tok in tokenizers.items():
            enc = tok.encode(text, add_special_tokens=False)
            pieces[name] = {"ids": enc.ids, "offsets": [list(o) for o in enc.offsets]}
        cases.append({"text": text, **pieces})
    return {"normalizers": {name: json.loads(t.to_str())["normalizer"] for name, t in tokenizers.items()}, "cases": cases}
