// One service: state, uptime, outage history with messages, and the failed jobs its outages hit.
"use strict";
async function loadService() {
  JS.banner();
  const name = decodeURIComponent(location.pathname.split("/").pop());
  document.getElementById("name").textContent = name;
  document.title = name + " · jobscope";
  const state = document.getElementById("state");
  let h;
  try {
    h = await JS.get("/api/v1/services/" + encodeURIComponent(name) + "?since=30d");
  } catch (e) {
    state.textContent = e.message;
    return;
  }
  const s = h.service;
  state.replaceChildren(JS.badge(s.state), JS.el("span", (s.since ? " since " + s.since : "") + (s.message ? ": " + s.message : "")));
  const u = s.uptime_percent;
  document.getElementById("uptime").textContent =
    "Uptime: " + u["24h"].toFixed(2) + "% (24h), " + u["7d"].toFixed(2) + "% (7d), " + u["30d"].toFixed(2) + "% (30d)";
  JS.bars(document.getElementById("bars"), h.outages, 30);
  const tbody = document.querySelector("#outages tbody");
  tbody.replaceChildren();
  for (const o of h.outages) {
    const tr = document.createElement("tr");
    tr.appendChild(JS.el("td", o.start));
    tr.appendChild(JS.el("td", o.end || (o.until ? "ongoing (until " + o.until + ")" : "ongoing")));
    tr.appendChild(JS.el("td", JS.duration(o.duration_s)));
    const w = document.createElement("td");
    w.appendChild(JS.badge(o.worst));
    tr.appendChild(w);
    const msgs = document.createElement("td");
    for (const m of o.messages) { msgs.appendChild(JS.el("div", m.time + " " + m.message + " (" + m.source + ")")); }
    tr.appendChild(msgs);
    tbody.appendChild(tr);
  }
  if (h.outages.length === 0) {
    const tr = document.createElement("tr");
    tr.appendChild(JS.el("td", "No outages in 30 days."));
    tbody.appendChild(tr);
  }
  try {
    const i = await JS.get("/api/v1/services/" + encodeURIComponent(name) + "/impact?since=30d&limit=100");
    document.getElementById("impact-summary").textContent =
      i.failed_jobs + " failed job(s) ran during its outages, wasting " + i.cpu_hours_wasted.toFixed(2) + " CPU hours.";
    const jb = document.querySelector("#impact tbody");
    jb.replaceChildren();
    for (const j of i.jobs) {
      const tr = document.createElement("tr");
      tr.appendChild(JS.el("td", j.id));
      tr.appendChild(JS.el("td", j.app || ""));
      tr.appendChild(JS.el("td", j.status));
      tr.appendChild(JS.el("td", j.start));
      tr.appendChild(JS.el("td", j.cpu_hours.toFixed(3)));
      tr.appendChild(JS.el("td", j.requires_service ? "yes" : ""));
      jb.appendChild(tr);
    }
  } catch (e) {
    document.getElementById("impact-summary").textContent = "Cannot load impacted jobs: " + e.message;
  }
}
document.addEventListener("DOMContentLoaded", loadService);
