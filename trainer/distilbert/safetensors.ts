// Reads and writes safetensors (an 8-byte little-endian header length, a JSON header, then raw little-endian data).
// Hand-written: the format is this one page of code, and no kept npm package reads it without pulling in a runtime.
import { MednerError } from "../../core/errors.ts";
import type { Weights } from "./weights.ts";

/** Bytes per element of each dtype the format names; only F32, F16 and BF16 become weights, the rest are skipped. */
const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};
const FLOAT_DTYPES = new Set(["F32", "F16", "BF16"]);
/** A header larger than this is not a model header (the Rust reference refuses above 100 MB too). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsContents {
  weights: Weights;
  /** Tensors that are not floating point (e.g. an I64 `position_ids` buffer): present in the file but not weights. */
  skipped: Array<{ name: string; dtype: string; shape: number[] }>;
  metadata: Record<string, string>;
}

const corrupt = (where: string, what: string) => new MednerError("E512", `${where}: not a valid safetensors file: ${what}`);

/** Parses a safetensors file; F16 and BF16 tensors are widened to float32. `where` names the file in errors. */
export function readSafetensors(bytes: Uint8Array, where = "safetensors"): SafetensorsContents {
  if (bytes.byteLength < 8) throw corrupt(where, `${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    throw corrupt(where, `header length ${headerLength} does not fit in a ${bytes.byteLength}-byte file`);
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes.subarray(8, dataStart)));
  } catch (err) {
    throw corrupt(where, `header is not JSON (${(err as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw corrupt(where, "header is not a JSON object");

  const dataLength = bytes.byteLength - dataStart;
  const result: SafetensorsContents = { weights: new Map(), skipped: [], metadata: {} };
  const spans: Array<[number, number]> = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      result.metadata = parseMetadata(entry, where);
      continue;
    }
    const { dtype, shape, begin, end } = parseEntry(name, entry, where);
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * DTYPE_BYTES[dtype]!) throw corrupt(where, `${name}: ${end - begin} bytes for ${dtype}[${shape.join(", ")}]`);
    if (end > dataLength) throw corrupt(where, `${name}: data ends at ${end}, past the ${dataLength} data bytes`);
    spans.push([begin, end]);
    if (FLOAT_DTYPES.has(dtype)) result.weights.set(name, { shape, data: toFloat32(bytes.subarray(dataStart + begin, dataStart + end), dtype) });
    else result.skipped.push({ name, dtype, shape });
  }
  checkCoverage(spans, dataLength, where);
  return result;
}

function parseMetadata(entry: unknown, where: string): Record<string, string> {
  if (typeof entry !== "object" || entry === null || Object.values(entry).some((v) => typeof v !== "string")) {
    throw corrupt(where, "__metadata__ must map strings to strings");
  }
  return entry as Record<string, string>;
}

function parseEntry(name: string, entry: unknown, where: string): { dtype: string; shape: number[]; begin: number; end: number } {
  const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
  const isDims = (v: unknown, n?: number): v is number[] =>
    Array.isArray(v) && (n === undefined || v.length === n) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (typeof e !== "object" || e === null) throw corrupt(where, `${name}: entry is not an object`);
  if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_BYTES)) throw corrupt(where, `${name}: unknown dtype ${JSON.stringify(e.dtype)}`);
  if (!isDims(e.shape)) throw corrupt(where, `${name}: shape must be a list of non-negative integers`);
  if (!isDims(e.data_offsets, 2) || e.data_offsets[0]! > e.data_offsets[1]!) throw corrupt(where, `${name}: data_offsets must be [begin, end]`);
  return { dtype: e.dtype, shape: e.shape, begin: e.data_offsets[0]!, end: e.data_offsets[1]! };
}

/** The format requires tensors to tile the data section exactly: no gaps, no overlaps, nothing after the last one. */
function checkCoverage(spans: Array<[number, number]>, dataLength: number, where: string): void {
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let at = 0;
  for (const [begin, end] of spans) {
    if (begin !== at) throw corrupt(where, begin < at ? `tensors overlap at byte ${begin}` : `gap in the data at bytes ${at}–${begin}`);
    at = end;
  }
  if (at !== dataLength) throw corrupt(where, `${dataLength - at} bytes after the last tensor`);
}

function toFloat32(raw: Uint8Array, dtype: string): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(raw.byteLength / DTYPE_BYTES[dtype]!);
  if (dtype === "F32") for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  else if (dtype === "BF16") for (let i = 0; i < out.length; i++) out[i] = bf16ToFloat(view.getUint16(i * 2, true));
  else for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  return out;
}

const bits = new DataView(new ArrayBuffer(4));
/** bfloat16 is the top half of a float32. */
function bf16ToFloat(h: number): number {
  bits.setUint32(0, h << 16);
  return bits.getFloat32(0);
}

/** IEEE 754 binary16 → number, subnormals, infinities and NaN included. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Serialises float32 weights as safetensors (tensors in name order, header padded to 8 bytes as the reference does). */
export function writeSafetensors(weights: Weights, metadata: Record<string, string> = {}): Uint8Array {
  const names = [...weights.keys()].sort();
  const header: Record<string, unknown> = Object.keys(metadata).length ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const name of names) {
    const { shape, data } = weights.get(name)!;
    if (shape.reduce((a, b) => a * b, 1) !== data.length) throw new Error(`writeSafetensors: ${name} has ${data.length} values for shape [${shape.join(", ")}]`);
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const { data } = weights.get(name)!;
    for (let i = 0; i < data.length; i++, at += 4) view.setFloat32(at, data[i]!, true);
  }
  return out;
}
