/* Progressive enhancement for the portal: show follow-up fields only when they apply.
 * Without JavaScript every field stays visible and the server ignores the ones that
 * do not apply, so nothing here is needed for the forms to work.
 *
 * <div data-show-when="a b=x,y">: shown when checkbox `a` is ticked OR field `b` has value x or y.
 */
(function () {
  "use strict";

  function fieldMatches(form, condition) {
    var eq = condition.indexOf("=");
    var name = eq < 0 ? condition : condition.slice(0, eq);
    var wanted = eq < 0 ? null : condition.slice(eq + 1).split(",");
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      if (input.type === "checkbox" || input.type === "radio") {
        if (!input.checked) continue;
        if (wanted === null || wanted.indexOf(input.value) >= 0) return true;
      } else if (wanted !== null && wanted.indexOf(input.value) >= 0) {
        return true;
      }
    }
    return false;
  }

  function update(form) {
    var blocks = form.querySelectorAll("[data-show-when]");
    for (var i = 0; i < blocks.length; i++) {
      var conditions = blocks[i].getAttribute("data-show-when").split(/\s+/);
      var show = conditions.some(function (c) { return c && fieldMatches(form, c); });
      blocks[i].hidden = !show;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-show-when]")) continue;
      form.addEventListener("change", update.bind(null, form));
      update(form);
    }
  });
})();
