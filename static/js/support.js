// Supports without a page reload. The forms work without JavaScript; this only improves them.
(function () {
  "use strict";
  function refreshBox() {
    return fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#support");
        var box = document.querySelector("#support");
        if (!fresh || !box) { return; }
        box.replaceWith(fresh);
        var status = fresh.querySelector("[data-support-message]");
        var counts = fresh.querySelector("[data-online-count]");
        if (status && counts) { status.textContent = counts.textContent; }
        var button = fresh.querySelector("button");
        if (button) { button.focus(); }
      });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.js-support")) { return; }
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok && response.status !== 409) { throw new Error(String(response.status)); }
        return refreshBox();
      })
      .catch(function () { form.submit(); });
  });
})();
