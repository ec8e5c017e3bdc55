/* Before the idle sign-out (xiji_afterschool/sessions.py): on a page with a form, warn two minutes ahead and let the
   person stay signed in (one request to the home address counts as activity); at the limit, say the session ended.
   The server's clock counts requests, so the timer starts when the page loads and restarts on "Stay signed in". */
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box || !document.querySelector("main form[method='post' i]")) { return; }
  var idle = parseInt(box.dataset.idleSeconds, 10), warnAhead = 120, timers = [];
  if (!(idle > warnAhead)) { return; }
  var text = box.querySelector("[data-idle-text]"), stay = box.querySelector("button");
  function schedule() {
    timers.forEach(clearTimeout);
    box.classList.add("d-none");
    timers = [
      setTimeout(function () { text.textContent = box.dataset.warnText; stay.classList.remove("d-none"); box.classList.remove("d-none"); }, (idle - warnAhead) * 1000),
      setTimeout(function () { text.textContent = box.dataset.endedText; stay.classList.add("d-none"); box.classList.remove("d-none"); }, idle * 1000)
    ];
  }
  stay.addEventListener("click", function () {
    fetch(box.dataset.pingUrl, { credentials: "same-origin", redirect: "manual" }).then(schedule, schedule);
  });
  schedule();
})();
