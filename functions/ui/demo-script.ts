// The demo page's script (plain browser JavaScript), inlined into GET / and allowed by its SHA-256 in the page's CSP.
// It is a string rather than a compiled function: bundlers rewrite function bodies (wrangler's keep_names adds
// __name() calls), which would break it in the browser. The note is patient data: it reaches the DOM only through
// textContent and text nodes, never as HTML, and is never logged.
// The colours come from core/render, so the page and POST /visualize draw a label alike; colourOf below is the
// browser-side copy of core's rule (the page runs no module code).
import { LABEL_COLOURS, LABEL_PALETTE, TRAIT_STYLES } from "../../core/render/index.ts";

/** Each trait's tag and meaning, as core/render draws them on /visualize (the page's CSS holds the matching styles). */
const TRAITS = Object.fromEntries(Object.entries(TRAIT_STYLES).map(([name, t]) => [name, { tag: t.tag, meaning: t.meaning }]));
export const DEMO_SCRIPT = `
(function () {
  "use strict";
  var TOKEN_KEY = "medner.token";
  var CANONICAL = ${JSON.stringify(LABEL_COLOURS)};
  var TRAITS = ${JSON.stringify(TRAITS)};
  var PALETTE = ${JSON.stringify(LABEL_PALETTE)};
  var byId = function (id) { return document.getElementById(id); };
  var form = byId("ner-form"), note = byId("note"), modelSelect = byId("model"), tokenInput = byId("token");
  var submit = byId("submit"), statusLine = byId("status"), errorBox = byId("error");
  var doc = byId("doc"), legend = byId("legend"), traitLegend = byId("trait-legend"), rows = byId("rows");
  var traitNames = function (e) { return (e.traits || []).map(function (t) { return t.name; }); };

  function colourOf(label) {
    if (Object.prototype.hasOwnProperty.call(CANONICAL, label)) return CANONICAL[label];
    var h = 0;
    for (var i = 0; i < label.length; i++) h = (h * 31 + label.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function chip(label, count) {
    var c = el("span", "chip", label);
    c.style.setProperty("--ent", colourOf(label));
    if (count !== undefined) c.appendChild(el("small", "", count));
    return c;
  }

  function showError(message) { errorBox.textContent = message; errorBox.hidden = false; }
  function clearError() { errorBox.textContent = ""; errorBox.hidden = true; }

  // sessionStorage can be unavailable (privacy modes); the token then lives only in the field.
  function readToken() { try { return sessionStorage.getItem(TOKEN_KEY) || ""; } catch (e) { return ""; } }
  function keepToken(t) { try { if (t) sessionStorage.setItem(TOKEN_KEY, t); else sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* field only */ } }
  function authHeaders() {
    var t = tokenInput.value.trim();
    return t ? { Authorization: "Bearer " + t } : {};
  }

  // The API's errors are {error: {code, message}}; anything else (a proxy's page) is reported by its status.
  async function problemOf(res) {
    var detail = "HTTP " + res.status;
    try {
      var body = await res.json();
      if (body && body.error && body.error.message) detail = body.error.message + " (" + body.error.code + ", HTTP " + res.status + ")";
    } catch (e) { /* not JSON */ }
    if (res.status === 401) {
      tokenInput.focus();
      return "This server needs an API token: enter it in the \\u201cAPI token\\u201d field and try again. Server said: " + detail;
    }
    return detail;
  }

  function option(value, text) { var o = el("option", "", text); o.value = value; return o; }

  async function loadModels() {
    var res;
    try { res = await fetch("/models", { headers: authHeaders() }); }
    catch (e) { showError("Could not reach the server to list its models."); return; }
    if (!res.ok) { showError(await problemOf(res)); return; }
    clearError();
    var published = ((await res.json()).models || []).filter(function (m) { return m.currentVersion; });
    var has = function (name) { return published.some(function (m) { return m.name === name; }); };
    var order = function (m) { return m.name === "custom" ? 0 : m.name === "transformer" ? 1 : 2; };
    published.sort(function (a, b) { return order(a) - order(b) || (a.name < b.name ? -1 : 1); });
    var previous = modelSelect.value;
    modelSelect.replaceChildren();
    var choices = published.map(function (m) { return [m.name, m.name + " \\u00b7 v" + m.currentVersion + (m.kind ? " \\u00b7 " + m.kind : "")]; });
    // The ensemble runs custom and transformer together, so it is offered only when both are published.
    if (has("custom") && has("transformer")) choices.splice(2, 0, ["ensemble", "ensemble \\u00b7 custom + transformer"]);
    choices.forEach(function (c) { modelSelect.appendChild(option(c[0], c[1])); });
    if (published.length === 0) { modelSelect.appendChild(option("", "no model is published")); showError("No model is published on this server yet."); }
    if (previous && Array.prototype.some.call(modelSelect.options, function (o) { return o.value === previous; })) modelSelect.value = previous;
  }

  // A medication's attributes (strength, route…), underlined outside the marks and named after their drug.
  function attributesOf(entities) {
    var out = [];
    entities.forEach(function (e) {
      (e.attributes || []).forEach(function (a) { out.push({ type: a.type, start: a.start, end: a.end, drug: e.text }); });
    });
    return out.sort(function (a, b) { return a.start - b.start; });
  }

  function plainText(text, from, to, attrs) {
    var at = from;
    while (attrs.length && attrs[0].start < to) {
      var a = attrs.shift();
      if (a.start < at || a.end > to) continue;
      doc.appendChild(document.createTextNode(text.slice(at, a.start)));
      var u = el("span", "attr", text.slice(a.start, a.end));
      u.dataset.type = a.type;
      u.title = a.type.toLowerCase().replace("_", " ") + " of " + a.drug;
      u.appendChild(el("sub", "attr-type", a.type.toLowerCase().replace("_", " ")));
      doc.appendChild(u);
      at = a.end;
    }
    doc.appendChild(document.createTextNode(text.slice(at, to)));
  }

  function renderNote(text, entities) {
    var marks = [];
    var cursor = 0;
    var attrs = attributesOf(entities);
    doc.replaceChildren();
    entities.forEach(function (e, i) {
      // Overlapping spans cannot nest in displaCy's style: the table still lists them.
      if (e.start < cursor || e.end > text.length || e.start >= e.end) return;
      plainText(text, cursor, e.start, attrs);
      var mark = el("mark", "ent");
      mark.style.setProperty("--ent", colourOf(e.label));
      mark.dataset.label = e.label;
      mark.dataset.start = String(e.start);
      mark.dataset.end = String(e.end);
      var names = traitNames(e);
      names.forEach(function (n) { mark.classList.add("t-" + n); });
      if (names.length) mark.dataset.traits = names.join(" ");
      mark.title = e.label + " \\u00b7 score " + e.score.toFixed(3) + " \\u00b7 " + e.source + names.map(function (n) { return " \\u00b7 " + TRAITS[n].meaning; }).join("");
      mark.appendChild(el("span", "ent-text", text.slice(e.start, e.end)));
      mark.appendChild(el("span", "ent-label", e.label));
      if (names.length) mark.appendChild(el("span", "ent-traits", names.map(function (n) { return TRAITS[n].tag; }).join(" \\u00b7 ")));
      doc.appendChild(mark);
      marks[i] = mark;
      cursor = e.end;
    });
    plainText(text, cursor, text.length, attrs);
    return marks;
  }

  function renderLegend(entities) {
    var counts = {};
    entities.forEach(function (e) { counts[e.label] = (counts[e.label] || 0) + 1; });
    var labels = Object.keys(counts).sort(function (a, b) {
      var ca = a in CANONICAL ? 0 : 1, cb = b in CANONICAL ? 0 : 1;
      return ca - cb || (a < b ? -1 : 1);
    });
    legend.replaceChildren();
    labels.forEach(function (l) { legend.appendChild(chip(l, counts[l])); });
    legend.hidden = labels.length === 0;
    var present = Object.keys(TRAITS).filter(function (n) { return entities.some(function (e) { return traitNames(e).indexOf(n) >= 0; }); });
    traitLegend.replaceChildren();
    present.forEach(function (n) {
      var item = el("span", "trait-item");
      var sample = el("mark", "ent t-" + n);
      sample.appendChild(el("span", "ent-text", TRAITS[n].tag));
      item.appendChild(sample);
      item.appendChild(document.createTextNode(" " + TRAITS[n].meaning));
      item.dataset.trait = n;
      traitLegend.appendChild(item);
    });
    traitLegend.hidden = present.length === 0;
  }

  function renderTable(entities, marks) {
    rows.replaceChildren();
    if (entities.length === 0) {
      var empty = el("td", "placeholder", "No entities found.");
      empty.colSpan = 8;
      rows.appendChild(el("tr")).appendChild(empty);
      return;
    }
    entities.forEach(function (e, i) {
      var tr = el("tr");
      tr.appendChild(el("td", "num", i + 1));
      tr.appendChild(el("td")).appendChild(chip(e.label));
      tr.appendChild(el("td", "", e.text));
      tr.appendChild(el("td", "num", e.start + "\\u2013" + e.end));
      tr.appendChild(el("td", "num", e.score.toFixed(3)));
      tr.appendChild(el("td", "", e.source));
      tr.appendChild(el("td", "", traitNames(e).join(", ") + (e.section ? (traitNames(e).length ? " \\u00b7 " : "") + e.section.replace(/_/g, " ") : "")));
      tr.appendChild(el("td", "", (e.attributes || []).map(function (a) { return a.type.toLowerCase().replace("_", " ") + " " + a.text; }).join(" \\u00b7 ")));
      var mark = marks[i];
      if (mark) {
        tr.addEventListener("mouseenter", function () { mark.classList.add("active"); });
        tr.addEventListener("mouseleave", function () { mark.classList.remove("active"); });
      }
      rows.appendChild(tr);
    });
  }

  function render(text, body) {
    var entities = body.entities || [];
    renderLegend(entities);
    renderTable(entities, renderNote(text, entities));
    var models = body.models || (body.model ? [body.model] : []);
    var used = models.map(function (m) { return m.name + " v" + m.version; }).join(" + ");
    var ms = body.timings && typeof body.timings.totalMs === "number" ? " \\u00b7 " + body.timings.totalMs + " ms" : "";
    statusLine.textContent = used + " \\u00b7 " + entities.length + (entities.length === 1 ? " entity" : " entities") + ms;
  }

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var text = note.value;
    if (!text.trim()) { showError("Paste a clinical note first."); return; }
    clearError();
    statusLine.textContent = "";
    submit.disabled = true;
    submit.textContent = "Finding entities...";
    try {
      var request = { text: text };
      if (modelSelect.value) request.model = modelSelect.value;
      var res = await fetch("/ner", {
        method: "POST",
        headers: Object.assign({ "Content-Type": "application/json" }, authHeaders()),
        body: JSON.stringify(request),
      });
      if (!res.ok) showError(await problemOf(res));
      else render(text, await res.json());
    } catch (e) {
      showError("Could not reach the server, or its answer was not understood.");
    } finally {
      submit.disabled = false;
      submit.textContent = "Find entities";
    }
  });

  note.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) form.requestSubmit();
  });
  tokenInput.addEventListener("change", function () {
    keepToken(tokenInput.value.trim());
    loadModels();
  });

  tokenInput.value = readToken();
  loadModels();
})();
`;
