// Search-as-you-type for the search boxes: asks /api/v1/suggest while the user types and offers the answers in
// the box's <datalist>. Progressive enhancement: without this script the box is a plain GET form, and an
// answer that fails or comes late is ignored. Loaded as a file (the pages' CSP allows scripts from 'self' only).
(function () {
  "use strict";
  var DELAY_MS = 150;

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || !window.fetch) { return; }
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { list.replaceChildren(); return; }
      timer = setTimeout(function () {
        var asked = ++latest;
        fetch("/api/v1/suggest?size=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (body) {
            if (asked !== latest) { return; }  // a newer keystroke has asked since
            list.replaceChildren.apply(list, (body.suggestions || []).map(function (s) {
              var option = document.createElement("option");
              option.value = s.text;  // textContent-like: never parsed as HTML
              return option;
            }));
          })
          .catch(function () { /* suggestions are optional */ });
      }, DELAY_MS);
    });
  }

  document.querySelectorAll("input[type=search][list]").forEach(attach);
})();
