// Draws the brand dashboard's charts from the JSON embedded in the page (Chart.js, vendored
// from npm). Without JavaScript, or without the library, the tables next to each chart remain.
(function () {
  "use strict";

  var COLORS = { accent: "#2455c3", light: "#9db5ea", ok: "#1e7d4f", warn: "#a45b00", bad: "#b42318" };
  var SCORE_COLORS = ["#b42318", "#d9622b", "#c9a227", "#6aa84f", "#1e7d4f"];

  function reduceMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function base(extra) {
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion() ? false : { duration: 300 },
      plugins: { legend: { display: false } },
    };
    return Object.assign(options, extra || {});
  }

  function bar(labels, datasets, options) {
    return { type: "bar", data: { labels: labels, datasets: datasets }, options: base(options) };
  }

  var builders = {
    volume: function (d) {
      return bar(d.labels, [{ label: "Tickets", data: d.values, backgroundColor: COLORS.accent }], {
        scales: { x: { ticks: { maxTicksLimit: 14, autoSkip: true } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      });
    },
    times: function (d) {
      return bar(d.labels, [
        { label: "Median (minutes)", data: d.median, backgroundColor: COLORS.accent },
        { label: "p90 (minutes)", data: d.p90, backgroundColor: COLORS.light },
      ], { plugins: { legend: { display: true } }, scales: { y: { beginAtZero: true, title: { display: true, text: "minutes" } } } });
    },
    sla: function (d) {
      return bar(d.labels, [{ label: "Met (%)", data: d.values, backgroundColor: COLORS.ok }], {
        scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "% met" } } },
      });
    },
    csat: function (d) {
      return bar(d.labels, [{ label: "Ratings", data: d.values, backgroundColor: SCORE_COLORS }], {
        scales: { x: { title: { display: true, text: "score" } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      });
    },
    escalation: function (d) {
      return {
        type: "doughnut",
        data: { labels: d.labels, datasets: [{ data: d.values, backgroundColor: [COLORS.bad, COLORS.light] }] },
        options: base({ plugins: { legend: { display: true, position: "bottom" } } }),
      };
    },
    cost: function (d) {
      return bar(d.labels, [
        { label: "Crowd, per resolution", data: d.gig, backgroundColor: COLORS.accent },
        { label: "In house, per contact", data: d.inhouse, backgroundColor: COLORS.warn },
      ], { plugins: { legend: { display: true } }, scales: { y: { beginAtZero: true } } });
    },
  };

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var name = canvas.dataset.chart;
      if (!builders[name] || !data[name]) { return; }
      canvas.parentElement.classList.add("is-drawn");
      new window.Chart(canvas, builders[name](data[name]));
    });
  });
})();
