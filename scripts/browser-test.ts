// `npm run test:browser`: the demo page in Chromium. Says in one line when Chromium is missing, rather than letting
// playwright fail inside a test with a page of stack; otherwise runs the browser tests' own vitest config.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromiumProblem } from "../tests/browser/chromium.ts";

const problem = chromiumProblem();
if (problem) {
  console.error(`test:browser: ${problem}`);
  process.exit(1);
}
const vitest = fileURLToPath(new URL("../node_modules/vitest/vitest.mjs", import.meta.url));
const config = fileURLToPath(new URL("../tests/browser/vitest.config.ts", import.meta.url));
const r = spawnSync(process.execPath, [vitest, "run", "--config", config, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
