// Progressive enhancement for the dashboard: every feature also works without this file.
"use strict";
(function () {
  // Confirm destructive forms.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // Copy buttons.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) return;
      navigator.clipboard.writeText(target.textContent.trim()).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 2000);
      });
    });
  });

  // Permission presets.
  document.querySelectorAll("[data-preset]").forEach(function (button) {
    button.addEventListener("click", function () {
      var wanted = button.getAttribute("data-preset").split(" ");
      button.closest("form").querySelectorAll("input[type=checkbox][name^='perm:']").forEach(function (box) {
        box.checked = wanted.indexOf(box.name.slice(5)) !== -1;
      });
    });
  });

  // Live preview of the profile form.
  var previewForm = document.querySelector("[data-preview-form]");
  if (previewForm) {
    previewForm.addEventListener("input", function (event) {
      var field = event.target.name;
      var target = document.querySelector("[data-preview='" + field + "']");
      if (target) target.textContent = event.target.value;
    });
  }

  // Drag-and-drop reordering: posts the new position with the same form the buttons use.
  var list = document.querySelector("[data-reorder]");
  if (list) {
    var dragged = null, home = null, dropped = false;
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest(".link-row");
      if (!dragged) return;
      home = dragged.nextSibling;
      dropped = false;
      dragged.classList.add("dragging");
      if (event.dataTransfer) {  // Firefox starts no drag without data
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", dragged.getAttribute("data-id"));
      }
    });
    list.addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("dragging");
      if (!dropped) list.insertBefore(dragged, home);  // cancelled: put the row back
      dragged = null;
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      // The whole list accepts the drop, the dragged row too: once moved, it sits under
      // the pointer, and a refused dragover there would cancel the drop.
      event.preventDefault();
      var over = event.target.closest(".link-row");
      if (!over || over === dragged) return;
      var box = over.getBoundingClientRect();
      var after = event.clientY > box.top + box.height / 2;
      list.insertBefore(dragged, after ? over.nextSibling : over);
    });
    list.addEventListener("drop", function (event) {
      event.preventDefault();
      if (!dragged) return;
      dropped = true;
      var rows = Array.prototype.slice.call(list.querySelectorAll(".link-row"));
      var order = rows.indexOf(dragged);
      if (String(order) === dragged.getAttribute("data-order")) return;
      var form = dragged.querySelector("input[name=order]").form;
      form.querySelector("input[name=order]").value = String(order);
      form.submit();
    });
  }

  // The analytics chart (uPlot, served from /static/vendor/uplot); the table stays as fallback.
  var chart = document.getElementById("chart");
  if (chart && window.uPlot) {
    var dates = chart.getAttribute("data-chart-dates").split(",");
    var xs = dates.map(function (d) { return Date.parse(d + "T00:00:00Z") / 1000; });
    var nums = function (name) { return chart.getAttribute(name).split(",").map(Number); };
    var width = function () { return Math.max(280, chart.clientWidth || 600); };
    var plot = new window.uPlot({
      width: width(), height: 260,
      series: [{}, {label: "Views", stroke: "#5b21b6", width: 2, fill: "rgba(91,33,182,0.08)"},
               {label: "Clicks", stroke: "#c2410c", width: 2}],
      axes: [{}, {}],
      scales: {x: {time: true}},
      legend: {live: false},  // a plain key; the table below has every day's numbers
    }, [xs, nums("data-chart-views"), nums("data-chart-clicks")], chart);
    var resizing = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizing);
      resizing = setTimeout(function () { plot.setSize({width: width(), height: 260}); }, 150);
    });
  }
})();
