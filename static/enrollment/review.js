// The review queue's "Select all on this page" (templates/enrollment/review/review_queue.html): a checkbox with
// data-select-all="<selector>" ticks or clears every checkbox the selector finds.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      document.querySelectorAll(box.dataset.selectAll).forEach(function (c) { c.checked = box.checked; });
    });
  });
})();
