// goxcp workbench: A2L browser, calibration tables, live plots, recording.
// Talks to the xcp ui server (same origin; the session cookie carries the token).
"use strict";

const $ = (id) => document.getElementById(id);
const state = { selected: null, watched: [], paused: false, series: {}, charts: {}, chartKey: "", lastFrame: null, recording: false };
const WINDOW_S = 10;

function toast(msg, err) {
  const t = $("toast");
  t.textContent = msg;
  t.className = err ? "err" : "";
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), err ? 8000 : 3000);
}

async function api(path, body) {
  const opt = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch(path, opt);
  const data = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}

function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (typeof v === "string") return v;
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e7) ? v.toExponential(4) : String(Math.round(v * 1e6) / 1e6);
}

// ---- slave info ----
async function loadInfo() {
  const i = await api("/api/info");
  $("slave").textContent = `${i.module}${i.epk ? " · EPK " + i.epk : ""} · ${i.resources} · ${i.byte_order} · MAX_CTO ${i.max_cto} · MAX_DTO ${i.max_dto} · ${i.objects} objects`;
  $("readonly").hidden = !i.read_only;
  state.readOnly = i.read_only;
}

// ---- A2L browser ----
let searchTimer;
async function loadObjects() {
  const q = new URLSearchParams({ q: $("search").value, kind: $("kind").value, group: $("group").value });
  const d = await api("/api/objects?" + q);
  const ul = $("objects");
  ul.replaceChildren();
  for (const o of d.objects) {
    const li = document.createElement("li");
    li.dataset.name = o.name;
    li.title = o.comment || "";
    const k = document.createElement("span");
    k.className = "k";
    k.textContent = o.kind;
    li.append(k, o.name);
    if (o.name === state.selected) li.classList.add("sel");
    li.onclick = () => select(o.name);
    ul.append(li);
  }
  $("count").textContent = d.total > d.objects.length ? `${d.objects.length} of ${d.total}` : `${d.total} object(s)`;
  const g = $("group");
  if (g.options.length === 1) {
    for (const name of d.groups || []) g.append(new Option(name, name));
  }
}

async function select(name) {
  state.selected = name;
  for (const li of $("objects").children) li.classList.toggle("sel", li.dataset.name === name);
  try {
    renderDetail(await api("/api/object?name=" + encodeURIComponent(name)));
  } catch (e) {
    toast(e.message, true);
  }
}

// ---- detail and calibration ----
function cellInput(value, text, choices, ref, editable, cls) {
  const td = document.createElement("td");
  let el;
  if (choices && choices.length) {
    el = document.createElement("select");
    for (const c of choices) el.append(new Option(c, c));
    el.value = text ?? "";
  } else {
    el = document.createElement("input");
    el.value = text ? text : fmt(value);
  }
  el.className = cls || "v";
  el.disabled = !editable;
  el.dataset.orig = el.value;
  el.oninput = el.onchange = () => td.classList.toggle("changed", el.value !== el.dataset.orig);
  if (ref !== undefined && ref !== null && fmt(ref) !== fmt(value)) {
    td.classList.add("ref");
    td.title = "reference page: " + fmt(ref);
  }
  td.append(el);
  return td;
}

function th(text) {
  const e = document.createElement("th");
  e.textContent = text;
  return e;
}

