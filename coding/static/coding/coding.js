/*
 * The coding screen, enhanced. Everything here fills the same form fields that work without
 * JavaScript (a multiple select of codes, "From"/"To" selects, hidden character offsets).
 *
 * - Combobox: the codes select becomes a text box with a filtered list (the archive's
 *   combobox, coding/combobox.js, loaded first), matching names, groups and theme synonyms;
 *   chosen codes show as removable chips.
 * - Transcript: one tab stop; Up/Down move between units, Shift extends the range, Enter
 *   puts the range in the form and moves to the codes; mouse selection of words works too
 *   (exact characters in text stories). In a recording's transcript each word is a span with
 *   its times: Left/Right move a word, Up/Down a segment, Shift extends, and a mouse or
 *   keyboard selection fills the hidden start/end seconds with exactly those words' times.
 * - Play excerpt: plays the tag's time range in the page's player, then pauses.
 */
(function () {
  "use strict";

  var uid = 0;
  function nextId(prefix) {
    uid += 1;
    return prefix + "-" + uid;
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function announce(region, message) {
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = message;
    }, 50);
  }

  /* --- Combobox (the archive's combobox, coding/combobox.js, over the codes select) -------- */

  function Combobox(select) {
    this.select = select;
    this.multiple = select.multiple;
    this.options = Array.prototype.filter.call(select.options, function (o) {
      return o.value !== "";
    });
    this.build();
  }

  Combobox.prototype.build = function () {
    var select = this.select;
    var label = document.querySelector('label[for="' + select.id + '"]');
    var wrap = document.createElement("div");
    wrap.className = "combo";
    var input = document.createElement("input");
    input.type = "text";
    input.id = select.id + "-combo";
    input.className = "combo-input";
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    var list = document.createElement("ul");
    list.id = select.id + "-listbox";
    list.className = "combo-list";
    if (label) {
      label.setAttribute("for", input.id);
      label.id = label.id || nextId("combo-label");
      list.setAttribute("aria-labelledby", label.id);
    }
    var hint = document.createElement("p");
    hint.className = "help";
    hint.id = nextId("combo-hint");
    hint.textContent = this.multiple
      ? "Type to find a value or theme (synonyms work too), Down arrow to the list, Enter to add it. Add as many as you need."
      : "Type to find a value or theme (synonyms work too), Down arrow to the list, Enter to choose it.";
    var describedBy = [hint.id];
    if (select.getAttribute("aria-describedby")) {
      describedBy.push(select.getAttribute("aria-describedby"));
    }
    input.setAttribute("aria-describedby", describedBy.join(" "));
    if (select.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", "true");
    }
    var chips = document.createElement("ul");
    chips.className = "chips";
    chips.setAttribute("aria-label", this.multiple ? "Chosen values and themes" : "Chosen value or theme");
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");

    wrap.appendChild(input);
    wrap.appendChild(list);
    select.parentNode.insertBefore(hint, select);
    select.parentNode.insertBefore(wrap, select);
    select.parentNode.insertBefore(chips, select);
    select.parentNode.insertBefore(status, select);
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;

    this.input = input;
    this.list = list;
    this.chips = chips;
    this.status = status;
    this.renderChips();

    var self = this;
    this.combo = new window.ArchiveCombobox(input, list, {
      firstActive: true,
      suggest: function (query, show) {
        show(self.filter(query));
      },
      render: function (option, item) {
        self.renderOption(option, item);
      },
      announce: function (n) {
        announce(self.status, n === 0 ? "No value or theme matches." : n + (n === 1 ? " match" : " matches") + ". Use the Down arrow to choose.");
      },
      choose: function (option) {
        self.choose(option);
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.defaultPrevented && input.value.trim()) {
        event.preventDefault(); // a half-typed name never submits the form
      }
    });
  };

  Combobox.prototype.filter = function (query) {
    var q = fold(query.trim());
    var words = q.split(/\s+/).filter(Boolean);
    return this.options.filter(function (option) {
      var hay = fold(option.text + " " + (option.dataset.synonyms || "").replace(/\|/g, " ") + " " + (option.dataset.group || ""));
      return words.every(function (w) {
        return hay.indexOf(w) !== -1;
      });
    }).slice(0, 60);
  };

  Combobox.prototype.renderOption = function (option, item) {
    var name = document.createElement("span");
    name.className = "combo-name";
    name.textContent = option.text + (option.selected ? " (chosen)" : "");
    var group = document.createElement("span");
    group.className = "combo-group";
    var synonyms = option.dataset.synonyms ? " · also: " + option.dataset.synonyms.split("|").join(", ") : "";
    group.textContent = (option.dataset.group || "") + synonyms;
    item.appendChild(name);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(group);
  };

  Combobox.prototype.choose = function (option) {
    if (!this.multiple) {
      this.options.forEach(function (o) {
        o.selected = false;
      });
    }
    option.selected = true;
    this.input.value = "";
    this.renderChips();
    var count = this.options.filter(function (o) {
      return o.selected;
    }).length;
    announce(this.status, "Added " + option.text + ". " + count + " chosen.");
    this.input.focus();
  };

  Combobox.prototype.renderChips = function () {
    var self = this;
    this.chips.textContent = "";
    this.options.forEach(function (option) {
      if (!option.selected) {
        return;
      }
      var chip = document.createElement("li");
      chip.className = "chip";
      chip.appendChild(document.createTextNode(option.text + " "));
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("aria-label", "Remove " + option.text);
      remove.textContent = "×";
      remove.addEventListener("click", function () {
        option.selected = false;
        self.renderChips();
        announce(self.status, "Removed " + option.text + ".");
        self.input.focus();
      });
      chip.appendChild(remove);
      self.chips.appendChild(chip);
    });
    this.chips.hidden = !this.chips.children.length;
  };

  /* --- Transcript ranges ------------------------------------------------------------------ */

  function Transcript(container, form) {
    this.container = container;
    this.form = form;
    this.units = Array.prototype.slice.call(container.querySelectorAll(".unit"));
    this.media = container.dataset.kind === "media";
    this.anchor = null;
    this.focus = null;
    this.startSelect = form.querySelector('select[name="start_unit"]');
    this.endSelect = form.querySelector('select[name="end_unit"]');
    this.charStart = form.querySelector('input[name="char_start"]');
    this.charEnd = form.querySelector('input[name="char_end"]');
    this.summary = form.querySelector("#selection-summary");
    this.startSeconds = form.querySelector('input[name="start_seconds"]');
    this.endSeconds = form.querySelector('input[name="end_seconds"]');
    this.words = this.media && this.startSeconds ? Array.prototype.slice.call(container.querySelectorAll(".word")) : [];
    if (this.words.length) {
      new WordPicker(this);
      return;
    }
    this.bind();
  }

  Transcript.prototype.bind = function () {
    var self = this;
    if (!this.units.length) {
      return;
    }
    this.units.forEach(function (unit, i) {
      unit.tabIndex = i === 0 ? 0 : -1;
    });
    this.container.setAttribute("role", "group");
    this.container.setAttribute("aria-label", this.media ? "Transcript segments" : "Sentences of the text");
    var keys = document.getElementById("transcript-keys");
    if (keys) {
      keys.hidden = false;
    }
    this.container.addEventListener("keydown", function (event) {
      var unit = event.target.closest && event.target.closest(".unit");
      if (unit) {
        self.onKey(event, self.units.indexOf(unit));
      }
    });
    this.container.addEventListener("mouseup", function () {
      self.fromSelection();
    });
    [this.startSelect, this.endSelect].forEach(function (select) {
      if (select) {
        select.addEventListener("change", function () {
          self.clearChars();
          self.highlight(Number(self.startSelect.value || -1), Number(self.endSelect.value || self.startSelect.value || -1));
        });
      }
    });
  };

  Transcript.prototype.onKey = function (event, index) {
    var target = index;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowRight":
        target = Math.min(index + 1, this.units.length - 1);
        break;
      case "ArrowUp":
      case "ArrowLeft":
        target = Math.max(index - 1, 0);
        break;
      case "Home":
        target = 0;
        break;
      case "End":
        target = this.units.length - 1;
        break;
      case "Enter":
      case " ":
        event.preventDefault();
        if (this.anchor === null) {
          this.anchor = index;
          this.focus = index;
        }
        this.apply();
        return;
      case "Escape":
        this.anchor = null;
        this.highlight(-1, -1);
        announce(this.summary, "Selection cleared.");
        return;
      default:
        return;
    }
    event.preventDefault();
    if (event.shiftKey) {
      if (this.anchor === null) {
        this.anchor = index;
      }
    } else {
      this.anchor = target;
    }
    this.focus = target;
    this.moveTo(target);
    var lo = Math.min(this.anchor, this.focus);
    var hi = Math.max(this.anchor, this.focus);
    this.highlight(lo, hi);
    this.summary.textContent = this.describe(lo, hi) + " Press Enter to tag " + (lo === hi ? "it." : "them.");
  };

  Transcript.prototype.moveTo = function (index) {
    this.units.forEach(function (unit, i) {
      unit.tabIndex = i === index ? 0 : -1;
    });
    this.units[index].focus();
  };

  Transcript.prototype.describe = function (lo, hi) {
    var noun = this.media ? "Segment" : "Sentence";
    var first = this.units[lo];
    var last = this.units[hi];
    var when = this.media ? " (" + (first.dataset.label || "").split(" ")[0] + " to the end of " + (last.dataset.label || "").split(" ")[0] + ")" : "";
    if (lo === hi) {
      return noun + " " + (lo + 1) + when + " selected.";
    }
    return noun + "s " + (lo + 1) + " to " + (hi + 1) + when + " selected.";
  };

  Transcript.prototype.highlight = function (lo, hi) {
    this.units.forEach(function (unit, i) {
      unit.classList.toggle("is-picked", lo >= 0 && i >= lo && i <= hi);
    });
  };

  Transcript.prototype.clearChars = function () {
    if (this.charStart) {
      this.charStart.value = "";
      this.charEnd.value = "";
    }
    if (this.startSeconds) {
      this.startSeconds.value = "";
      this.endSeconds.value = "";
    }
  };

  Transcript.prototype.setUnits = function (lo, hi) {
    this.startSelect.value = String(lo);
    this.endSelect.value = String(hi);
    this.highlight(lo, hi);
  };

  Transcript.prototype.apply = function () {
    var lo = Math.min(this.anchor, this.focus);
    var hi = Math.max(this.anchor, this.focus);
    this.clearChars();
    this.setUnits(lo, hi);
    this.summary.textContent = this.describe(lo, hi) + " Now choose values and themes.";
    var combo = this.form.querySelector(".combo-input") || this.form.querySelector('select[name="codes"]');
    if (combo) {
      combo.focus();
    }
  };

  Transcript.prototype.offsetIn = function (node, offset) {
    var element = node.nodeType === 1 ? node : node.parentElement;
    var unit = element && element.closest(".unit");
    if (!unit || !this.container.contains(unit)) {
      return null;
    }
    var text = unit.querySelector(".unit-text");
    var base = Number(unit.dataset.charStart);
    if (text && text.contains(node) && node.nodeType === 3) {
      return { unit: this.units.indexOf(unit), position: base + offset };
    }
    return { unit: this.units.indexOf(unit), position: null };
  };

  Transcript.prototype.fromSelection = function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var range = selection.getRangeAt(0);
    var a = this.offsetIn(range.startContainer, range.startOffset);
    var b = this.offsetIn(range.endContainer, range.endOffset);
    if (!a || !b) {
      return;
    }
    var lo = Math.min(a.unit, b.unit);
    var hi = Math.max(a.unit, b.unit);
    this.setUnits(lo, hi);
    this.anchor = lo;
    this.focus = hi;
    if (!this.media && a.position !== null && b.position !== null && this.charStart) {
      this.charStart.value = String(Math.min(a.position, b.position));
      this.charEnd.value = String(Math.max(a.position, b.position));
      var words = selection.toString().trim();
      this.summary.textContent = "Selected: “" + (words.length > 80 ? words.slice(0, 77) + "…" : words) + "”. Now choose values and themes.";
    } else {
      this.clearChars();
      this.summary.textContent = this.describe(lo, hi) + " Now choose values and themes.";
    }
  };

  /* --- Words of a recording's transcript ------------------------------------------------ */

  function WordPicker(transcript) {
    var self = this;
    this.t = transcript;
    this.words = transcript.words;
    this.unitOf = this.words.map(function (word) {
      return transcript.units.indexOf(word.closest(".unit"));
    });
    this.anchor = null;
    this.focus = null;
    this.words.forEach(function (word, i) {
      word.tabIndex = i === 0 ? 0 : -1;
    });
    var container = transcript.container;
    container.setAttribute("role", "group");
    container.setAttribute("aria-label", "Words of the transcript");
    var keys = document.getElementById("transcript-keys");
    if (keys) {
      keys.hidden = false;
    }
    container.addEventListener("keydown", function (event) {
      var word = event.target.closest && event.target.closest(".word");
      if (word) {
        self.onKey(event, self.words.indexOf(word));
      }
    });
    container.addEventListener("mouseup", function () {
      self.fromSelection();
    });
    [transcript.startSelect, transcript.endSelect].forEach(function (select) {
      if (select) {
        select.addEventListener("change", function () {
          transcript.clearChars();
          self.highlight(-1, -1);
          transcript.highlight(Number(transcript.startSelect.value || -1), Number(transcript.endSelect.value || transcript.startSelect.value || -1));
        });
      }
    });
  }

  WordPicker.prototype.firstOf = function (unit) {
    return this.unitOf.indexOf(unit);
  };

  WordPicker.prototype.lastOf = function (unit) {
    return this.unitOf.lastIndexOf(unit);
  };

  WordPicker.prototype.onKey = function (event, index) {
    var last = this.words.length - 1;
    var unit = this.unitOf[index];
    var lastUnit = this.unitOf[last];
    var target = index;
    switch (event.key) {
      case "ArrowRight":
        target = Math.min(index + 1, last);
        break;
      case "ArrowLeft":
        target = Math.max(index - 1, 0);
        break;
      case "ArrowDown":
        // Shift+Down takes in the whole next segment; Down alone goes to its first word.
        target = event.shiftKey ? this.lastOf(Math.min(unit + 1, lastUnit)) : this.firstOf(Math.min(unit + 1, lastUnit));
        break;
      case "ArrowUp":
        target = this.firstOf(Math.max(unit - (event.shiftKey || index === this.firstOf(unit) ? 1 : 0), 0));
        break;
      case "Home":
        target = 0;
        break;
      case "End":
        target = last;
        break;
      case "Enter":
      case " ":
        event.preventDefault();
        if (this.anchor === null) {
          this.anchor = index;
          this.focus = index;
        }
        this.apply(true);
        return;
      case "Escape":
        this.anchor = null;
        this.highlight(-1, -1);
        announce(this.t.summary, "Selection cleared.");
        return;
      default:
        return;
    }
    event.preventDefault();
    if (!event.shiftKey || this.anchor === null) {
      this.anchor = event.shiftKey ? index : target;
    }
    this.focus = target;
    this.moveTo(target);
    var lo = Math.min(this.anchor, this.focus);
    var hi = Math.max(this.anchor, this.focus);
    this.highlight(lo, hi);
    this.t.summary.textContent = this.describe(lo, hi) + " Press Enter to tag " + (lo === hi ? "it." : "them.");
  };

  WordPicker.prototype.moveTo = function (index) {
    this.words.forEach(function (word, i) {
      word.tabIndex = i === index ? 0 : -1;
    });
    this.words[index].focus();
  };

  WordPicker.prototype.highlight = function (lo, hi) {
    this.words.forEach(function (word, i) {
      word.classList.toggle("is-picked", lo >= 0 && i >= lo && i <= hi);
    });
  };

  function clockOf(seconds) {
    var s = Math.floor(Number(seconds));
    var m = Math.floor(s / 60);
    var h = Math.floor(m / 60);
    var ss = String(s % 60).padStart(2, "0");
    return h ? h + ":" + String(m % 60).padStart(2, "0") + ":" + ss : m + ":" + ss;
  }

  WordPicker.prototype.describe = function (lo, hi) {
    var text = this.words.slice(lo, hi + 1).map(function (w) {
      return w.textContent.trim();
    }).join(" ");
    var n = hi - lo + 1;
    var quoted = text.length > 80 ? text.slice(0, 77) + "…" : text;
    return (n === 1 ? "1 word" : n + " words") + " selected, " + clockOf(this.words[lo].dataset.start) + " to " + clockOf(this.words[hi].dataset.end) + ": “" + quoted + "”.";
  };

  WordPicker.prototype.apply = function (toCodes) {
    var lo = Math.min(this.anchor, this.focus);
    var hi = Math.max(this.anchor, this.focus);
    var t = this.t;
    t.clearChars();
    t.startSelect.value = String(this.unitOf[lo]);
    t.endSelect.value = String(this.unitOf[hi]);
    t.startSeconds.value = this.words[lo].dataset.start;
    t.endSeconds.value = this.words[hi].dataset.end;
    this.highlight(lo, hi);
    t.summary.textContent = this.describe(lo, hi) + " Now choose values and themes.";
    if (toCodes) {
      var combo = t.form.querySelector(".combo-input") || t.form.querySelector('select[name="codes"]');
      if (combo) {
        combo.focus();
      }
    }
  };

  // Whether the selection takes in any visible character of `word`.
  function takesIn(range, word) {
    if (!range.intersectsNode(word)) {
      return false;
    }
    var part = document.createRange();
    part.selectNodeContents(word);
    if (range.compareBoundaryPoints(Range.START_TO_START, part) > 0) {
      part.setStart(range.startContainer, range.startOffset);
    }
    if (range.compareBoundaryPoints(Range.END_TO_END, part) < 0) {
      part.setEnd(range.endContainer, range.endOffset);
    }
    return part.toString().trim() !== "";
  }

  WordPicker.prototype.fromSelection = function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return;
    }
    var range = selection.getRangeAt(0);
    var lo = -1;
    var hi = -1;
    this.words.forEach(function (word, i) {
      if (takesIn(range, word)) {
        if (lo < 0) {
          lo = i;
        }
        hi = i;
      }
    });
    if (lo < 0) {
      return;
    }
    this.anchor = lo;
    this.focus = hi;
    this.apply(false);
  };

  /* --- Player ----------------------------------------------------------------------------- */

  function bindPlayer() {
    var player = document.getElementById("coding-player");
    if (!player) {
      return;
    }
    var stopAt = null;
    player.addEventListener("timeupdate", function () {
      if (stopAt !== null && player.currentTime >= stopAt) {
        player.pause();
        stopAt = null;
      }
    });
    // A bar on the timeline plays its excerpt (the margin's buttons do the same by keyboard).
    Array.prototype.forEach.call(document.querySelectorAll("#coding-timeline rect[data-start]"), function (bar) {
      bar.addEventListener("click", function () {
        player.currentTime = Number(bar.dataset.start);
        stopAt = Number(bar.dataset.end);
        var playing = player.play();
        if (playing && playing.catch) {
          playing.catch(function () {
            stopAt = null;
          });
        }
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-play]"), function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        player.currentTime = Number(button.dataset.start);
        stopAt = Number(button.dataset.end);
        var playing = player.play();
        if (playing && playing.catch) {
          playing.catch(function () {
            stopAt = null;
          });
        }
      });
    });
  }

  /* --- Codebook filter ------------------------------------------------------------------- */

  function bindCodebook() {
    var input = document.getElementById("codebook-filter");
    if (!input) {
      return;
    }
    input.closest(".field").hidden = false;
    var status = document.getElementById("codebook-filter-status");
    var entries = Array.prototype.slice.call(document.querySelectorAll(".codebook-entry"));
    var timer = null;
    input.addEventListener("input", function () {
      var words = fold(input.value.trim()).split(/\s+/).filter(Boolean);
      var shown = 0;
      // Deepest first, so that a theme stays in view when one of its children matches.
      entries.slice().reverse().forEach(function (entry) {
        var hay = fold(entry.dataset.filter);
        var match = words.every(function (w) {
          return hay.indexOf(w) !== -1;
        });
        var child = entry.querySelector(".codebook-entry:not([hidden])");
        entry.hidden = !(match || child);
        if (match) {
          shown += 1;
        }
      });
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        status.textContent = words.length ? shown + (shown === 1 ? " value or theme matches." : " values and themes match.") : "";
      }, 300);
    });
  }

  function init() {
    document.documentElement.classList.add("js");
    if (window.ArchiveCombobox) {
      Array.prototype.forEach.call(document.querySelectorAll("select[data-combobox]"), function (select) {
        select.comboBox = new Combobox(select);
      });
    }
    var form = document.querySelector("form[data-tag-form]");
    var container = document.querySelector("[data-units]");
    if (form && container) {
      new Transcript(container, form);
    }
    bindPlayer();
    bindCodebook();
    var errors = document.getElementById("form-errors");
    if (errors) {
      errors.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
