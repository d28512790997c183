// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID" type="application/json"> (the same
// numbers as the table beside it). Chart.js is vendored under static/vendor/chartjs.
(function () {
  "use strict";
  var palette = ["#b71c1c", "#1565c0", "#2e7d32", "#f9a825", "#6a1b9a", "#00838f", "#5d4037"];
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var node = document.getElementById(canvas.dataset.chart);
    if (!node) return;
    var chart = JSON.parse(node.textContent);
    var stacked = Boolean(chart.stacked);
    new Chart(canvas, {
      type: chart.type,
      data: {
        labels: chart.labels,
        datasets: chart.datasets.map(function (dataset, i) {
          var colour = palette[i % palette.length];
          return {
            label: dataset.label,
            type: dataset.type || chart.type,
            data: dataset.values.map(function (v) { return v === null ? null : Number(v); }),
            backgroundColor: colour,
            borderColor: colour,
            borderWidth: dataset.type === "line" || chart.type === "line" ? 2 : 0,
            pointRadius: 2,
            stack: dataset.type === "line" ? "line" : "bars"
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {x: {stacked: stacked}, y: {stacked: stacked, beginAtZero: true}},
        plugins: {legend: {position: "bottom"}}
      }
    });
    canvas.dataset.drawn = "1";
  });
})();
