/* The one piece of Bootstrap's JavaScript the site uses: the menu button of the phone navbar
   (data-bs-toggle="collapse" data-bs-target="#id"). 1 KB instead of Bootstrap's 80 KB bundle (23 KB compressed):
   a parent's page on a 400 kbps link loads under 2 s (#15 §6). A page that needs more of Bootstrap's JavaScript
   (a modal, a dropdown) loads the bundle itself in its extra_js block. No inline script: the CSP allows none. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-bs-toggle=collapse]");
    if (!button) { return; }
    var target = document.querySelector(button.getAttribute("data-bs-target") || button.getAttribute("href"));
    if (!target) { return; }
    event.preventDefault();
    var open = target.classList.toggle("show");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.classList.toggle("collapsed", !open);
  });
})();
