// The home page offers the newsroom in the visitor's language, once. The page is the same
// for everyone (a shared link, and the edge's copy, mean one thing), with an offer per
// language in the markup, all hidden; this shows the one for the first of the browser's
// languages the newsroom publishes in, if it is not the page's own, and remembers that
// it did, so the visitor is asked once and never redirected.
(function () {
  "use strict";
  var KEY = "newsroom-language-offered";
  var offers = document.querySelector("[data-language-offers]");
  if (!offers) {
    return;
  }
  try {
    if (window.localStorage.getItem(KEY)) {
      return;
    }
  } catch (error) {
    return; // storage refused: never asking is kinder than asking on every visit
  }
  var page = document.documentElement.lang.toLowerCase();
  var wanted = (navigator.languages || [navigator.language || ""]).map(function (tag) {
    return tag.toLowerCase();
  });
  var chosen = null;
  for (var i = 0; i < wanted.length && !chosen; i++) {
    var primary = wanted[i].split("-")[0];
    if (wanted[i] === page || primary === page.split("-")[0]) {
      return; // the visitor reads the page's language before any other we have
    }
    chosen = offers.querySelector('[data-language="' + wanted[i] + '"]')
      || offers.querySelector('[data-language="' + primary + '"]');
  }
  if (!chosen) {
    return;
  }
  chosen.hidden = false;
  try {
    window.localStorage.setItem(KEY, chosen.dataset.language);
  } catch (error) {
    // shown this time; nothing to remember it with
  }
  chosen.querySelector("[data-dismiss]").addEventListener("click", function () {
    chosen.hidden = true;
  });
})();
