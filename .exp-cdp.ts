import { spawn } from "node:child_process";
import WebSocket from "ws";
import { localTarget } from "./trainer/publish/targets.ts";
import { publish } from "./trainer/publish/publish.ts";
const persist = "/tmp/exp/persist";
const t = await localTarget("wrangler.toml", persist);
await publish(t, "/tmp/exp/tiny5", "transformer", { version: "1" });
await t.close();
const child = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", "8791", "--persist-to", persist, "--inspector-port", "9231", "--var", "AUTH_DISABLED:true", "--var", "MEMORY_PROBE:true", "--log-level", "error"], { env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" }, stdio: ["ignore", "inherit", "inherit"], detached: true });
try {
  for (let i = 0; i < 120; i++) { try { if ((await fetch("http://127.0.0.1:8791/health")).ok) break; } catch {} await new Promise((r) => setTimeout(r, 500)); }
  const targets = await (await fetch("http://127.0.0.1:9231/json")).json();
  console.log(JSON.stringify(targets).slice(0, 600));
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((r) => ws.once("open", r));
  let id = 0;
  const call = (method: string, params = {}) => new Promise<any>((res) => { const my = ++id; const on = (d: any) => { const m = JSON.parse(String(d)); if (m.id === my) { ws.off("message", on); res(m); } }; ws.on("message", on); ws.send(JSON.stringify({ id: my, method, params })); });
  console.log("heap0", JSON.stringify(await call("Runtime.getHeapUsage")));
  const r = await fetch("http://127.0.0.1:8791/ner", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "aspirin for pain", model: "transformer" }) });
  console.log(r.status, (await r.text()).slice(0, 200));
  console.log("probe", await (await fetch("http://127.0.0.1:8791/debug/memory")).text());
  console.log("heap1", JSON.stringify(await call("Runtime.getHeapUsage")));
  await call("HeapProfiler.collectGarbage");
  console.log("heap2", JSON.stringify(await call("Runtime.getHeapUsage")));
  ws.close();
} finally { process.kill(-child.pid!, "SIGTERM"); }
