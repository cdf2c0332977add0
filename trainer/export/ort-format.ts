// The ORT-format twin of an exported q8 graph, for the Worker: onnxruntime loads an .ort file with its weights used in
// place from the model bytes (one copy in memory instead of three: docs/workers.md). Converted by onnxruntime-node —
// the same release as the edge's onnxruntime-web, so the format versions match — with the graph optimized once here,
// as the ONNX file is at load (ORT_CONVERSION_OPTIONS).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { DTYPE_FILES, firstLine, MednerError, ortFormatFile, sha256Hex, type Manifest } from "../../core/index.ts";
import { ORT_CONVERSION_OPTIONS } from "../../functions/adapters/ort-runner.ts";

/** The ORT-format bytes of `onnx`, a tagger's or a transformer's graph. */
export async function toOrtFormat(onnx: Uint8Array, kind: keyof typeof ORT_CONVERSION_OPTIONS): Promise<Uint8Array> {
  // onnxruntime writes an optimized model only to a path.
  const dir = mkdtempSync(join(tmpdir(), "medner-ort-"));
  try {
    const src = join(dir, "model.onnx");
    const dst = join(dir, "model.ort");
    writeFileSync(src, onnx);
    const base = ORT_CONVERSION_OPTIONS[kind];
    const extra = { session: { ...("extra" in base ? base.extra.session : {}), save_model_format: "ORT" } };
    const session = await ort.InferenceSession.create(src, { ...base, extra, optimizedModelFilePath: dst });
    await session.release();
    return new Uint8Array(readFileSync(dst));
  } catch (err) {
    throw new MednerError("E401", `converting to ORT format failed (${firstLine(err)})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Copies the exported tagger folder `src` to `out` with the ORT-format twin of its q8 graph added and listed in the
 * manifest: how a folder shipped without the twin (models/custom/default) is made ready for the Worker.
 */
export async function copyWithOrtTwin(src: string, out: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(src, "manifest.json"), "utf8")) as Manifest;
  const file = DTYPE_FILES.q8;
  if (manifest.kind !== "tagger" || !manifest.files[file]) throw new MednerError("E401", `${src} is not an exported tagger with ${file} to convert`);
  const onnx = new Uint8Array(readFileSync(join(src, file)));
  const ort = await toOrtFormat(onnx, "tagger");
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const f of Object.keys(manifest.files)) copyFileSync(join(src, f), join(tmp, f));
  writeFileSync(join(tmp, ortFormatFile(file)), ort);
  manifest.files[ortFormatFile(file)] = { sha256: await sha256Hex(ort), size: ort.byteLength, dtype: "q8" };
  writeFileSync(join(tmp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dirname(out), { recursive: true });
  renameSync(tmp, out);
}
