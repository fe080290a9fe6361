// Quick exit that leaves nothing behind. Progressive enhancement only: without this file the
// "Quick exit" link still goes to /quitter (a 303 to a neutral site that clears the site's
// cookies, storage and cache), and every page is sent with Cache-Control: no-store.
//
// With it:
// - history is replaced on every Rempart page: links inside the site use location.replace(),
//   and a page that posts a form first rewrites its own history entry to the home page, so the
//   history holds no report form to come "Back" to;
// - quick exit (the link, or Escape twice) empties every form, hides the page and replaces the
//   current entry with /quitter;
// - a page restored from the back-forward cache, or reached with Back/Forward, has its forms
//   emptied (and a restored one is reloaded from the server);
// - forms do not let the browser remember what was typed (autocomplete="off").
(function () {
  "use strict";
  var EXIT = "/quitter";

  function clearForms() {
    Array.prototype.forEach.call(document.forms, function (form) {
      Array.prototype.forEach.call(form.elements, function (field) {
        var type = (field.type || "").toLowerCase();
        if (type === "hidden" || type === "submit" || type === "button") { return; }
        if (type === "checkbox" || type === "radio") { field.checked = false; return; }
        if (type === "file") { try { field.value = ""; } catch (e) { /* read-only */ } return; }
        if ("value" in field && field.tagName !== "BUTTON") { field.value = ""; }
      });
    });
  }

  function leave(event) {
    if (event) { event.preventDefault(); }
    clearForms();
    try { window.sessionStorage.clear(); } catch (e) { /* storage blocked */ }
    document.documentElement.className += " leaving";
    if (document.body) { document.body.hidden = true; }
    window.location.replace(EXIT);
  }

  function sameSiteLink(link) {
    if (!link || link.target || link.hasAttribute("download")) { return false; }
    if (link.origin !== window.location.origin) { return false; }
    var href = link.getAttribute("href") || "";
    return href.charAt(0) !== "#" && href.indexOf("tel:") !== 0 && href.indexOf("sms:") !== 0;
  }

  function navigationType() {
    var entries = window.performance && performance.getEntriesByType ?
      performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "";
  }

  // Back/Forward: never show what was typed before, even if the browser restored it.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      clearForms();
      window.location.reload();
      return;
    }
    if (navigationType() === "back_forward") { clearForms(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.forms, function (form) {
      form.setAttribute("autocomplete", "off");
      form.addEventListener("submit", function () {
        // The entry of this page becomes the home page: Back after the answer (or after a
        // quick exit from it) never brings this form back.
        try { window.history.replaceState(null, "", "/"); } catch (e) { /* old browser */ }
      });
    });
    var link = document.getElementById("quick-exit");
    if (link) { link.addEventListener("click", leave); }
    var printButton = document.getElementById("print-button");
    if (printButton) {
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
  });

  // Inside the site, a link replaces the current entry instead of adding one.
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.id === "quick-exit" || !sameSiteLink(link)) { return; }
    event.preventDefault();
    window.location.replace(link.href);
  });

  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - lastEscape < 800) { leave(); }
    lastEscape = now;
  });
})();
