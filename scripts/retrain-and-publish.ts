// `npm run retrain`: train → export q8 (with the q8 guard) → evaluate on the gate set → compare with the published
// model's gate F1 (from its manifest) → publish only if new F1 ≥ published F1 − tolerance. Prints old vs new per label
// (and appends it to $GITHUB_STEP_SUMMARY in GitHub Actions). Exit codes: 0 published, 2 refused by the gate, 1 error.
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { MednerError, modelKey, pointerKey, PointerSchema, type Manifest } from "../core/index.ts";
import { initBackend } from "../trainer/backend.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { exportModel } from "../trainer/export/export-model.ts";
import { loadConfig } from "../trainer/model/config.ts";
import { publish } from "../trainer/publish/publish.ts";
import { openTarget, TARGETS, type PublishTarget, type TargetKind } from "../trainer/publish/targets.ts";
import { runTraining } from "../trainer/run-training.ts";
import { isMain } from "./is-main.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
export const EXIT = { published: 0, error: 1, refused: 2 } as const;
type Metrics = NonNullable<Manifest["devMetrics"]>[string];

async function publishedMetrics(target: PublishTarget, name: string): Promise<{ version: string; metrics: Metrics | null } | null> {
  const raw = await target.get(pointerKey(name));
  if (!raw) return null;
  const { version } = PointerSchema.parse(JSON.parse(new TextDecoder().decode(raw)));
  const m = await target.get(modelKey(name, version, "manifest.json"));
  if (!m) return { version, metrics: null };
  const manifest = JSON.parse(new TextDecoder().decode(m)) as Manifest;
  return { version, metrics: manifest.devMetrics?.[manifest.dtype] ?? null };
}

export function summaryTable(oldM: Metrics | null, newM: Metrics, oldVersion: string | null, newVersion: string): string {
  const labels = [...new Set([...Object.keys(newM.labels), ...Object.keys(oldM?.labels ?? {})])].sort();
  const f = (x: number | undefined) => (x === undefined ? "–" : x.toFixed(4));
  const rows = labels.map((l) => `| ${l} | ${f(oldM?.labels[l]?.f1)} | ${f(newM.labels[l]?.f1)} |`);
  return [`| label | published (${oldVersion ?? "none"}) F1 | new (${newVersion}) F1 |`, "| --- | ---: | ---: |", ...rows, `| **micro** | ${f(oldM?.micro.f1)} | ${f(newM.micro.f1)} |`].join("\n");
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      target: { type: "string", default: "local" },
      dir: { type: "string" },
      name: { type: "string", default: "custom" },
      data: { type: "string", default: join(ROOT, "data/clinical-notes/train.json") },
      dev: { type: "string", default: join(ROOT, "data/clinical-notes/dev.json") },
      gate: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true, default: [] },
      out: { type: "string" },
      version: { type: "string" },
      "guard-f1-loss": { type: "string", default: "0.3" },
      "guard-agreement": { type: "string", default: "99" },
    },
  });
  if (!(TARGETS as readonly string[]).includes(values.target!)) throw new MednerError("E501", `--target must be one of ${TARGETS.join(", ")}`);
  const gatePath = values.gate ?? values.dev!;
  const tolerance = (JSON.parse(readFileSync(join(ROOT, "models/custom/gate.json"), "utf8")) as { tolerance: number }).tolerance;
  const out = values.out ?? mkdtempSync(join(tmpdir(), "medner-retrain-"));
  const config = loadConfig(values.config, values.set);
  const backend = await initBackend();
  const train = readCorpus(values.data!).docs;
  const dev = readCorpus(values.dev!).docs;
  const gate = readCorpus(gatePath).docs;
  process.stderr.write(`retrain: ${train.length} training docs, dev ${values.dev}, gate ${gatePath}, backend ${backend.name}\n`);
  const trained = await runTraining({ config, train, dev, out, backend, dataDescription: { train: values.data!, dev: values.dev! } });
  process.stderr.write(`retrain: best dev F1 ${trained.bestF1.toFixed(4)} at step ${trained.bestStep} (${trained.wallSeconds.toFixed(0)} s)\n`);
  const version = values.version ?? new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "Z");
  const exported = join(out, "exported");
  // The manifest's metrics are the gate set's, so the next run can compare against them.
  const guard = { maxF1Loss: Number(values["guard-f1-loss"]) / 100, minAgreement: Number(values["guard-agreement"]) / 100 };
  const { manifest } = await exportModel({ modelDir: join(out, "model-best"), out: exported, dtype: "q8", name: values.name!, version, dev: gate, guard });
  const fresh = manifest.devMetrics!.q8!;
  const target = await openTarget(values.target as TargetKind, values.dir);
  try {
    const current = await publishedMetrics(target, values.name!);
    const table = summaryTable(current?.metrics ?? null, fresh, current?.version ?? null, version);
    const floor = current?.metrics ? current.metrics.micro.f1 - tolerance : -Infinity;
    const pass = fresh.micro.f1 >= floor;
    const verdict = pass
      ? `published ${values.name}@${version}: gate F1 ${fresh.micro.f1.toFixed(4)}${current?.metrics ? ` ≥ ${current.metrics.micro.f1.toFixed(4)} − ${tolerance}` : " (first publish)"}`
      : `refused by the gate: new F1 ${fresh.micro.f1.toFixed(4)} < published ${current!.metrics!.micro.f1.toFixed(4)} − ${tolerance}; ${values.name}@${current!.version} stays current`;
    if (pass) await publish(target, exported, values.name!, { version });
    process.stdout.write(`${table}\n\n${verdict}\n`);
    if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `## medner retrain-and-publish\n\n${table}\n\n${verdict}\n`);
    return pass ? EXIT.published : EXIT.refused;
  } finally {
    await target.close();
  }
}

if (isMain(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      // The q8 guard refusing the new model is a quality refusal like the gate's, not an error.
      const refused = err instanceof MednerError && err.code === "E403";
      process.stderr.write(`retrain-and-publish: ${refused ? "refused by the q8 guard: " : ""}${err instanceof MednerError ? err.message : `unexpected error: ${(err as Error).message}`}\n`);
      process.exit(refused ? EXIT.refused : EXIT.error);
    },
  );
}
