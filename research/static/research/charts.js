// Draws each chart from its Vega-Lite spec (built by the server) with vega-embed, as SVG.
// The page works without it: every chart also has its data table and a CSV file.
// Expressions run through Vega's interpreter (`ast`), so the page's Content-Security-Policy
// needs no 'unsafe-eval'; vega-embed's own styles stay off (no inline <style>).
(function () {
  "use strict";
  if (typeof vegaEmbed !== "function") return;

  // Marks that stand for excerpts (they carry an href) become links for the keyboard too.
  function linkCells(view) {
    (function walk(node) {
      if (!node) return;
      if (node.href && node._svg) {
        const el = node._svg;
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "link");
        el.addEventListener("keydown", function (event) {
          if (event.key === "Enter") window.location.assign(node.href);
        });
      }
      (node.items || []).forEach(walk);
    })(view.scenegraph().root);
  }

  function exportButton(view, name, format, title) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Download the picture (" + format.toUpperCase() + ")";
    const which = document.createElement("span");
    which.className = "visually-hidden";
    which.textContent = ": " + title;
    button.append(which);
    button.addEventListener("click", function () {
      view.toImageURL(format, format === "png" ? 2 : 1).then(function (url) {
        const a = document.createElement("a");
        a.href = url;
        a.download = name + "." + format;
        document.body.appendChild(a);
        a.click();
        a.remove();
      });
    });
    return button;
  }

  document.querySelectorAll("[data-chart]").forEach(function (el) {
    const spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    vegaEmbed(el, spec, {
      renderer: "svg",
      actions: false,
      ast: true,
      defaultStyle: false,
      tooltip: false,
    }).then(function (result) {
      linkCells(result.view);
      const block = el.closest(".chart-block");
      const title = block.querySelector("h2").textContent;
      const downloads = block.querySelector(".chart-downloads");
      downloads.prepend(
        exportButton(result.view, el.dataset.name, "svg", title),
        " ",
        exportButton(result.view, el.dataset.name, "png", title),
        " "
      );
      // The chart speaks for itself now; its table is a click away.
      const table = block.querySelector("details.chart-data");
      if (table) table.removeAttribute("open");
      el.dataset.ready = "true";
    }).catch(function (error) {
      el.dataset.error = String(error);
    });
  });
})();
