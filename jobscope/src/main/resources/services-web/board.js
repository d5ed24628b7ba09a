// The services board: each service's state, 30-day uptime bars, open incidents, upcoming maintenance.
"use strict";
async function loadBoard() {
  JS.banner();
  const summary = document.getElementById("summary");
  let data;
  try {
    data = await JS.get("/api/v1/services");
  } catch (e) {
    summary.textContent = "Cannot load services: " + e.message;
    return;
  }
  const tbody = document.querySelector("#services tbody");
  tbody.replaceChildren();
  const incidents = document.getElementById("incidents");
  incidents.replaceChildren();
  let down = 0;
  for (const s of data.services) {
    const tr = document.createElement("tr");
    tr.dataset.service = s.name;
    const link = JS.el("a", s.name);
    link.href = "/services/" + encodeURIComponent(s.name);
    const name = document.createElement("td");
    name.appendChild(link);
    tr.appendChild(name);
    tr.appendChild(JS.el("td", s.group || ""));
    const st = document.createElement("td");
    st.appendChild(JS.badge(s.state));
    tr.appendChild(st);
    tr.appendChild(JS.el("td", s.since || ""));
    const barsCell = document.createElement("td");
    const bars = JS.el("div", null, "bars");
    barsCell.appendChild(bars);
    tr.appendChild(barsCell);
    tr.appendChild(JS.el("td", s.uptime_percent["30d"].toFixed(2) + "%"));
    tr.appendChild(JS.el("td", s.message || ""));
    tbody.appendChild(tr);
    JS.get("/api/v1/services/" + encodeURIComponent(s.name) + "?since=30d")
      .then(h => JS.bars(bars, h.outages, 30))
      .catch(() => {});
    if (s.state !== "operational") {
      down++;
      const li = JS.el("li", null, "incident");
      li.appendChild(JS.badge(s.state));
      li.appendChild(JS.el("span", " " + s.name + (s.since ? " since " + s.since : "") + (s.message ? ": " + s.message : "")));
      incidents.appendChild(li);
    }
  }
  if (down === 0) { incidents.appendChild(JS.el("li", "None.")); }
  summary.textContent = data.services.length === 0
    ? "No services known yet."
    : (down === 0 ? "All " + data.services.length + " services operational." : down + " of " + data.services.length + " services not operational.");
  const maint = document.getElementById("maintenance");
  maint.replaceChildren();
  try {
    const m = await JS.get("/api/v1/maintenance");
    for (const w of m.maintenance) {
      maint.appendChild(JS.el("li", w.services.join(", ") + ": " + w.start + " until " + w.end + (w.reason ? " (" + w.reason + ")" : "")));
    }
    if (m.maintenance.length === 0) { maint.appendChild(JS.el("li", "None scheduled.")); }
  } catch (e) {
    maint.appendChild(JS.el("li", "Cannot load maintenance: " + e.message));
  }
}
document.addEventListener("DOMContentLoaded", () => {
  loadBoard();
  setInterval(loadBoard, 30000);
});
