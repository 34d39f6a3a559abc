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
