import { initBackend } from "../trainer/backend.ts";
import { readCorpus } from "../trainer/corpus/index.ts";
import { defaultConfig, applyOverrides, parseConfig } from "../trainer/model/config.ts";
import { trainTagger, evaluateTagger } from "../trainer/train.ts";
async function main() {
const be = await initBackend(process.env.BE as any);
console.log(be);
const train = readCorpus("/work/shared/data/bc5cdr/train.tsv").docs;
const dev = readCorpus("/work/shared/data/bc5cdr/devel.tsv").docs.slice(0, 1000);
const config = parseConfig(applyOverrides(defaultConfig(), ["training.maxSteps=30", "training.evalEvery=30", ...(process.argv.slice(2))]), "x");
let t0 = performance.now(); let last = t0;
for await (const ev of trainTagger({ config, train, dev })) {
  const now = performance.now();
  if (ev.kind === "step" && ev.step % 5 === 0) console.log(ev.step, ev.loss.toFixed(3), ((now - last)/5).toFixed(0) + "ms/step", ev.wordsPerSecond.toFixed(0));
  if (ev.step % 5 === 0) last = now;
  if (ev.kind === "eval") console.log("eval", ev.scores!.micro, (now - t0).toFixed(0));
}
}
main();
