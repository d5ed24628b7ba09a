// Shared helpers for the services pages: fetch JSON, build elements with text only (never HTML), banner.
"use strict";
const JS = {
  async get(path) {
    const r = await fetch(path, { headers: { Accept: "application/json" } });
    const body = await r.json();
    if (!r.ok) { throw new Error(body.error || ("HTTP " + r.status)); }
    return body;
  },
  el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  },
  badge(state) { return JS.el("span", state, "state state-" + state); },
  duration(s) {
    if (s < 1) { return s.toFixed(3) + "s"; }
    if (s < 60) { return Math.round(s) + "s"; }
    const m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (d > 0) { return d + "d " + (h % 24) + "h"; }
    if (h > 0) { return h + "h " + (m % 60) + "m"; }
    return m + "m " + Math.round(s % 60) + "s";
  },
  // Per-day uptime bars over the last `days` days from a service's outages (maintenance is not downtime).
  bars(container, outages, days) {
    container.replaceChildren();
    const now = Date.now(), dayMs = 86400000;
    for (let i = days - 1; i >= 0; i--) {
      const from = now - (i + 1) * dayMs, to = now - i * dayMs;
      let down = 0;
      for (const o of outages) {
        for (const s of o.segments) {
          if (s.state === "maintenance") { continue; }
          const a = Math.max(from, Date.parse(s.start));
          const b = Math.min(to, s.end ? Date.parse(s.end) : now);
          if (b > a) { down += b - a; }
        }
      }
      const pct = 100 * (1 - down / dayMs);
      const bar = JS.el("span", null, "bar" + (pct < 99 ? " down" : pct < 100 ? " partial" : ""));
      bar.title = new Date(from).toISOString().slice(0, 10) + ": " + pct.toFixed(2) + "% up";
      container.appendChild(bar);
    }
  },
  async banner() {
    const box = document.getElementById("banner");
    try {
      const data = await JS.get("/api/v1/announcements");
      box.replaceChildren();
      for (const a of data.announcements) {
        box.appendChild(JS.el("div", "[" + a.severity.toUpperCase() + "] " + a.text + (a.until ? " (until " + a.until + ")" : ""), a.severity));
      }
      box.hidden = data.announcements.length === 0;
    } catch (e) {
      box.hidden = true;
    }
  },
};
