// A comment's "Reply" leads to a page with the reply form, which works without JavaScript. With
// it, the form opens under the comment instead: a copy of the one the page holds in a
// <template>, given the comment's id; "Cancel" closes it and gives the focus back to "Reply".
(function () {
  "use strict";
  var template = document.getElementById("reply-template");
  if (!template || !("content" in template)) { return; }
  // The template's ids, and those of a reply to comment {id}, as the server names them.
  var PREFIX = template.getAttribute("data-ids");
  var REPLY = template.getAttribute("data-reply-ids");
  if (!PREFIX || !REPLY) { return; }
  function replyIds(id) { return REPLY.split("{id}").join(id); }
  var ATTRIBUTES = ["id", "for", "aria-describedby"];

  function ownIds(form, id) {
    ATTRIBUTES.forEach(function (name) {
      Array.prototype.forEach.call(form.querySelectorAll("[" + name + "]"), function (element) {
        element.setAttribute(name, element.getAttribute(name).split(PREFIX).join(replyIds(id)));
      });
    });
  }

  function open(link) {
    var id = link.getAttribute("data-reply-to");
    var form = document.getElementById(replyIds(id) + "form");
    if (!form) {
      form = template.content.firstElementChild.cloneNode(true);
      form.id = replyIds(id) + "form";
      form.querySelector("input[name=parent_id]").value = id;
      ownIds(form, id);
      link.closest("article").appendChild(form);
      link.setAttribute("aria-expanded", "true");
      link.setAttribute("aria-controls", form.id);
      form.querySelector("[data-reply-cancel]").addEventListener("click", function () {
        form.remove();
        link.removeAttribute("aria-expanded");
        link.removeAttribute("aria-controls");
        link.focus();
      });
    }
    form.querySelector("textarea").focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-reply-to]") : null;
    // A click that asks for a new tab or window keeps the link's own page.
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    open(link);
  });
})();
