/* Admin pages: live figure preview and confirmations. The pages work without it. */
(function () {
  "use strict";

  function labelFor(name) {
    var label = document.querySelector('label[for="' + name + '"]');
    var pose = label && label.closest("fieldset.pose");
    var text = label ? label.textContent.trim() : name;
    return pose ? pose.querySelector("legend").textContent.trim() + ", " + text.toLowerCase() : text;
  }

  function setupPreview(form) {
    var section = form.querySelector("[data-figure-fields]");
    var box = document.getElementById("figure-preview");
    var status = document.getElementById("figure-status");
    if (!section || !box || !status) { return; }
    var timer = null;
    var sent = 0;

    function show(message, isError) {
      status.textContent = message;
      status.classList.toggle("error", !!isError);
    }

    function refresh() {
      var ticket = ++sent;
      box.classList.add("stale");
      var data = new FormData(form);
      fetch(form.dataset.previewUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"X-CSRFToken": data.get("csrf_token") || "", "Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      }).then(function (answer) {
        if (ticket !== sent) { return; }  /* a newer request is on its way */
        if (answer.body.ok) {
          box.classList.remove("stale");
          if (answer.body.svg) {
            box.innerHTML = answer.body.svg;  /* SVG made by the server from validated numbers */
          }
          show(answer.body.svg ? "Preview updated." : "Figure drawing is not installed yet.", false);
        } else {
          var errors = answer.body.errors || {};
          var lines = Object.keys(errors).map(function (name) {
            return labelFor(name) + ": " + errors[name].join("; ");
          });
          show("Not drawn: " + (lines.join(". ") || "the figure fields are not valid."), true);
        }
      }).catch(function () {
        if (ticket === sent) { show("The preview could not be loaded; use the Preview figure button.", true); }
      });
    }

    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, 350);
    }
    section.addEventListener("change", soon);
    section.addEventListener("input", soon);
  }

  function setupConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.exercise-form[data-preview-url]").forEach(setupPreview);
    document.querySelectorAll("form[data-confirm]").forEach(setupConfirm);
  });
})();
