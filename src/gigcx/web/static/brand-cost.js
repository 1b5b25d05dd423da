// Draws the cost-planning chart from the JSON embedded in the page (Chart.js, vendored from
// npm). Without JavaScript, or without the library, the table under the chart remains.
(function () {
  "use strict";

  function reduceMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("cost-chart-data");
    var canvas = document.querySelector("canvas[data-cost-chart]");
    if (!source || !canvas || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    canvas.parentElement.classList.add("is-drawn");
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: "In house", data: data.inhouse, backgroundColor: "#a45b00" },
          { label: "Crowd", data: data.gig, backgroundColor: "#2455c3" },
          { label: "Blended", data: data.blended, backgroundColor: "#1e7d4f" },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion() ? false : { duration: 300 },
        plugins: { legend: { display: true } },
        scales: { y: { beginAtZero: true, title: { display: true, text: data.currency + " per contact" } } },
      },
    });
  });
})();
