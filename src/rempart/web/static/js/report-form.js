// Report form: refuse a file that is too large before the whole upload starts (the server
// checks again). No other behaviour: the form works the same without JavaScript.
(function () {
  "use strict";
  function check(input) {
    var maxFile = Number(input.getAttribute("data-max-file"));
    var maxReport = Number(input.getAttribute("data-max-report"));
    var out = document.getElementById("evidence-size");
    var message = "";
    var total = 0;
    for (var i = 0; i < input.files.length; i++) {
      var file = input.files[i];
      total += file.size;
      if (maxFile && file.size > maxFile && !message) {
        message = input.getAttribute("data-too-big") + " " + file.name;
      }
    }
    if (!message && maxReport && total > maxReport) {
      message = input.getAttribute("data-too-much");
    }
    input.setCustomValidity(message);
    if (out) {
      out.textContent = message;
      out.hidden = !message;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("evidence");
    if (!input || !input.files) { return; }
    input.addEventListener("change", function () { check(input); });
    check(input);
  });
})();
