// Suggestions as you type for the search box: the ARIA combobox pattern (list autocomplete).
// Without this script the search form works as a plain form.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  var status = document.getElementById("q-status");
  if (!input || !list || !window.fetch) return;

  var url = input.getAttribute("data-suggest-url");
  var scope = input.getAttribute("data-suggest-scope") || "mine";
  var options = [];
  var active = -1;
  var timer = null;
  var latest = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", "q-suggestions");
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Suggestions");

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    options.forEach(function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    input.value = options[index].getAttribute("data-value");
    close();
    input.form.submit();
  }

  function show(items) {
    list.innerHTML = "";
    options = items.map(function (item, i) {
      var li = document.createElement("li");
      li.id = "q-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-value", item.label);
      var text = document.createElement("span");
      text.textContent = item.label;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = item.kind === "story" ? "story" : item.kind;
      li.appendChild(text);
      li.appendChild(kind);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(i);
      });
      list.appendChild(li);
      return li;
    });
    active = -1;
    if (options.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = options.length + (options.length === 1 ? " suggestion" : " suggestions") +
        ". Use the up and down arrow keys to choose, Enter to search.";
    } else {
      close();
      status.textContent = "";
    }
  }

  function fetchSuggestions() {
    var prefix = input.value;
    if (prefix.trim().length < 2) { show([]); return; }
    var ticket = ++latest;
    var query = "?prefix=" + encodeURIComponent(prefix) + "&scope=" + encodeURIComponent(scope);
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (items) { if (ticket === latest) show(items); })
      .catch(function () { if (ticket === latest) show([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });

  input.addEventListener("keydown", function (event) {
    var open = !list.hidden && options.length > 0;
    if (event.key === "ArrowDown") {
      if (!open) { fetchSuggestions(); return; }
      event.preventDefault();
      highlight(active + 1 >= options.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      highlight(active <= 0 ? options.length - 1 : active - 1);
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      choose(active);
    } else if (event.key === "Escape") {
      if (open) { event.preventDefault(); close(); }
      else if (input.value) { event.preventDefault(); input.value = ""; }
    } else if (event.key === "Tab") {
      close();
    }
  });

  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
