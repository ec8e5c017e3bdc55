/* A background job's page (templates/_job_status.html): while the job is queued or running, reload the page every
   few seconds to show its progress; stop when it finished or failed (the element is then gone) and after at most
   data-max-polls reloads, saying so. No inline script: the Content-Security-Policy allows none. */
(function () {
  "use strict";
  var key = "job-poll:" + location.pathname;
  var box = document.querySelector("[data-job-poll]");
  if (!box) { sessionStorage.removeItem(key); return; }
  var interval = parseInt(box.dataset.interval, 10) || 3000;
  var max = parseInt(box.dataset.maxPolls, 10) || 200;
  var count = parseInt(sessionStorage.getItem(key) || "0", 10);
  if (count >= max) {
    sessionStorage.removeItem(key);
    var text = box.querySelector("[data-job-poll-text]");
    if (text) { text.textContent = box.dataset.stoppedText; }
    return;
  }
  setTimeout(function () {
    sessionStorage.setItem(key, String(count + 1));
    location.reload();
  }, interval);
})();
