// Draws a simulated day's charts per hour, one line per routing policy, from the JSON embedded
// in the page (Chart.js, vendored). Without JavaScript the comparison table remains.
(function () {
  "use strict";

  var COLORS = ["#2455c3", "#1e7d4f", "#a45b00", "#b42318", "#6b4fbb"];
  var UNITS = { service_level: "% within target", asa: "seconds", utilisation: "% of capacity" };

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var measure = canvas.dataset.chart;
      var datasets = data.policies.map(function (policy, index) {
        return { label: policy.name, data: policy[measure], borderColor: COLORS[index % COLORS.length], spanGaps: true };
      });
      canvas.parentElement.classList.add("is-drawn");
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.labels, datasets: datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: still ? false : { duration: 300 },
          plugins: { legend: { display: true } },
          scales: { y: { beginAtZero: true, title: { display: true, text: UNITS[measure] } } },
        },
      });
    });
  });
})();
