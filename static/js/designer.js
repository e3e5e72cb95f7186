/* Kinerja ASN: the template designer's live check.
   A change in the stage list posts the whole list to the preview endpoint (htmx, on the
   form). The answer is the checked stage list and the diagram; here only the problems,
   the return targets, the headings and the diagram are taken from it, so what the user
   is typing is never replaced; a stage that now has a problem is unfolded. The add,
   remove and move buttons swap the whole list and focus the stage they concerned. */
(function () {
  "use strict";
  var form = document.getElementById("designer-form");
  if (!form) {
    return;
  }
  var COPIED = ["class", "aria-invalid"];

  form.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (detail.requestConfig.elt !== form || !detail.xhr || detail.xhr.status !== 200) {
      return;
    }
    detail.shouldSwap = false;
    var fresh = new DOMParser().parseFromString(detail.serverResponse, "text/html");
    var activeId = document.activeElement ? document.activeElement.id : "";
    fresh.querySelectorAll("[data-live]").forEach(function (node) {
      var current = node.id && document.getElementById(node.id);
      if (current) {
        var copy = document.importNode(node, true);
        current.replaceWith(copy);
        if (window.htmx) {
          window.htmx.process(copy);
        }
      }
    });
    fresh.querySelectorAll("[data-live-attrs]").forEach(function (node) {
      var current = node.id && document.getElementById(node.id);
      if (!current) {
        return;
      }
      COPIED.forEach(function (name) {
        if (node.hasAttribute(name)) {
          current.setAttribute(name, node.getAttribute(name));
        } else {
          current.removeAttribute(name);
        }
      });
    });
    document.querySelectorAll(".stage-card.has-errors > details:not([open])").forEach(function (details) {
      details.open = true;
    });
    if (activeId && (!document.activeElement || document.activeElement.id !== activeId)) {
      var again = document.getElementById(activeId);
      if (again) {
        again.focus();
      }
    }
  });

  form.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.requestConfig && event.detail.requestConfig.elt !== form) {
      var target = document.querySelector("#stage-editor [data-focus]");
      if (target) {
        target.focus();
      }
    }
  });
})();
