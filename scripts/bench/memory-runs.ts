// The runs of `npm run bench -- memory` (workerd-memory.ts measures one): the default custom model, the BC5CDR recipe
// model (--bc5cdr DIR, an exported folder), the tiny and the full-size generated transformer on a 512-token and a
// 3,000-token note; each as the Worker loads it now, and the big ones also as it loaded them before the memory plan.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { WordPieceTokenizer } from "../../core/transformer/index.ts";
import { prepareLocal } from "../prepare-local.ts";
import { noteOfTokens } from "./transformer-notes.ts";
import { measureInWorkerd, type MemoryRun, type MemoryRunSpec } from "./workerd-memory.ts";

const TRANSFORMERS = { tiny: "models/transformer/bench-tiny", full: "models/transformer/bench-medner" } as const;

function generated(size: keyof typeof TRANSFORMERS): string {
  const dir = TRANSFORMERS[size];
  if (!existsSync(join(dir, "onnx/model_quantized.ort"))) {
    process.stderr.write(`medner bench: generating the ${size} transformer in ${dir} (same seed as the transformer bench)\n`);
    execFileSync(process.execPath, ["--import", "tsx", "scripts/generate-transformer.ts", "--size", size, "--variant", "medner", "--seed", "7", "--out", dir], { stdio: ["ignore", "ignore", "inherit"] });
  }
  return dir;
}

function tokenNote(dir: string, tokens: number): Pick<MemoryRunSpec, "note" | "noteLabel" | "units"> {
  const tokenizer = new WordPieceTokenizer(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")));
  return { note: noteOfTokens(tokenizer, tokens), noteLabel: `${tokens} tokens`, units: tokens };
}

const wordNote = (note: string, what: string) => {
  const words = note.trim().split(/\s+/).length;
  return { note, noteLabel: `${words} ${what}`, units: words };
};

/** The clinical notes run together, cut at a space to at most `chars` characters (the API's longest note). */
function longNote(chars: number): string {
  const all = ["dev", "train"].flatMap((split) => JSON.parse(readFileSync(`data/clinical-notes/${split}.json`, "utf8")) as Array<{ text: string }>).map((d) => d.text).join("\n\n");
  return all.slice(0, all.lastIndexOf(" ", chars));
}

export async function memoryRuns(o: { bc5cdr?: string; only?: string; nowOnly?: boolean }): Promise<MemoryRun[]> {
  const specs: MemoryRunSpec[] = [];
  const taggerRuns = (model: string, dir: string) =>
    [wordNote(readFileSync(new URL("note-100.txt", import.meta.url), "utf8"), "words"), wordNote(longNote(20_000), "words, 20,000 characters")].flatMap((note) => [
      { model, dir, as: "custom" as const, ...note, before: true },
      { model, dir, as: "custom" as const, ...note },
    ]);
  const custom = await prepareLocal();
  specs.push(...taggerRuns("custom (default)", custom));
  // --bc5cdr DIR[,DIR…]: the recipe model's exports (all vectors, and pruned ones: docs/workers.md).
  for (const bc5cdr of (o.bc5cdr ?? "exported/bc5cdr").split(",")) {
    if (existsSync(join(bc5cdr, "manifest.json"))) specs.push(...taggerRuns(`custom (BC5CDR recipe, ${basename(bc5cdr)})`, bc5cdr));
    else process.stderr.write(`medner bench: no BC5CDR model at ${bc5cdr} (train and export it: docs/workers.md; or pass --bc5cdr DIR); skipping it\n`);
  }
  const tiny = generated("tiny");
  specs.push({ model: "transformer (tiny)", dir: tiny, as: "transformer", ...tokenNote(tiny, 512) });
  const full = generated("full");
  for (const tokens of [512, 3000]) {
    const note = tokenNote(full, tokens);
    specs.push({ model: "transformer (full size)", dir: full, as: "transformer", ...note, before: true }, { model: "transformer (full size)", dir: full, as: "transformer", ...note });
  }
  // Both models in one isolate, as "model": "ensemble" asks for them.
  specs.push({ model: "ensemble (default custom + full-size transformer)", dir: custom, transformerDir: full, as: "ensemble", ...tokenNote(full, 3000) });
  const runs: MemoryRun[] = [];
  for (const spec of specs.filter((s) => (!o.only || s.model.includes(o.only)) && !(o.nowOnly && s.before))) {
    process.stderr.write(`medner bench: ${spec.model}, ${spec.noteLabel}, ${spec.before ? "before" : "now"}…\n`);
    runs.push(await measureInWorkerd(spec));
  }
  return runs;
}
