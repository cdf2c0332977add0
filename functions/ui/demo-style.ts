// The demo page's stylesheet, inlined into GET / and allowed by its SHA-256 in the page's Content-Security-Policy.
// Entity colours are set per mark through the --ent custom property (CSSOM, which a strict CSP still allows).
export const DEMO_STYLE = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1d2330;--muted:#5f6b7a;--line:#e2e6ec;--accent:#3355cc;--bad:#b42318;--bad-bg:#fef3f2}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{background:#182034;color:#fff;padding:14px 28px;display:flex;align-items:baseline;gap:14px}
header h1{margin:0;font-size:20px;letter-spacing:.02em}
header p{margin:0;color:#b8c2d6;font-size:14px}
header a{color:#b8c2d6;margin-left:auto;font-size:14px}
main{max-width:1240px;margin:0 auto;padding:20px 24px 40px;display:grid;grid-template-columns:minmax(0,5fr) minmax(0,7fr);gap:20px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.wide{grid-column:1/-1}
h2{margin:0 0 10px;font-size:15px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
label{display:block;font-size:13px;font-weight:600;color:var(--muted);margin:10px 0 4px}
textarea,select,input{width:100%;font:inherit;color:inherit;border:1px solid #cfd6e0;border-radius:6px;padding:8px 10px;background:#fff}
textarea{min-height:260px;resize:vertical;font:14px/1.55 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
textarea:focus,select:focus,input:focus{outline:2px solid #c7d4fb;border-color:var(--accent)}
.row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.hint{font-size:12px;color:var(--muted);margin:4px 0 0}
.actions{display:flex;align-items:center;gap:12px;margin-top:14px}
button{font:inherit;font-weight:600;background:var(--accent);color:#fff;border:0;border-radius:6px;padding:9px 18px;cursor:pointer}
button:disabled{opacity:.6;cursor:progress}
.status{font-size:13px;color:var(--muted)}
.error{margin:12px 0 0;padding:10px 12px;border:1px solid #fecdca;background:var(--bad-bg);color:var(--bad);border-radius:6px;font-size:14px}
.error[hidden],.legend[hidden]{display:none}
.legend{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 12px}
.chip{display:inline-flex;align-items:center;gap:6px;padding:2px 10px;border-radius:999px;background:var(--ent);font-size:12px;font-weight:700;letter-spacing:.04em}
.chip small{font-weight:600;opacity:.7}
.doc{white-space:pre-wrap;line-height:2.5;font-size:15px;min-height:120px;overflow-wrap:anywhere}
.placeholder{color:var(--muted);font-style:italic}
mark.ent{background:var(--ent);color:inherit;padding:.25em .45em;margin:0 .1em;border-radius:.35em;line-height:1;box-decoration-break:clone;-webkit-box-decoration-break:clone;transition:box-shadow .12s}
mark.ent.active{box-shadow:0 0 0 2px var(--ink)}
.ent-label{font-size:.62em;font-weight:700;letter-spacing:.05em;text-transform:uppercase;vertical-align:middle;margin-left:.5em;opacity:.8}
mark.ent.t-negated .ent-text{text-decoration:line-through;text-decoration-thickness:2px}
mark.ent.t-uncertain{outline:2px dashed #495057;outline-offset:1px}
mark.ent.t-hypothetical{outline:2px dotted #495057;outline-offset:1px}
mark.ent.t-historical{opacity:.6}
mark.ent.t-family{box-shadow:inset 0 -3px 0 #7048e8}
.ent-traits{font-size:.62em;margin-left:.4em;vertical-align:middle;opacity:.85}
.trait-legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:0 0 12px;font-size:12px;color:var(--muted)}
.trait-legend[hidden]{display:none}
.trait-legend mark.ent{background:#e9ecef;line-height:1.6}
.attr{border-bottom:2px dotted #1971c2}
.attr-type{font-size:.6em;color:#1971c2;margin-left:.1em}
table{width:100%;border-collapse:collapse;font-size:14px}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line)}
th{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);font-weight:600}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:hover{background:#f7f9fc}
@media (max-width:900px){main{grid-template-columns:1fr}.row{grid-template-columns:1fr}}
`;
