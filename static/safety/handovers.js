// The dismissal page without page changes (progressive enhancement: every form also works as a plain POST).
// A tap posts the row's form with fetch; the server answers with the row drawn again, which replaces it in place.
(function () {
  "use strict";
  var list = document.getElementById("handover-rows");
  if (!list) return;
  var counter = document.getElementById("handover-count");

  function recount() {
    if (!counter) return;
    var rows = list.querySelectorAll("[data-child]");
    var done = list.querySelectorAll('[data-child][data-done="1"]').length;
    var text = counter.getAttribute("data-template")
      .replace("__H__", done).replace("__T__", rows.length).replace("__R__", rows.length - done);
    counter.querySelector("[data-count-text]").textContent = text;
  }

  // After most taps the few children still waiting are hard to find on a long list: show only them.
  var onlyRemaining = document.getElementById("only-remaining");
  if (onlyRemaining) {
    document.getElementById("only-remaining-label").classList.remove("d-none");
    onlyRemaining.addEventListener("change", function () {
      list.classList.toggle("only-remaining", onlyRemaining.checked);
    });
  }

  function setupSignature(row) {
    row.querySelectorAll("[data-signature-pad]").forEach(function (canvas) {
      var form = canvas.closest("form");
      var input = form.querySelector('input[name="signature"]');
      var ctx = canvas.getContext("2d");
      var path = [];
      var drawing = false;
      function resize() { canvas.width = canvas.clientWidth; }
      resize();
      function point(e) {
        var r = canvas.getBoundingClientRect();
        return [Math.round(e.clientX - r.left), Math.round(e.clientY - r.top)];
      }
      canvas.addEventListener("pointerdown", function (e) {
        drawing = true; var p = point(e); path.push("M" + p[0] + " " + p[1]);
        ctx.beginPath(); ctx.moveTo(p[0], p[1]); canvas.setPointerCapture(e.pointerId);
      });
      canvas.addEventListener("pointermove", function (e) {
        if (!drawing) return; var p = point(e); path.push("L" + p[0] + " " + p[1]);
        ctx.lineTo(p[0], p[1]); ctx.stroke();
      });
      canvas.addEventListener("pointerup", function () { drawing = false; input.value = path.join(" ").slice(0, 8000); });
      var clear = form.querySelector("[data-signature-clear]");
      if (clear) clear.addEventListener("click", function () {
        path = []; input.value = ""; ctx.clearRect(0, 0, canvas.width, canvas.height);
      });
    });
  }

  list.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList.contains("handover-form")) return;
    e.preventDefault();
    var row = form.closest("[data-child]");
    var data = new FormData(form);
    if (e.submitter && e.submitter.name) data.set(e.submitter.name, e.submitter.value);
    row.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    fetch(form.action, { method: "POST", body: data, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer.ok && !answer.done) {
          // Refused (a wrong code, an incomplete consent): keep what was typed, say why.
          row.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
          row.querySelector("[data-message]").textContent = answer.message;
          return;
        }
        var holder = document.createElement("ul");
        holder.innerHTML = answer.html.trim();
        var fresh = holder.firstElementChild;
        row.replaceWith(fresh);
        setupSignature(fresh);
        if (!answer.ok) fresh.querySelector("[data-message]").textContent = answer.message;
        recount();
      })
      .catch(function () {
        row.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        var box = row.querySelector("[data-message]");
        if (box) box.textContent = "⚠ " + (list.getAttribute("data-offline-text") || "");
      });
  });
  setupSignature(list);
})();
