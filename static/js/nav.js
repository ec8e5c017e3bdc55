/* The one piece of Bootstrap's JavaScript the site uses: the menu button of the phone navbar
   (data-bs-toggle="collapse" data-bs-target="#id"), and keyboard access to wide tables: 2 KB instead of Bootstrap's 80 KB bundle (23 KB compressed):
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

/* A table or chart wider than the phone scrolls sideways in its box: the box takes the keyboard focus (tabindex 0)
   so it can be scrolled without a mouse (WCAG 2.1.1; axe "scrollable-region-focusable"). Only boxes that do scroll,
   so a page of narrow tables gains no extra tab stops; checked again when the window turns or resizes. */
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-responsive, .chart-card").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
      if (scrolls && !box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
      if (!scrolls && box.getAttribute("tabindex") === "0") { box.removeAttribute("tabindex"); }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
