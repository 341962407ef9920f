/*
 * The archive's type-ahead combobox (WAI-ARIA 1.2 combobox pattern, list autocomplete), used by
 * the coding screen's code picker and the search box's suggestions. Load it before the page's
 * own script, which makes one with `new window.ArchiveCombobox(input, list, settings)`.
 *
 * It owns the ARIA state and the keys: role=combobox with aria-expanded, aria-controls and
 * aria-activedescendant on the text box; role=listbox and role=option with aria-selected on the
 * list; Down/Up move through the options (wrapping) and open a closed list; Enter chooses the
 * active option; Escape closes the list, or clears the box when it is closed; Tab and leaving
 * the box close it; a click chooses an option.
 *
 * settings:
 *   suggest(query, show)  finds the options for what is typed; calls show(items), now or later
 *                         (answers to an older query are ignored)
 *   render(item, li)      fills an option's <li>
 *   choose(item)          what choosing an option does (the list is already closed)
 *   announce(count)       optional: says how many options there are (a status region)
 *   delay                 milliseconds to wait after typing before suggesting (default 0)
 *   firstActive           whether the first option is active as soon as the list opens
 */
(function () {
  "use strict";

  function ArchiveCombobox(input, list, settings) {
    this.input = input;
    this.list = list;
    this.settings = settings;
    this.items = [];
    this.options = [];
    this.active = -1;
    this.ticket = 0;
    this.timer = null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    list.setAttribute("role", "listbox");
    list.hidden = true;

    var self = this;
    input.addEventListener("input", function () {
      window.clearTimeout(self.timer);
      if (settings.delay) {
        self.timer = window.setTimeout(function () { self.suggest(); }, settings.delay);
      } else {
        self.suggest();
      }
    });
    input.addEventListener("keydown", function (event) { self.onKey(event); });
    input.addEventListener("blur", function () {
      window.setTimeout(function () { self.close(); }, 150);
    });
    list.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep focus in the box
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        self.choose(self.options.indexOf(option));
      }
    });
  }

  ArchiveCombobox.prototype.isOpen = function () {
    return !this.list.hidden && this.options.length > 0;
  };

  ArchiveCombobox.prototype.suggest = function () {
    var self = this;
    var ticket = ++this.ticket;
    this.settings.suggest(this.input.value, function (items) {
      if (ticket === self.ticket) {
        self.show(items);
      }
    });
  };

  ArchiveCombobox.prototype.show = function (items) {
    var self = this;
    this.items = items;
    this.list.textContent = "";
    this.options = items.map(function (item, i) {
      var li = document.createElement("li");
      li.id = self.list.id + "-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      self.settings.render(item, li);
      self.list.appendChild(li);
      return li;
    });
    if (this.options.length) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
      this.highlight(this.settings.firstActive ? 0 : -1);
    } else {
      this.close();
    }
    if (this.settings.announce) {
      this.settings.announce(this.options.length);
    }
  };

  ArchiveCombobox.prototype.highlight = function (index) {
    this.active = index;
    this.options.forEach(function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
      li.classList.toggle("is-active", i === index);
    });
    if (index >= 0) {
      this.input.setAttribute("aria-activedescendant", this.options[index].id);
      if (this.options[index].scrollIntoView) {
        this.options[index].scrollIntoView({ block: "nearest" });
      }
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  ArchiveCombobox.prototype.close = function () {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  };

  ArchiveCombobox.prototype.choose = function (index) {
    var item = this.items[index];
    if (item === undefined) {
      return;
    }
    this.close();
    this.settings.choose(item);
  };

  ArchiveCombobox.prototype.onKey = function (event) {
    var open = this.isOpen();
    var count = this.options.length;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        event.preventDefault();
        if (!open) {
          window.clearTimeout(this.timer);
          this.suggest();
        } else if (event.key === "ArrowDown") {
          this.highlight(this.active + 1 >= count ? 0 : this.active + 1);
        } else {
          this.highlight(this.active <= 0 ? count - 1 : this.active - 1);
        }
        break;
      case "Enter":
        if (open && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case "Escape":
        if (open) {
          event.preventDefault();
          this.close();
        } else if (this.input.value) {
          event.preventDefault();
          this.input.value = "";
        }
        break;
      case "Tab":
        this.close();
        break;
      default:
        break;
    }
  };

  window.ArchiveCombobox = ArchiveCombobox;
})();