function renderDetail(d) {
  const box = $("detail");
  box.replaceChildren();
  const h = document.createElement("h2");
  h.textContent = d.name;
  const meta = document.createElement("div");
  meta.className = "muted";
  meta.textContent = `${d.kind} · ${d.address} ext ${d.ext}${d.unit ? " · " + d.unit : ""}${d.comment ? " · " + d.comment : ""}`;
  box.append(h, meta);
  if (d.error) {
    const p = document.createElement("p");
    p.textContent = d.error;
    box.append(p);
    return;
  }
  const v = d.value;
  const ref = d.reference;
  const editable = d.writable && !state.readOnly;
  const table = document.createElement("table");
  table.className = "grid";
  table.id = "caltable";
  const val = (i) => (v.text && v.text[i] ? v.text[i] : null);
  const refv = (i) => (ref ? (ref.text && ref.text[i] ? ref.text[i] : ref.phys?.[i]) : undefined);
  if (v.string !== undefined && v.string !== null) {
    const tr = document.createElement("tr");
    tr.append(th("text"), cellInput(v.string, v.string, null, ref?.string, editable));
    table.append(tr);
  } else if (v.kind === "MAP" && v.dims?.length === 2) {
    const [nx, ny] = v.dims;
    const ax = v.axes[0], ay = v.axes[1];
    const head = document.createElement("tr");
    head.append(th(`${ay.unit || "y"} \\ ${ax.unit || "x"}`));
    for (let x = 0; x < nx; x++) {
      head.append(ax.attr === "STD_AXIS" ? cellInput(ax.phys[x], ax.text?.[x], null, undefined, editable, "ax0") : th(fmt(ax.text?.[x] || ax.phys[x])));
    }
    table.append(head);
    for (let y = 0; y < ny; y++) {
      const tr = document.createElement("tr");
      tr.append(ay.attr === "STD_AXIS" ? cellInput(ay.phys[y], ay.text?.[y], null, undefined, editable, "ax1") : th(fmt(ay.text?.[y] || ay.phys[y])));
      for (let x = 0; x < nx; x++) {
        const i = x + nx * y;
        tr.append(cellInput(v.phys[i], val(i), d.choices, refv(i), editable));
      }
      table.append(tr);
    }
  } else if (v.kind === "CURVE" && v.axes?.length === 1) {
    const ax = v.axes[0];
    const r1 = document.createElement("tr");
    r1.append(th(ax.unit || "x"));
    const r2 = document.createElement("tr");
    r2.append(th(v.unit || "value"));
    for (let i = 0; i < v.phys.length; i++) {
      r1.append(ax.attr === "STD_AXIS" ? cellInput(ax.phys[i], ax.text?.[i], null, undefined, editable, "ax0") : th(fmt(ax.text?.[i] || ax.phys[i])));
      r2.append(cellInput(v.phys[i], val(i), d.choices, refv(i), editable));
    }
    table.append(r1, r2);
  } else {
    const tr = document.createElement("tr");
    tr.append(th(v.unit || "value"));
    for (let i = 0; i < (v.phys?.length || 0); i++) tr.append(cellInput(v.phys[i], val(i), d.choices, refv(i), editable));
    table.append(tr);
  }
  box.append(table);
  if (v.limits) {
    const l = document.createElement("div");
    l.className = "limits muted";
    l.textContent = `limits ${fmt(v.limits.Lower)} … ${fmt(v.limits.Upper)}${ref ? " · cells in red differ from the reference page" : ""}`;
    box.append(l);
  }
  const bar = document.createElement("div");
  bar.className = "toolbar";
  if (editable) {
    const b = document.createElement("button");
    b.id = "write";
    b.textContent = "Write";
    b.onclick = () => writeValues(d);
    bar.append(b);
  }
  if (d.kind === "MEASUREMENT" || d.kind === "VALUE") {
    const w = document.createElement("button");
    w.id = "watchbtn";
    w.textContent = state.watched.includes(d.name) ? "Stop watching" : "Watch";
    w.onclick = () => toggleWatch(d.name);
    bar.append(w);
  }
  box.append(bar);
}

async function writeValues(d) {
  const cells = [...$("caltable").querySelectorAll(".v")];
  const body = { name: d.name, values: cells.map((c) => c.value) };
  const axes = [0, 1].map((k) => [...$("caltable").querySelectorAll(".ax" + k)].map((c) => c.value));
  if (axes[0].length || axes[1].length) body.axes = axes.map((a) => (a.length ? a : null));
  try {
    await api("/api/write", body);
    toast(`${d.name} written and verified`);
    await select(d.name);
  } catch (e) {
    toast(e.message, true);
  }
}

// ---- live ----
async function toggleWatch(name) {
  const w = state.watched.includes(name) ? state.watched.filter((n) => n !== name) : [...state.watched, name];
  try {
    await api("/api/watch", { names: w, event: $("event").value.trim() });
    state.watched = w;
    $("watching").textContent = w.length ? w.join(", ") : "nothing watched";
    if (state.selected) select(state.selected);
  } catch (e) {
    toast(e.message, true);
  }
}

