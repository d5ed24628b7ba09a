// jobscope dashboard behaviour. No inline script anywhere (the Content-Security-Policy forbids it):
// pages carry data-* attributes, charts fetch their data from the JSON API.
(function () {
  'use strict';

  var STATUS_COLOURS = {
    success: '#2e7d32', failed: '#c62828', error: '#8e0000', timeout: '#ef6c00', running: '#1565c0',
    pending: '#8d8d8d', held: '#6a1b9a', cancelled: '#5d4037', unknown: '#9e9e9e'
  };
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22',
    '#7f7f7f', '#d62728', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd'];
  var appColours = {};

  window.jobscope = { charts: {}, dag: null, statusColours: STATUS_COLOURS };

  function statusColour(s) { return STATUS_COLOURS[s] || STATUS_COLOURS.unknown; }

  function appColour(app) {
    var key = app == null ? '(none)' : String(app);
    if (!(key in appColours)) {
      appColours[key] = PALETTE[Object.keys(appColours).length % PALETTE.length];
    }
    return appColours[key];
  }

  // ------------------------------------------------------------------ times in the viewer's zone
  var timeFormat = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
  });
  var shortTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' });

  function localizeTimes(root) {
    (root || document).querySelectorAll('time[datetime]').forEach(function (el) {
      if (el.dataset.local) { return; }
      var d = new Date(el.getAttribute('datetime'));
      if (isNaN(d.getTime())) { return; }
      el.title = d.toISOString() + ' (UTC)';
      el.textContent = timeFormat.format(d);
      el.dataset.local = '1';
    });
    (root || document).querySelectorAll('.tzname').forEach(function (el) {
      el.textContent = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';
    });
  }

  // ------------------------------------------------------------------ filters keep the URL clean
  function wireFilters(root) {
    (root || document).querySelectorAll('form[data-autosubmit]').forEach(function (form) {
      if (form.dataset.wired) { return; }
      form.dataset.wired = '1';
      form.addEventListener('submit', function () {
        form.querySelectorAll('input, select').forEach(function (el) {
          if (el.name && el.value === '') { el.disabled = true; }
        });
      });
      form.querySelectorAll('select').forEach(function (sel) {
        sel.addEventListener('change', function () {
          if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
        });
      });
    });
  }

  // ------------------------------------------------------------------ charts
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  function gb(bytes) { return bytes == null ? null : bytes / 1073741824; }

  function timeTicks(value) { return shortTime.format(new Date(value)); }

  function mark(canvas, chart) {
    window.jobscope.charts[canvas.id] = chart;
    canvas.dataset.loaded = '1';
  }

  function noData(canvas, text) {
    var p = document.createElement('p');
    p.className = 'empty';
    p.textContent = text;
    canvas.parentNode.replaceWith(p);
    canvas.dataset.loaded = '1';
  }

  var builders = {
    throughput: function (canvas, d) {
      var labels = d.times.map(function (t) { return shortTime.format(new Date(t)); });
      return new Chart(canvas, {
        type: 'bar',
        data: {
          labels: labels,
          datasets: [
            { label: 'succeeded', data: d.succeeded, backgroundColor: STATUS_COLOURS.success, stack: 's' },
            { label: 'failed', data: d.failed, backgroundColor: STATUS_COLOURS.failed, stack: 's' },
            { label: 'other', data: d.other, backgroundColor: STATUS_COLOURS.cancelled, stack: 's' }
          ]
        },
        options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'jobs per hour' } } } }
      });
    },

    timeline: function (canvas, d) {
      if (d.mode === 'aggregate') {
        var labels = d.times.map(function (t) { return new Date(t).getTime(); });
        var datasets = Object.keys(d.running).map(function (app) {
          var c = appColour(app);
          return { label: app, data: d.running[app], borderColor: c, backgroundColor: c, fill: true, pointRadius: 0, stepped: true };
        });
        return new Chart(canvas, {
          type: 'line',
          data: { labels: labels, datasets: datasets },
          options: {
            maintainAspectRatio: false,
            plugins: { title: { display: true, text: d.jobs_total + ' jobs: jobs running per app (' + d.bucket_s + ' s buckets)' } },
            scales: {
              x: { ticks: { callback: function (v, i) { return timeTicks(labels[i]); }, maxTicksLimit: 12 } },
              y: { stacked: true, title: { display: true, text: 'jobs running' } }
            }
          }
        });
      }
      var jobs = d.jobs.filter(function (j) { return j.start; });
      if (jobs.length === 0) { return noData(canvas, 'No job has started yet.'); }
      canvas.parentNode.style.height = Math.min(700, Math.max(200, jobs.length * 16 + 60)) + 'px';
      var spans = jobs.map(function (j) { return [new Date(j.start).getTime(), new Date(j.end || j.start).getTime()]; });
      var tMin = Math.min.apply(null, spans.map(function (x) { return x[0]; }));
      var tMax = Math.max.apply(null, spans.map(function (x) { return x[1]; }));
      return new Chart(canvas, {
        type: 'bar',
        data: {
          labels: jobs.map(function (j) { return j.id; }),
          datasets: [{
            label: 'jobs',
            data: spans,
            backgroundColor: jobs.map(function (j) { return appColour(j.app); }),
            borderColor: jobs.map(function (j) { return statusColour(j.status); }),
            borderWidth: 2, borderSkipped: false
          }]
        },
        options: {
          indexAxis: 'y',
          maintainAspectRatio: false,
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (ctx) { var j = jobs[ctx.dataIndex]; return j.app + ' · ' + j.status; } } }
          },
          scales: {
            x: { type: 'linear', min: tMin, max: Math.max(tMax, tMin + 1000), beginAtZero: false,
              ticks: { callback: timeTicks, maxTicksLimit: 10 } },
            y: { ticks: { display: jobs.length <= 60, autoSkip: true } }
          },
          onClick: function (evt, els) {
            if (els.length) { location.href = '/jobs/' + encodeURIComponent(jobs[els[0].index].id); }
          }
        }
      });
    },

    resources: function (canvas, d) {
      if (!d.times || d.times.length === 0) { return noData(canvas, 'No resource samples in this workflow.'); }
      var labels = d.times.map(function (t) { return new Date(t).getTime(); });
      return new Chart(canvas, {
        type: 'line',
        data: {
          labels: labels,
          datasets: [
            { label: 'CPU cores in use', data: d.cores, borderColor: '#1565c0', backgroundColor: '#1565c0', yAxisID: 'y', pointRadius: 0 },
            { label: 'memory in use (GB)', data: d.mem_bytes.map(gb), borderColor: '#ef6c00', backgroundColor: '#ef6c00', yAxisID: 'y1', pointRadius: 0 }
          ]
        },
        options: {
          maintainAspectRatio: false,
          scales: {
            x: { ticks: { callback: function (v, i) { return timeTicks(labels[i]); }, maxTicksLimit: 10 } },
            y: { beginAtZero: true, title: { display: true, text: 'cores' } },
            y1: { beginAtZero: true, position: 'right', title: { display: true, text: 'GB' }, grid: { drawOnChartArea: false } }
          }
        }
      });
    },

    samples: function (canvas, d) {
      var s = d.samples || [];
      if (s.length === 0) { return noData(canvas, 'No resource samples for this job.'); }
      var labels = s.map(function (x) { return new Date(x.time).getTime(); });
      return new Chart(canvas, {
        type: 'line',
        data: {
          labels: labels,
          datasets: [
            { label: 'CPU %', data: s.map(function (x) { return x.cpu_percent; }), borderColor: '#1565c0', backgroundColor: '#1565c0', yAxisID: 'y', pointRadius: 1 },
            { label: 'resident memory (MB)', data: s.map(function (x) { return x.rss_bytes == null ? null : x.rss_bytes / 1048576; }), borderColor: '#ef6c00', backgroundColor: '#ef6c00', yAxisID: 'y1', pointRadius: 1 }
          ]
        },
        options: {
          maintainAspectRatio: false,
          scales: {
            x: { ticks: { callback: function (v, i) { return new Date(labels[i]).toLocaleTimeString(); }, maxTicksLimit: 10 } },
            y: { beginAtZero: true, title: { display: true, text: 'CPU % (100 = one core)' } },
            y1: { beginAtZero: true, position: 'right', title: { display: true, text: 'MB' }, grid: { drawOnChartArea: false } }
          }
        }
      });
    },

    stats: function (canvas, d) {
      var g = (d.groups || []).slice(0, 30);
      if (g.length === 0) { return noData(canvas, 'No jobs in this window.'); }
      return new Chart(canvas, {
        type: 'bar',
        data: {
          labels: g.map(function (x) { return x.key == null ? '(none)' : x.key; }),
          datasets: [
            { label: 'failure rate %', data: g.map(function (x) { return x.failure_rate; }), backgroundColor: STATUS_COLOURS.failed },
            { label: 'CPU efficiency %', data: g.map(function (x) { return x.efficiency; }), backgroundColor: '#1565c0' }
          ]
        },
        options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, title: { display: true, text: '%' } } } }
      });
    }
  };

  function loadCharts(root) {
    if (typeof Chart === 'undefined') { return; }
    Chart.defaults.animation = false;
    (root || document).querySelectorAll('canvas[data-chart]').forEach(function (canvas) {
      if (canvas.dataset.started) { return; }
      canvas.dataset.started = '1';
      var build = builders[canvas.dataset.chart];
      getJson(canvas.dataset.src).then(function (d) {
        var chart = build(canvas, d);
        if (chart) { mark(canvas, chart); }
      }).catch(function (e) {
        canvas.dataset.error = String(e);
        noData(canvas, 'Could not load the chart: ' + e.message);
      });
    });
  }

  // ------------------------------------------------------------------ the workflow DAG
  function loadDag() {
    var el = document.getElementById('dag');
    if (!el || typeof cytoscape === 'undefined') { return; }
    getJson(el.dataset.src).then(function (d) {
      var apps = d.mode === 'apps';
      var elements = d.nodes.map(function (n) {
        var label = apps ? n.app + ' (' + n.jobs + ')' : (d.nodes.length <= 60 ? n.id : '');
        return { data: { id: n.id, app: n.app, status: n.status, label: label, colour: appColour(n.app), jobs: n.jobs } };
      });
      d.edges.forEach(function (e, i) {
        elements.push({ data: { id: 'e' + i, source: e.source, target: e.target, label: e.count ? String(e.count) : '' } });
      });
      var cy = cytoscape({
        container: el,
        elements: elements,
        wheelSensitivity: 0.3,
        style: [
          { selector: 'node', style: {
            'background-color': 'data(colour)', 'label': 'data(label)', 'font-size': 10, 'color': '#1d2430',
            'text-valign': 'bottom', 'text-margin-y': 3, 'width': apps ? 34 : 18, 'height': apps ? 34 : 18,
            'border-width': 2, 'border-color': '#ffffff' } },
          { selector: 'edge', style: {
            'width': 1.2, 'line-color': '#9fb3c8', 'target-arrow-color': '#9fb3c8', 'target-arrow-shape': 'triangle',
            'curve-style': 'bezier', 'arrow-scale': 0.8, 'label': 'data(label)', 'font-size': 9 } },
          { selector: 'node:selected', style: { 'border-color': '#000' } }
        ],
        layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.05, padding: 10, animate: false }
      });
      cy.on('tap', 'node', function (evt) {
        var n = evt.target.data();
        if (apps) {
          location.href = '/jobs?workflow=' + encodeURIComponent(el.dataset.workflow) + '&app=' + encodeURIComponent(n.app);
        } else {
          location.href = '/jobs/' + encodeURIComponent(n.id);
        }
      });
      window.jobscope.dag = cy;
      colourDag(el.dataset.colour || 'app');
      el.dataset.loaded = '1';
    }).catch(function (e) {
      el.dataset.error = String(e);
      el.textContent = 'Could not load the task graph: ' + e.message;
    });
    document.querySelectorAll('#dag-switch button').forEach(function (b) {
      b.addEventListener('click', function () { colourDag(b.dataset.colour); });
    });
  }

  function colourDag(by) {
    var cy = window.jobscope.dag;
    var el = document.getElementById('dag');
    el.dataset.colour = by;
    document.querySelectorAll('#dag-switch button').forEach(function (b) {
      b.classList.toggle('on', b.dataset.colour === by);
    });
    if (!cy) { return; }
    var seen = {};
    cy.nodes().forEach(function (n) {
      var key = by === 'state' ? n.data('status') : n.data('app');
      var c = by === 'state' ? statusColour(key) : appColour(key);
      n.data('colour', c);
      seen[key == null ? '(none)' : key] = c;
    });
    var legend = document.getElementById('dag-legend');
    if (legend) {
      legend.textContent = '';
      Object.keys(seen).sort().forEach(function (k) {
        var item = document.createElement('span');
        var sw = document.createElement('span');
        sw.className = 'sw';
        sw.style.backgroundColor = seen[k];
        item.appendChild(sw);
        item.appendChild(document.createTextNode(k));
        legend.appendChild(item);
      });
    }
  }

  function init(root) {
    localizeTimes(root);
    wireFilters(root);
    loadCharts(root);
  }

  document.addEventListener('DOMContentLoaded', function () {
    init(document);
    loadDag();
  });
  document.addEventListener('htmx:load', function (e) { init(e.target); });
})();
