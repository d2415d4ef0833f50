// Supports without a page reload. The forms work without JavaScript; this only improves them.
(function () {
  "use strict";

  // Redraw the support box from the page as the server now renders it.
  function refreshBox() {
    return fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin", headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#support");
        var box = document.querySelector("#support");
        if (!fresh || !box) { return null; }
        box.replaceWith(fresh);
        var button = fresh.querySelector("button");
        if (button) { button.focus(); }
        return fresh;
      });
  }

  // Say what happened in the live region; a refusal is also shown in the box, since a sighted
  // person would otherwise see nothing change.
  function tell(box, message, refused) {
    if (!box) { return; }
    var status = box.querySelector("[data-support-message]");
    var counts = box.querySelector("[data-online-count]");
    if (refused) {
      var shown = document.createElement("p");
      shown.className = "notice support-box__refusal";
      shown.textContent = message;
      box.insertBefore(shown, status);
    }
    if (status) {
      var parts = [message];
      if (!refused && counts) { parts.push(counts.textContent.trim()); }
      status.textContent = parts.filter(Boolean).join(" ");
    }
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
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
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        // Signed out, or anything but an answer for this script (an error page): let the form
        // do what it does without JavaScript (the sign-in page, then back).
        if (response.status === 401 || response.redirected || !isJson(response)) { throw new Error(String(response.status)); }
        return response.json().then(function (answer) {
          if (!answer || typeof answer.message !== "string") { throw new Error("no message"); }
          return refreshBox().then(function (box) { tell(box, answer.message, !response.ok); });
        });
      })
      .catch(function () { form.submit(); });
  });
})();
