// The ORT-format twin of an exported q8 graph, for the Worker: onnxruntime loads an .ort file with its weights used in
// place from the model bytes (one copy in memory instead of three: docs/workers.md). Converted by onnxruntime-node —
// the same release as the edge's onnxruntime-web, so the format versions match — with the graph optimized once here,
// as the ONNX file is at load (ORT_CONVERSION_OPTIONS).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { firstLine, MednerError } from "../../core/index.ts";
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
