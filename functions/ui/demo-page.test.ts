// GET / inside workerd (the runtime the page is deployed to): it renders there, and its CSP hashes are those of the
// inline style and script as served, which is what the browser checks before running them.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { demo } from "../routes/demo.ts";

const sha256 = async (s: string) => btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)))));

describe("GET / in workerd", () => {
  it("serves the page with a CSP that allows exactly its inline style and script", async () => {
    const res = await new Hono().route("/", demo).request("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/i);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect([scripts.length, styles.length]).toEqual([1, 1]);
    expect(html).not.toMatch(/<script[^>]*\bsrc=|<link[^>]*stylesheet|\son[a-z]+=|style="/i);
    const csp = Object.fromEntries((res.headers.get("content-security-policy") ?? "").split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(csp["script-src"]).toEqual([`'sha256-${await sha256(scripts[0]!)}'`]);
    expect(csp["style-src"]).toEqual([`'sha256-${await sha256(styles[0]!)}'`]);
    expect(csp["default-src"]).toEqual(["'none'"]);
    expect(csp["connect-src"]).toEqual(["'self'"]);
  });
});
