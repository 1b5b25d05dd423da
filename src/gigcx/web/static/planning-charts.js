// Draws the planning pages' charts from the JSON embedded in the page (Chart.js, vendored from
// npm). Without JavaScript, or without the library, the tables next to each chart remain.
(function () {
  "use strict";

  var COLORS = { past: "#5b6475", mean: "#2455c3", band: "rgba(36, 85, 195, 0.18)" };

  function reduceMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function line(label, data, extra) {
    return Object.assign({ label: label, data: data, pointRadius: 0, borderWidth: 1.5, spanGaps: false }, extra || {});
  }

  var builders = {
    // The past as a thin grey line, then the forecast's mean over its band (lower to upper).
    planning: function (d) {
      return {
        type: "line",
        data: {
          labels: d.labels,
          datasets: [
            line("Tickets", d.history, { borderColor: COLORS.past }),
            line("Band low", d.lower, { borderColor: "transparent", fill: false }),
            line("Band", d.upper, { borderColor: "transparent", backgroundColor: COLORS.band, fill: "-1" }),
            line("Expected", d.mean, { borderColor: COLORS.mean, borderWidth: 2 }),
          ],
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: reduceMotion() ? false : { duration: 300 },
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { display: true, labels: { filter: function (item) { return item.text !== "Band low"; } } } },
          scales: {
            x: { ticks: { maxTicksLimit: 14, autoSkip: true } },
            y: { beginAtZero: true, title: { display: true, text: "tickets per hour" } },
          },
        },
      };
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