function charts(frame) {
  const key = frame.names.join("|") + "#" + frame.units.join("|");
  if (key === state.chartKey) return;
  state.chartKey = key;
  for (const c of Object.values(state.charts)) c.plot.destroy();
  state.charts = {};
  $("charts").replaceChildren();
  const byUnit = {};
  frame.names.forEach((n, i) => (byUnit[frame.units[i] || ""] ||= []).push(i));
  const colors = ["#2e6fd8", "#d8542e", "#2ea44f", "#8e44ad", "#c09000", "#16a0a0", "#c0392b"];
  let ci = 0;
  for (const [unit, idx] of Object.entries(byUnit)) {
    const div = document.createElement("div");
    div.className = "chart";
    div.dataset.unit = unit;
    $("charts").append(div);
    const opts = {
      width: Math.max(400, $("charts").clientWidth - 20), height: 220,
      scales: { x: { time: false } },
      axes: [{ label: "time (s)" }, { label: unit || "value" }],
      series: [{ label: "t" }, ...idx.map((i) => ({ label: frame.names[i], stroke: colors[ci++ % colors.length], width: 1.5 }))],
    };
    const data = [[], ...idx.map(() => [])];
    state.charts[unit] = { plot: new uPlot(opts, data, div), idx, data, updates: 0 };
  }
}

function onFrame(f) {
  state.lastFrame = f;
  $("stats").textContent = f.names?.length ? `DAQ frames ${f.frames} · lost ${f.lost}${f.error ? " · " + f.error : ""}` : "";
  const rec = f.record;
  state.recording = !!rec;
  $("rec").textContent = rec ? "Stop recording" : "Record";
  $("recstate").textContent = rec ? `recording ${rec.file}: ${rec.frames} frames, ${(rec.bytes / 1024).toFixed(0)} KiB, dropped ${rec.dropped}, lost ${rec.lost}` : "";
  if (!f.names || !f.names.length) return;
  charts(f);
  const tbl = $("livetable");
  tbl.replaceChildren();
  const hr = document.createElement("tr");
  hr.append(th("signal"), th("value"), th("min (frame)"), th("max (frame)"), th("samples/s"));
  tbl.append(hr);
  f.names.forEach((n, i) => {
    const tr = document.createElement("tr");
    tr.dataset.name = n;
    const cells = [n, f.texts[i] || (fmt(f.last[i]) + (f.units[i] ? " " + f.units[i] : "")), fmt(f.min[i]), fmt(f.max[i]), fmt(f.rate[i])];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    tbl.append(tr);
  });
  if (state.paused) return;
  for (const c of Object.values(state.charts)) {
    // One point per frame and signal: the extremes that arrived since the
    // last frame are drawn as a min and a max point, so spikes show.
    const any = c.idx.some((i) => f.n[i] > 0);
    if (!any) continue;
    const d = c.data;
    d[0].push(f.t - 0.025, f.t);
    c.idx.forEach((i, k) => {
      const lo = f.min[i] ?? null, hi = f.max[i] ?? null;
      d[k + 1].push(f.n[i] ? lo : null, f.n[i] ? hi : null);
    });
    while (d[0].length && d[0][0] < f.t - WINDOW_S) d.forEach((a) => a.shift());
    c.plot.setData(d);
    c.updates++;
    c.plot.root.dataset.points = String(d[0].length);
    c.plot.root.dataset.updates = String(c.updates);
  }
}

function connect() {
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/stream");
  ws.onmessage = (e) => onFrame(JSON.parse(e.data));
  ws.onclose = () => setTimeout(connect, 1000);
}

// ---- wiring ----
$("search").oninput = () => { clearTimeout(searchTimer); searchTimer = setTimeout(loadObjects, 150); };
$("kind").onchange = loadObjects;
$("group").onchange = loadObjects;
$("pause").onclick = () => { state.paused = !state.paused; $("pause").textContent = state.paused ? "Resume" : "Pause"; };
$("clear").onclick = () => { for (const c of Object.values(state.charts)) { c.data.forEach((a) => (a.length = 0)); c.plot.setData(c.data); } };
$("rec").onclick = async () => {
  try {
    if (state.recording) {
      const r = await api("/api/record", { action: "stop" });
      toast(`recording ${r.stopped} closed`);
    } else {
      await api("/api/record", { action: "start", file: $("recfile").value.trim() });
      toast("recording");
    }
  } catch (e) {
    toast(e.message, true);
  }
};
window.addEventListener("resize", () => { for (const c of Object.values(state.charts)) c.plot.setSize({ width: Math.max(400, $("charts").clientWidth - 20), height: 220 }); });

loadInfo().then(loadObjects).catch((e) => toast(e.message, true));
connect();
