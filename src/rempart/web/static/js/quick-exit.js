// Progressive enhancement only: every feature works without this file.
// Quick exit replaces the current history entry (no "back" to Rempart), Escape twice leaves too.
(function () {
  "use strict";
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    window.location.replace("/quitter");
  }
  var lastEscape = 0;
  document.addEventListener("DOMContentLoaded", function () {
    var link = document.getElementById("quick-exit");
    if (link) { link.addEventListener("click", leave); }
    var printButton = document.getElementById("print-button");
    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 800) { leave(); }
    lastEscape = now;
  });
})();
