"""Long notes two ways: the way medner runs them (core/transformer/windows.ts, ported here line for line) and the way
the Python pipeline's `stride` runs them (its chunks, made as tokenizers 0.22 made them; see stride_chunks)."""
import torch


def plan_windows(token_count: int, size: int, overlap: int) -> list[tuple[int, int]]:
    """windows.ts planWindows: windows of `size` pieces sharing `overlap`; the last one pulled back to end at the end."""
    if token_count == 0:
        return []
    if token_count <= size:
        return [(0, token_count)]
    step = size - overlap
    windows = []
    start = 0
    while start + size < token_count:
        windows.append((start, start + size))
        start += step
    windows.append((token_count - size, token_count))
    return windows


def window_owners(token_count: int, windows: list[tuple[int, int]]) -> list[int]:
    """windows.ts windowOwners: each piece takes the window where it sits farthest from an edge (ties: the earlier)."""
    owner = [-1] * token_count
    best = [-1.0] * token_count
    for k, (start, end) in enumerate(windows):
        for t in range(start, end):
            left = t - start if start > 0 else float("inf")
            right = end - 1 - t if end < token_count else float("inf")
            d = min(left, right)
            if d > best[t]:
                best[t] = d
                owner[t] = k
    assert -1 not in owner
    return owner


def medner_merged_logits(model, ids: list[int], cls_id: int, sep_id: int, size: int, overlap: int):
    """Runs each window alone ([CLS] window [SEP]) and keeps each piece's row from its owner: what the engine computes."""
    windows = plan_windows(len(ids), size, overlap)
    rows = []
    with torch.no_grad():
        for start, end in windows:
            x = torch.tensor([[cls_id, *ids[start:end], sep_id]])
            rows.append(model(input_ids=x, attention_mask=torch.ones_like(x)).logits[0, 1:-1])
    owner = window_owners(len(ids), windows)
    merged = torch.stack([rows[owner[t]][t - windows[owner[t]][0]] for t in range(len(ids))])
    return windows, merged


def stride_chunks(backend, text: str, max_length: int, stride: int):
    """
    The encodings the pipeline's `stride` asks tokenizers for (truncation to `max_length` with overflow), built as
    tokenizers 0.22.2 builds them: the whole text encoded without truncation, cut by Encoding.truncate (which fills
    `overflowing`), then [CLS]/[SEP] added to each part by the post-processor. tokenizers 0.23.1+ stops encoding at
    `max_length` when truncation is on, so its overflow misses most of a long note (huggingface/tokenizers#2091).
    """
    whole = backend.encode(text, add_special_tokens=False)
    added = backend.num_special_tokens_to_add(False)
    whole.truncate(max_length - added, stride=stride)
    return [backend.post_process(part) for part in [whole, *whole.overflowing]]


def installed_overflow(backend, text: str, max_length: int, stride: int):
    """The chunks this tokenizers' own truncation with overflow gives (what the pipeline gets from it)."""
    backend.enable_truncation(max_length, stride=stride)
    try:
        enc = backend.encode(text)
    finally:
        backend.no_truncation()
    return [enc, *enc.overflowing]


def chunk_inputs(chunks, pad_id: int, text: str):
    """The pipeline's preprocess output for those chunks: padded to the longest (padding=True), as torch tensors."""
    width = max(len(c.ids) for c in chunks)
    for i, c in enumerate(chunks):
        pad = width - len(c.ids)
        yield {
            "input_ids": torch.tensor([c.ids + [pad_id] * pad]),
            "attention_mask": torch.tensor([c.attention_mask + [0] * pad]),
            "special_tokens_mask": torch.tensor([c.special_tokens_mask + [1] * pad]),
            "offset_mapping": torch.tensor([list(c.offsets) + [(0, 0)] * pad]),
            "sentence": text if i == 0 else None,
            "is_last": i == len(chunks) - 1,
        }
