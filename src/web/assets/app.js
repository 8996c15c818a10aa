// gyokaku web app: small enhancements only; every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Focus the query box on an empty search page.
  var q = document.getElementById("q");
  if (q && !q.value) { q.focus(); }
  // Changing a select of the themes form applies it at once.
  var form = document.getElementById("themes-form");
  if (form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { form.submit(); });
    });
  }
  // On a plan opened at a page, bring that page into view.
  var current = document.querySelector("section.current");
  if (current && !location.hash) { current.scrollIntoView(); }
});
