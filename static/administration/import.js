// Polls the import job and updates the progress bar; reloads once to show the report.
(function () {
  "use strict";
  var box = document.getElementById("import-status");
  if (!box) { return; }
  var status = box.querySelector(".status");
  var bar = box.querySelector("progress");
  var hint = box.querySelector(".js-hidden-if-script");
  if (hint) { hint.hidden = true; }
  function poll() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.finished) {
          if (!document.querySelector(".card h2")) { window.location.reload(); }
          return;
        }
        bar.max = job.rows_total || 1;
        bar.value = job.rows_done;
        status.textContent = job.state_label + (job.rows_total ? ": " + job.rows_done + " of " + job.rows_total + " rows" : "");
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (!document.querySelector(".card h2")) { poll(); }
})();
