/* The exercise picker in a native <dialog> on the review page. Without JavaScript (or
 * without <dialog>) the "with pictures" links open the picker as a plain page; here the same
 * page is fetched and its content shown in a modal dialog: Escape or "Close" shuts it, focus
 * returns to the link, and its search form reloads the dialog. Choosing posts as the page does.
 */
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function" || !window.fetch || !window.DOMParser) return;

  var dialog, body, opener;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "picker-dialog";
    dialog.setAttribute("aria-label", "Choose an exercise");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "picker-close";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    body = document.createElement("div");
    dialog.appendChild(close);
    dialog.appendChild(body);
    dialog.addEventListener("close", function () { if (opener) opener.focus(); });
    // Escape closes it even when the browser would not (no user activation since it opened)
    dialog.addEventListener("keydown", function (event) { if (event.key === "Escape") dialog.close(); });
    body.addEventListener("submit", function (event) {
      var form = event.target;
      if ((form.method || "get").toLowerCase() !== "get") return;  // a choice posts normally
      event.preventDefault();
      load(form.action.split("?")[0] + "?" + new URLSearchParams(new FormData(form)).toString());
    });
    document.body.appendChild(dialog);
  }

  function load(url) {
    return fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.text();
    }).then(function (html) {
      var main = new DOMParser().parseFromString(html, "text/html").querySelector("main");
      body.replaceChildren.apply(body, Array.prototype.slice.call(main.childNodes));
      var heading = body.querySelector("h1");
      if (heading) { heading.id = "picker-title"; dialog.setAttribute("aria-labelledby", "picker-title"); }
      if (!dialog.open) dialog.showModal();
      var search = body.querySelector("input[type=search]");
      if (search) search.focus();
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-picker]");
    if (!link) return;
    event.preventDefault();
    opener = link;
    if (!dialog) build();
    load(link.href).catch(function () { window.location.href = link.href; });
  });
})();
