// The session page's roll (templates/schools/sessions/session_log.html): the running counts beside "Roll", and the
// "Everyone present" button. Without JavaScript the roll still works: every child starts present.
(function () {
  "use strict";
  var roll = document.querySelector(".roll"), counts = document.getElementById("roll-counts"), all = document.getElementById("all-present");
  if (!roll || !counts || !all) return;
  var labels = {present: counts.dataset.present, absent: counts.dataset.absent, leave: counts.dataset.leave};
  function update() {
    var n = {present: 0, absent: 0, leave: 0};
    roll.querySelectorAll("input.btn-check:checked").forEach(function (r) { n[r.value] += 1; });
    counts.textContent = labels.present + " " + n.present + " · " + labels.absent + " " + n.absent + " · " + labels.leave + " " + n.leave;
  }
  all.hidden = false;
  all.addEventListener("click", function () {
    roll.querySelectorAll('input.btn-check[value="present"]').forEach(function (r) { r.checked = true; });
    update();
  });
  roll.addEventListener("change", update);
  update();
})();

// A long roll (more than 8 children) can be filtered by name: typing part of a name shows only the matching rows;
// the marks of the hidden rows stay as they are and are saved with the others.
(function () {
  "use strict";
  var box = document.getElementById("roll-filter-box"), input = document.getElementById("roll-filter");
  var none = document.getElementById("roll-filter-none");
  if (!box || !input) return;
  var rows = document.querySelectorAll(".roll .roll-row[data-name]");
  box.hidden = false;
  input.addEventListener("input", function () {
    var q = input.value.trim(), shown = 0;
    rows.forEach(function (row) {
      var match = !q || row.dataset.name.indexOf(q) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    none.textContent = shown ? "" : input.dataset.noneText;
  });
})();
