// GET /: the demo page. Its style and script are inline and allowed by their SHA-256 hashes in a strict CSP; hashes
// rather than nonces because the page never changes, so neither do its headers. No node:* here: it runs in workerd.
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { renderDemoPage } from "../ui/demo-page.ts";
import { DEMO_SCRIPT } from "../ui/demo-script.ts";
import { DEMO_STYLE } from "../ui/demo-style.ts";

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

/** The page's Content-Security-Policy: its own script and style, fetches to this origin, and nothing else. */
export async function demoCsp(): Promise<string> {
  const [script, style] = await Promise.all([sha256Base64(DEMO_SCRIPT), sha256Base64(DEMO_STYLE)]);
  return [
    "default-src 'none'",
    `script-src 'sha256-${script}'`,
    `style-src 'sha256-${style}'`,
    "connect-src 'self'",
    // Only the empty data: favicon, which keeps the browser from asking for /favicon.ico.
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
}

// Built on the first request, not at module load: workerd allows no crypto work in global scope.
let page: Promise<{ html: string; csp: string }> | undefined;
const built = () => (page ??= demoCsp().then(async (csp) => ({ html: await renderDemoPage(), csp })));

export const demo = new Hono<AppEnv>().get("/", async (c) => {
  const { html, csp } = await built();
  return c.html(html, 200, {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
  });
});
