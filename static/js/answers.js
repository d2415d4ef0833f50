// Answer templates on a proposal's moderation page. Without JavaScript, the "use" button sends
// the form back with the answer filled in; with it, picking a template fills the answer at once.
(function () {
  "use strict";

  var picker = document.querySelector("[data-answer-picker]");
  if (!picker) { return; }
  var select = picker.querySelector("select");
  var use = picker.querySelector("[data-answer-use]");
  var answer = document.getElementById("decision-reason");
  var status = document.querySelector("[data-answer-status]");
  if (!select || !answer) { return; }
  if (use) { use.hidden = true; }

  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var text = option && option.getAttribute("data-answer");
    if (!text) { return; }
    answer.value = text;
    if (status) { status.textContent = status.getAttribute("data-filled") || ""; }
  });
})();
