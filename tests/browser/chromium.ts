// Where the browser tests find Chromium (Debian's package; MEDNER_CHROMIUM overrides) and how they launch it.
import { accessSync, constants } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM_PATH = process.env.MEDNER_CHROMIUM ?? "/usr/bin/chromium";

/** One line saying what is missing, or null when Chromium can be run. */
export function chromiumProblem(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return null;
  } catch {
    return `browser tests need Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set MEDNER_CHROMIUM)`;
  }
}

export function launchChromium(): Promise<Browser> {
  const problem = chromiumProblem();
  if (problem) throw new Error(problem);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
