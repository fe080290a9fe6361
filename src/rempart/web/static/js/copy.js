// Progressive enhancement: "Copy" buttons for the case code, the passphrase and fingerprints.
// Without JavaScript the buttons stay hidden and the text is plain, selectable text.
(function () {
  "use strict";
  function say(key) {
    var status = document.getElementById("copy-status");
    if (status) { status.textContent = status.getAttribute(key) || ""; }
  }
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    return done;
  }
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say("data-copied"); },
        function () { say(fallbackCopy(text) ? "data-copied" : "data-failed"); });
    } else {
      say(fallbackCopy(text) ? "data-copied" : "data-failed");
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button.copy-button");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-copy-text");
        if (text === null) {
          var source = document.getElementById(button.getAttribute("data-copy"));
          text = source ? source.textContent.trim() : "";
        }
        if (text) { copy(text); }
      });
    });
  });
})();
