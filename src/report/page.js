// surfrender's QC page. The data arrive in the JSON block #qc-data (written by
// src/report/page.rs); everything shown is set with textContent, never innerHTML, so names
// and errors appear as typed. Marks live in localStorage under a key per report, and leave
// the browser as CSV (subject,rating,note).
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const data = JSON.parse($("qc-data").textContent);
  const figures = data.figures;
  const storeKey = "surfrender-qc:" + data.id;
  const KEYS = { p: "pass", f: "fail", u: "unsure" };
  const RATINGS = ["pass", "fail", "unsure"];

  // ---- stored marks: { "<png path>": { rating: "pass", note: "…" } } ----
  let marks = {};
  try {
    marks = JSON.parse(localStorage.getItem(storeKey) || "{}") || {};
  } catch (e) {
    warn("Marks cannot be kept in this browser's storage (" + e.message + "); export the CSV before closing the page.");
  }
  function save() {
    try {
      localStorage.setItem(storeKey, JSON.stringify(marks));
    } catch (e) {
      warn("Marks could not be saved (" + e.message + "); export the CSV before closing the page.");
    }
  }
  function warn(text) {
    const w = $("warning");
    w.textContent = text;
    w.hidden = false;
  }
  const markOf = (fig) => marks[fig.png] || {};

  // A relative path as a URL: each part encoded, so names with # ? % or spaces load.
  const url = (rel) => rel.split("/").map(encodeURIComponent).join("/");
  const num = (x) => (typeof x === "number" ? +x.toPrecision(4) : "?");
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // ---- the grid ----
  function factLines(fig) {
    const lines = [];
    for (const s of fig.surfaces) {
      const parts = [s.hemi || "surface"];
      if (s.vertices != null) parts.push(s.vertices.toLocaleString("en") + " vertices");
      if (s.faces != null) parts.push(s.faces.toLocaleString("en") + " faces");
      lines.push({ text: parts.join(" · "), title: s.path });
    }
    for (const o of fig.overlays) {
      const parts = [(o.hemi ? o.hemi + " " : "") + "overlay"];
      if (o.min != null || o.max != null) parts.push(num(o.min) + " to " + num(o.max));
      if (o.range) parts.push("colour range " + num(o.range[0]) + " to " + num(o.range[1]));
      const bad = o.non_finite != null ? o.non_finite.toLocaleString("en") + " non-finite" : "";
      lines.push({ text: parts.join(" · "), title: o.path, bad: bad, warn: o.non_finite > 0 });
    }
    return lines;
  }

  function makeCard(fig, i) {
    const card = el("article", "card");
    card.dataset.index = i;
    const img = el("img");
    img.loading = "lazy";
    img.decoding = "async";
    img.alt = fig.subject;
    img.src = url(fig.thumb || fig.png);
    img.addEventListener("click", () => { select(i); openFull(); });
    const h = el("h2");
    h.append(el("span", "name", fig.subject), el("span", "badge"));
    card.append(img, h);
    const facts = el("div", "facts");
    for (const line of factLines(fig)) {
      const d = el("div", "", line.text);
      // The non-finite count stands out when it is not zero: NaNs drawn as no data.
      if (line.bad) d.append(" · ", el("span", line.warn ? "warn" : "", line.bad));
      if (line.title) d.title = line.title;
      facts.append(d);
    }
    if (fig.row != null) facts.append(el("div", "", "batch row " + fig.row));
    card.append(facts, el("div", "note"));
    card.title = fig.png;
    card.addEventListener("click", () => select(i));
    return card;
  }

  function paintCard(i) {
    const m = markOf(figures[i]);
    const card = cards[i];
    const badge = card.querySelector(".badge");
    badge.className = "badge " + (m.rating || "");
    badge.textContent = m.rating || "";
    card.querySelector(".note").textContent = m.note || "";
  }

  // ---- selection, filter, counts ----
  let visible = [];
  let selected = -1;

  function applyFilter() {
    const needle = $("filter").value.trim().toLowerCase();
    const show = $("show").value;
    visible = [];
    figures.forEach((fig, i) => {
      const rating = markOf(fig).rating;
      const keep =
        fig.subject.toLowerCase().includes(needle) &&
        (show === "all" || (show === "unmarked" ? !rating : rating === show));
      cards[i].hidden = !keep;
      if (keep) visible.push(i);
    });
    $("empty").hidden = visible.length > 0;
    if (!visible.includes(selected)) select(visible.length ? visible[0] : -1, false);
    counts();
  }

  function counts() {
    const by = { pass: 0, fail: 0, unsure: 0 };
    for (const fig of figures) {
      const r = markOf(fig).rating;
      if (r in by) by[r] += 1;
    }
    const marked = by.pass + by.fail + by.unsure;
    let text = marked + " / " + figures.length + " marked · " + by.pass + " pass · " +
      by.fail + " fail · " + by.unsure + " unsure";
    if (visible.length !== figures.length) text += " · showing " + visible.length;
    $("count").textContent = text;
  }

  function select(i, scroll = true) {
    if (selected >= 0) cards[selected].classList.remove("selected");
    selected = i;
    const fig = figures[i];
    $("current").textContent = fig ? fig.subject : "";
    $("note").value = fig ? markOf(fig).note || "" : "";
    $("note").disabled = !fig;
    for (const b of document.querySelectorAll("button[data-rating]")) {
      b.setAttribute("aria-pressed", String(!!fig && b.dataset.rating !== "" && markOf(fig).rating === b.dataset.rating));
    }
    if (!fig) return;
    cards[i].classList.add("selected");
    if (scroll) cards[i].scrollIntoView({ block: "nearest" });
    if (!$("lightbox").hidden) openFull();
  }

  function move(step) {
    if (!visible.length) return;
    const at = visible.indexOf(selected);
    const to = Math.max(0, Math.min(visible.length - 1, (at < 0 ? 0 : at) + step));
    select(visible[to]);
  }

  // ---- marks ----
  function update(fig, change) {
    const m = Object.assign({}, markOf(fig), change);
    if (!m.rating) delete m.rating;
    if (!m.note) delete m.note;
    if (Object.keys(m).length) marks[fig.png] = m;
    else delete marks[fig.png];
    save();
    paintCard(figures.indexOf(fig));
  }

  function mark(rating) {
    const fig = figures[selected];
    if (!fig) return;
    update(fig, { rating: rating });
    counts();
    select(selected, false);
    if (rating && $("advance").checked) move(1);
  }

  // ---- CSV ----
  const csvField = (s) => (/[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  function qcCsv() {
    const rows = ["subject,rating,note"];
    for (const fig of figures) {
      const m = markOf(fig);
      if (m.rating || m.note) rows.push([fig.subject, m.rating || "", m.note || ""].map(csvField).join(","));
    }
    return rows.join("\r\n") + "\r\n";
  }
  window.qcCsv = qcCsv;

  function exportCsv() {
    const blob = new Blob([qcCsv()], { type: "text/csv;charset=utf-8" });
    const a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "qc-" + data.title.replace(/[^\w.-]+/g, "_") + ".csv";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // ---- the full figure ----
  function openFull() {
    const fig = figures[selected];
    if (!fig) return;
    const box = $("lightbox");
    const img = box.querySelector("img");
    if (img.getAttribute("src") !== url(fig.png)) img.src = url(fig.png);
    img.alt = fig.subject;
    const m = markOf(fig);
    box.querySelector("figcaption").textContent =
      fig.subject + (m.rating ? " · " + m.rating : "") + (m.note ? " · " + m.note : "");
    box.hidden = false;
  }
  const closeFull = () => { $("lightbox").hidden = true; };

  // ---- keys ----
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t.matches && t.matches("input, textarea, select")) {
      // Typing goes into the field; Enter or Esc hands the keys back to review.
      if ((e.key === "Escape" || e.key === "Enter") && t.type !== "checkbox") t.blur();
      return;
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const actions = {
      ArrowRight: () => move(1),
      ArrowLeft: () => move(-1),
      Home: () => move(-figures.length),
      End: () => move(figures.length),
      x: () => mark(""),
      n: () => { closeFull(); $("note").focus(); },
      "/": () => { closeFull(); $("filter").focus(); },
      Enter: () => ($("lightbox").hidden ? openFull() : closeFull()),
      Escape: closeFull,
    };
    const act = KEYS[key] ? () => mark(KEYS[key]) : actions[key];
    if (act) {
      e.preventDefault();
      act();
    }
  });

  // ---- wiring ----
  $("title").textContent = "QC · " + data.title;
  $("made").textContent = "Made by surfrender " + data.version + " on " +
    new Date(data.generated * 1000).toLocaleString() + " from " + data.id + ".";
  const grid = $("grid");
  const cards = figures.map(makeCard);
  grid.append(...cards);
  cards.forEach((_, i) => paintCard(i));
  $("filter").addEventListener("input", applyFilter);
  $("show").addEventListener("change", applyFilter);
  $("note").addEventListener("input", (e) => {
    if (figures[selected]) update(figures[selected], { note: e.target.value });
  });
  $("note").addEventListener("click", (e) => e.target.focus());
  for (const b of document.querySelectorAll("button[data-rating]")) {
    b.addEventListener("click", () => { mark(b.dataset.rating); b.blur(); });
  }
  $("export").addEventListener("click", exportCsv);
  $("lightbox").addEventListener("click", closeFull);
  try {
    $("advance").checked = localStorage.getItem("surfrender-qc-advance") === "1";
    $("advance").addEventListener("change", (e) =>
      localStorage.setItem("surfrender-qc-advance", e.target.checked ? "1" : "0"));
  } catch (e) { /* the warning above already says storage is out */ }

  if (data.failures.length) {
    const box = $("failures");
    box.hidden = false;
    box.querySelector("summary").textContent =
      data.failures.length + (data.failures.length === 1 ? " subject" : " subjects") + " failed";
    const body = box.querySelector("tbody");
    for (const f of data.failures) {
      const tr = el("tr", "failure");
      tr.append(el("td", "subject", f.subject), el("td", "", f.row == null ? "" : String(f.row)),
        el("td", "", f.output), el("td", "error", f.error), el("td", "", f.record));
      body.append(tr);
    }
  }
  if (!figures.length) $("empty").textContent = "No figures with sidecars were found in this folder.";
  applyFilter();
})();
