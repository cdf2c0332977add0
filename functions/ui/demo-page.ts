// The demo page's HTML: a form (note, model, optional token) and the places the script fills (legends of labels and
// context traits, highlighted note, table). Self-contained: the style and script are inline and the page fetches nothing but /models and /ner.
import { html, raw } from "hono/html";
import { DEMO_SCRIPT } from "./demo-script.ts";
import { DEMO_STYLE } from "./demo-style.ts";

/** The note the textarea starts with: invented, in the shorthand real notes use. */
export const SAMPLE_NOTE = `HPI: 68 y/o M with HTN and COPD, s/p CABG 2019, seen for follow-up.
Started on lisinopril 10mg daily. On ASA 81 mg and metoprolol succinate 25 mg PO BID.
Dialysis MWF for ESRD; insulin glargine 20 units qhs for T2DM.
Denies chest pain. No acute distress.`;

/** The page. Its style and script go in raw: the CSP allows them by the hashes of exactly these bytes. */
export function renderDemoPage() {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>medner: medical entities in clinical notes</title>
<link rel="icon" href="data:,">
<style>${raw(DEMO_STYLE)}</style></head>
<body>
<header><h1>medner</h1><p>Medications, diseases and treatments in clinical notes</p><a href="/docs">API reference</a></header>
<main>
<section class="card"><h2>Note</h2>
<form id="ner-form">
<label for="note">Clinical note</label>
<textarea id="note" spellcheck="false" autocomplete="off">${SAMPLE_NOTE}</textarea>
<p class="hint">Ctrl+Enter runs. The note goes only to this server; the page keeps no copy.</p>
<div class="row">
<div><label for="model">Model</label><select id="model"><option value="">default</option></select></div>
<div><label for="token">API token</label><input id="token" type="password" autocomplete="off" placeholder="only if the server asks"></div>
</div>
<div class="actions"><button id="submit" type="submit">Find entities</button><span id="status" class="status" aria-live="polite"></span></div>
<div id="error" class="error" role="alert" hidden></div>
</form></section>
<section class="card"><h2>Entities</h2>
<div id="legend" class="legend" hidden></div>
<div id="trait-legend" class="trait-legend" hidden></div>
<div id="doc" class="doc"><span class="placeholder">Entities found in the note are highlighted here.</span></div>
</section>
<section class="card wide"><h2>Table</h2>
<table><thead><tr><th>#</th><th>Label</th><th>Text</th><th>Start&ndash;end</th><th>Score</th><th>Source</th><th>Context</th><th>Attributes</th></tr></thead>
<tbody id="rows"></tbody></table></section>
</main>
<script>${raw(DEMO_SCRIPT)}</script>
</body></html>`;
}
