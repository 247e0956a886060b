// One-tap attendance: each status button posts its own row in the background, so the page
// never reloads and no other row is touched. Without JavaScript the same forms post normally.
(function () {
  "use strict";
  var sheet = document.querySelector(".attendance-sheet");
  if (!sheet || !window.fetch) { return; }
  var csrf = sheet.getAttribute("data-csrf");

  function updateCounts(before, after) {
    [before, after].forEach(function (status, index) {
      var counter = document.querySelector('[data-count="' + status + '"]');
      if (counter) { counter.textContent = String(parseInt(counter.textContent, 10) + (index ? 1 : -1)); }
    });
  }

  sheet.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("mark-status")) { return; }
    event.preventDefault();
    var button = event.submitter || form.querySelector("button");
    var row = form.closest("li");
    var data = new FormData(form);
    data.set("status", button.value);
    row.classList.add("opacity-50");
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "X-Requested-With": "fetch", "Accept": "application/json"}
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (result) {
      var before = row.getAttribute("data-status");
      if (before !== result.status) { updateCounts(before, result.status); }
      row.setAttribute("data-status", result.status);
      row.querySelectorAll("button[data-css]").forEach(function (other) {
        var chosen = other.value === result.status, css = other.getAttribute("data-css");
        other.classList.toggle("btn-" + css, chosen);
        other.classList.toggle("btn-outline-" + css, !chosen);
        other.setAttribute("aria-pressed", chosen ? "true" : "false");
      });
      var current = row.querySelector("[data-current]");
      if (current) { current.textContent = result.label; }
    }).catch(function () {
      var chosen = document.createElement("input");
      chosen.type = "hidden"; chosen.name = "status"; chosen.value = button.value;
      form.appendChild(chosen);
      form.submit();  // let the server answer (and show any error) the way it does without JavaScript
    }).finally(function () {
      row.classList.remove("opacity-50");
    });
  });
}());
