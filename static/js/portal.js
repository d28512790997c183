// The portal's few behaviours, bound from data-attributes: the Content-Security-Policy allows no inline script
// and no on…= handler, so templates say what they want and this file (loaded on every page) does it.
//   data-submit-on-change           a select that submits its form when changed (filters, language)
//   data-print                      a button that opens the print dialogue
//   data-submit-once                a submit button disabled at the first click, so a double click posts once
//   data-reload-after-submit="ms"   a form (a download) after whose submission the page reloads
//   data-check-all="selector"       a checkbox that ticks or clears every box matching the selector
//   canvas[data-simple-chart]       a one-series chart from the JSON in the element named by data-simple-chart
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
    if (target.matches("[data-check-all]")) {
      document.querySelectorAll(target.dataset.checkAll).forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    var print = event.target.closest("[data-print]");
    if (print) {
      window.print();
      return;
    }
    var once = event.target.closest("[data-submit-once]");
    if (once && once.form) {
      event.preventDefault();
      once.disabled = true;
      once.form.submit();
    }
  });

  document.addEventListener("submit", function (event) {
    var delay = event.target.dataset && event.target.dataset.reloadAfterSubmit;
    if (delay) {
      setTimeout(function () { window.location.reload(); }, Number(delay));
    }
  });

  function drawSimpleCharts() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas[data-simple-chart]").forEach(function (canvas) {
      var node = document.getElementById(canvas.dataset.simpleChart);
      if (!node) return;
      var data = JSON.parse(node.textContent);
      var colour = canvas.dataset.colour || "#b71c1c";
      var bar = canvas.dataset.type === "bar";
      new Chart(canvas, {
        type: bar ? "bar" : "line",
        data: {
          labels: data.labels,
          datasets: [{
            label: canvas.dataset.label || "",
            data: data.values.map(Number),
            backgroundColor: colour,
            borderColor: colour,
            tension: 0.2
          }]
        },
        options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: bar}}}
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawSimpleCharts);
  } else {
    drawSimpleCharts();
  }
})();
