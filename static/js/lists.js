/* Lists that stay quick to work (issue 15; portal/lists.py).
 *
 * A list's region ([data-list-region], with an id) holds its heading, filters, rows and pager; htmx boosts
 * the pager's links and the filter form, asks for the region alone and swaps it in (outerHTML), pushing
 * the URL. Here: the region says it is busy while it loads; once swapped, the focus moves to its heading
 * ([data-list-heading]) and a live region announces its new count (data-announce). An answer that is not
 * the region (the sign-in page after a session ended, an error page) is opened as a whole page instead,
 * so nothing is lost without a word. Without JavaScript none of this runs: the links load whole pages.
 *
 * A document being prepared ([data-progress-region]) is polled by htmx; when the answer says it is ready
 * (a[data-download-now]), the browser fetches it as the meta refresh would have.
 */
(function () {
  "use strict";

  var LIST = "[data-list-region]";
  var PROGRESS = "[data-progress-region]";
  var announcer = document.createElement("div");
  announcer.id = "list-announcer";
  announcer.className = "sr-only";
  announcer.setAttribute("role", "status");
  announcer.setAttribute("aria-live", "polite");
  document.body.appendChild(announcer);

  function matches(element, selector) {
    return Boolean(element && element.nodeType === 1 && element.matches(selector));
  }

  function announce(text) {
    // Emptied first, then filled: the same words twice (page 2 of 2 after page 1 of 2) are read again.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  }

  function isRegionOf(target, html) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");
    return Boolean(target.id && doc.getElementById(target.id) && !doc.querySelector("main, header"));
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (matches(event.detail.target, LIST)) {
      event.detail.target.setAttribute("aria-busy", "true");
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (matches(event.detail.target, LIST)) {
      event.detail.target.removeAttribute("aria-busy");
    }
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var target = detail.target;
    if (!matches(target, LIST) && !matches(target, PROGRESS)) {
      return;
    }
    var status = detail.xhr.status;
    if (status === 204) {
      return;  // a document still being prepared: nothing new yet
    }
    if (status <= 400 && isRegionOf(target, detail.serverResponse)) {
      // 400: a filter refused; the region shows why, next to the field (as the whole page would).
      detail.shouldSwap = true;
      detail.isError = false;
      return;
    }
    detail.shouldSwap = false;
    window.location.assign(detail.xhr.responseURL || detail.pathInfo.requestPath);
  });

  document.addEventListener("htmx:sendError", function (event) {
    // The network failed: ask again as a whole page, so that the browser says what went wrong.
    if (matches(event.detail.target, LIST)) {
      window.location.assign(event.detail.pathInfo.requestPath);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var element = event.target;
    if (matches(element, LIST)) {
      var heading = element.querySelector("[data-list-heading]");
      if (heading) {
        heading.focus();
      }
      if (element.dataset.announce) {
        announce(element.dataset.announce);
      }
    } else if (matches(element, PROGRESS)) {
      var ready = element.querySelector("a[data-download-now]");
      if (ready) {
        window.location.assign(ready.href);
      }
    }
  });
})();
