// While a resident types a proposal's title (or a facilitator a card's), show the proposals it
// may repeat. Without JavaScript, the form's check step shows them after the first submission.
(function () {
  "use strict";

  var region = document.getElementById("similar-live");
  var title = document.getElementById("title");
  if (!region || !title) { return; }
  var timer = null;
  var asked = "";

  function ask() {
    var text = title.value.trim();
    if (text === asked) { return; }
    asked = text;
    if (text.length < 3) { region.innerHTML = ""; return; }
    var url = region.getAttribute("data-similar-url") + "?title=" + encodeURIComponent(text);
    // The answer never writes the session (a form sent meanwhile may have changed it); a session
    // that ended is answered with a 401, and the check step still runs on submission.
    fetch(url, {
      credentials: "same-origin", redirect: "error", headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        // A slower answer to an older title does not replace the newer one.
        if (asked === text) { region.innerHTML = html; }
      })
      .catch(function () { /* the check step still runs on submission */ });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 400);
  });
})();
