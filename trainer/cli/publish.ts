// `medner publish`, `medner rollback` and `medner models list`: the model store as people and CI use it.
import { Option, type Command } from "commander";
import { listModels, publish, rollback } from "../publish/publish.ts";
import { openTarget, TARGETS, type PublishTarget, type TargetKind } from "../publish/targets.ts";

interface TargetOpts {
  target: TargetKind;
  dir?: string;
  json?: boolean;
}

const targetOptions = (cmd: Command) =>
  cmd
    .addOption(new Option("--target <target>", "local: wrangler's local R2 state (what npm start serves); r2: R2's S3 API (R2_* env vars); dir: a folder").choices([...TARGETS]).makeOptionMandatory())
    .option("--dir <folder>", "the folder for --target dir")
    .option("--json", "print the result as JSON on stdout");

async function withTarget<T>(opts: TargetOpts, fn: (t: PublishTarget) => Promise<T>): Promise<T> {
  const target = await openTarget(opts.target, opts.dir);
  try {
    return await fn(target);
  } finally {
    await target.close();
  }
}

export function registerPublish(program: Command): void {
  targetOptions(
    program
      .command("publish")
      .description("upload an exported model, verify it, then point current.json at it")
      .requiredOption("--model <dir>", "exported folder (manifest.json + ONNX)")
      .requiredOption("--name <name>", "model name in the store, e.g. custom")
      .option("--version <version>", "version (default: the manifest's)")
      .option("--replace", "overwrite an existing version"),
  ).action(async (opts: TargetOpts & { model: string; name: string; version?: string; replace?: boolean }) => {
    const r = await withTarget(opts, (t) => publish(t, opts.model, opts.name, { ...(opts.version ? { version: opts.version } : {}), replace: !!opts.replace }));
    if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stderr.write(`published ${r.name}@${r.version} (${r.files.length} files) to ${opts.target}; current was ${r.previous ?? "none"}\n`);
  });

  targetOptions(
    program
      .command("rollback")
      .description("point current.json back at a published version (verified first)")
      .requiredOption("--name <name>", "model name")
      .requiredOption("--to <version>", "the version to serve"),
  ).action(async (opts: TargetOpts & { name: string; to: string }) => {
    const r = await withTarget(opts, (t) => rollback(t, opts.name, opts.to));
    if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stderr.write(`${r.name}: current ${r.previous ?? "none"} → ${r.version}\n`);
  });

  const models = program.command("models").description("what is published in a store");
  targetOptions(models.command("list").description("list published models, their versions and the current one")).action(async (opts: TargetOpts) => {
    const list = await withTarget(opts, (t) => listModels(t));
    if (opts.json) process.stdout.write(`${JSON.stringify({ models: list })}\n`);
    else process.stderr.write(list.length ? list.map((m) => `${m.name}  current ${m.current ?? "-"}  versions ${m.versions.join(", ")}`).join("\n") + "\n" : "no models published\n");
  });
}
