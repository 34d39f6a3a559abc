// The book's small page script (every page; loaded from _static/site/ by dlbook.sphinxext).
// Phone navigation: pydata-sphinx-theme 0.17 puts a hidden second .primary-toggle/.secondary-toggle in its
// header, and both theme scripts bind only the first match (document.querySelector), so the visible buttons did
// nothing (pydata-sphinx-theme#2451, sphinx-book-theme#988). Each other button forwards its click to the bound one.
(function () {
  function forward() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (sel) {
      var all = document.querySelectorAll(sel);
      for (var i = 1; i < all.length; i++) {
        all[i].addEventListener("click", function (e) {
          e.preventDefault();
          e.stopImmediatePropagation();
          all[0].click();
        }, true);
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", forward);
  else forward();
})();

// Printing (and the PDF) shows the folded library listings: open them before printing, restore them after.
(function () {
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(document.querySelectorAll("details.dlbook-source:not([open])"),
      function (d) { d.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();

// Demo figures on a narrow screen scroll sideways at full size (site.css); mark those that overflow their box,
// so the hint under them shows. Checked on load, when a frame changes size and when the window is resized.
(function () {
  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("data-scrolls", "");
    else box.removeAttribute("data-scrolls");
  }
  function start() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(".dlbook-demo-figure"));
    if (!boxes.length) return;
    boxes.forEach(function (box) {
      mark(box);
      var img = box.querySelector("img");
      if (img) img.addEventListener("load", function () { mark(box); });
    });
    if (window.ResizeObserver) {
      var ro = new ResizeObserver(function (es) { es.forEach(function (e) { mark(e.target); }); });
      boxes.forEach(function (box) { ro.observe(box); });
    } else {
      window.addEventListener("resize", function () { boxes.forEach(mark); });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

// Search result snippets are cut from each page's text, where MathJax's source still sits as raw TeX ("\(\nabla_x
// J\)"); show an ellipsis for each formula instead. Sphinx's searchtools.js declares `Search`; the build loads it
// after the page is parsed (dlbook.sphinxext.load_after_parse), so patch it as soon as it has run: a script's load
// event fires right after it executes, before the search index (which a query waits for) can run.
(function () {
  function patch() {
    if (typeof Search === "undefined" || !Search.htmlToText || Search.htmlToText.dlbookPatched) return;
    var toText = Search.htmlToText;
    Search.htmlToText = function (html, anchor) {
      return toText.call(Search, html, anchor).replace(/\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]|\$\$[\s\S]*?\$\$/g, "…");
    };
    Search.htmlToText.dlbookPatched = true;
  }
  function onLoad(e) {
    if (e.target.tagName !== "SCRIPT" || !/\/searchtools\.js(\?|$)/.test(e.target.src)) return;
    patch();
    document.removeEventListener("load", onLoad, true);
  }
  document.addEventListener("load", onLoad, true);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", patch);
  else patch();
})();
