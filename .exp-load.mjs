import * as ort from "onnxruntime-web";
import { readFileSync } from "node:fs";
ort.env.wasm.numThreads = 1;
const [file, mode, tokens] = process.argv.slice(2);
let Module = null;
const wasmBytes = readFileSync("node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm");
Object.defineProperty(Object.prototype, "instantiateWasm", { configurable: true, value: function (imports, cb) {
  delete Object.prototype.instantiateWasm; Module = this;
  WebAssembly.instantiate(wasmBytes, imports).then(({ instance, module }) => cb(instance, module));
  return {};
}});
const mem = () => (Module ? (Module.HEAPU8.buffer.byteLength / 1048576).toFixed(1) : "?");
// init wasm with a dummy create failure
try { await ort.InferenceSession.create(new Uint8Array([1,2,3])); } catch {}
console.log("after init wasm MB", mem(), "Module?", !!Module);
const bytes = readFileSync(file);
const size = bytes.byteLength;
let opts = { graphOptimizationLevel: "all" };
let arg = bytes;
if (mode === "ort") {
  const realFree = Module._free;
  const H = Number(process.env.H ?? 0) * 1048576; const hp = H ? Module._malloc(H) : 0;
  const ptr = Module._malloc(size);
  if (hp) realFree(hp);
  Module.HEAPU8.set(bytes, ptr);
  Module._free = (p) => (p === ptr ? undefined : realFree(p));
  Module.getValue(ptr, "i8");
  arg = new Uint8Array(Module.HEAPU8.buffer, ptr, size);
  opts = { graphOptimizationLevel: "disabled", extra: { session: { use_ort_model_bytes_directly: "1", use_ort_model_bytes_for_initializers: "1" } } };
}
const t0 = Date.now();
const s = await ort.InferenceSession.create(arg, opts);
console.log("created in", Date.now() - t0, "ms; wasm MB", mem());
const T = Number(tokens ?? 512);
const ids = new BigInt64Array(T).fill(1000n); const m = new BigInt64Array(T).fill(1n);
for (let i = 0; i < 3; i++) {
  const t1 = Date.now();
  const out = await s.run({ input_ids: new ort.Tensor("int64", ids, [1, T]), attention_mask: new ort.Tensor("int64", m, [1, T]) });
  const d = out.logits.data; 
  console.log("run", T, Date.now() - t1, "ms; wasm MB", mem(), "logit0", d[0].toFixed(4), d[1000].toFixed(4));
}
