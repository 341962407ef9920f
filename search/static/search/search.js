// Suggestions as you type for the search box, with the archive's combobox (coding/combobox.js).
// Without this script the search form works as a plain form.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  var status = document.getElementById("q-status");
  if (!input || !list || !window.fetch || !window.ArchiveCombobox) return;

  var url = input.getAttribute("data-suggest-url");
  var scope = input.getAttribute("data-suggest-scope") || "mine";
  list.setAttribute("aria-label", "Suggestions");

  new window.ArchiveCombobox(input, list, {
    delay: 150,
    firstActive: false,
    suggest: function (prefix, show) {
      if (prefix.trim().length < 2) { show([]); return; }
      var query = "?prefix=" + encodeURIComponent(prefix) + "&scope=" + encodeURIComponent(scope);
      fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(show)
        .catch(function () { show([]); });
    },
    render: function (item, li) {
      li.setAttribute("data-value", item.label);
      var text = document.createElement("span");
      text.textContent = item.label;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.kind;
      li.appendChild(text);
      li.appendChild(kind);
    },
    announce: function (count) {
      status.textContent = count
        ? count + (count === 1 ? " suggestion" : " suggestions") +
          ". Use the up and down arrow keys to choose, Enter to search."
        : "";
    },
    choose: function (item) {
      input.value = item.label;
      input.form.submit();
    }
  });
})();
