// `medner info`: which tfjs backend this machine trains with, and why faster ones were skipped.
import type { Command } from "commander";
import { initBackend } from "../backend.ts";

export function registerInfo(program: Command): void {
  program
    .command("info")
    .description("show the tfjs backend training would use here, and the versions")
    .option("--json", "print as JSON on stdout")
    .action(async (opts: { json?: boolean }) => {
      const b = await initBackend();
      const info = { backend: b.name, skipped: b.skipped, tfjs: b.tfjsVersion, node: process.versions.node };
      if (opts.json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else process.stderr.write(`backend ${info.backend} (tfjs ${info.tfjs}, node ${info.node})\n${b.skipped.map((s) => `  skipped ${s}\n`).join("")}`);
    });
}
