// Runs before the first paint (a classic script, first in <body>; see templates/base.html).
//
// GOV.UK Frontend's page template does this inline; the Content Security Policy forbids
// inline scripts, so it is this file. The page is marked as able to run GOV.UK Frontend
// (browsers that run ES modules) before anything is drawn, so styles for the started
// components apply from the first paint and nothing moves when portal.mjs starts them:
// on a phone the header's menu is folded from the start (static/src/portal.scss).
//
// If portal.mjs never runs (it failed to load, or threw), the page goes back to the
// no-JavaScript version once it has loaded, so no link stays folded behind a dead button.
(function () {
  var body = document.body;
  body.classList.add("js-enabled");
  if (!("noModule" in HTMLScriptElement.prototype)) {
    return;
  }
  body.classList.add("govuk-frontend-supported");
  window.addEventListener("load", function () {
    if (!body.hasAttribute("data-portal-started")) {
      body.classList.remove("govuk-frontend-supported");
    }
  });
})();
