// Portal JavaScript, loaded as <script type="module"> from templates/base.html.
//
// There are no inline scripts anywhere (the Content Security Policy forbids
// them), so this module does what GOV.UK Frontend's page template would do
// inline: mark the body as supported, then start every component.
//
// Browsers that do not run ES modules never get here, so they keep the
// no-JavaScript versions of the components, as GOV.UK Frontend intends.
// The import path is relative so it follows STATIC_URL.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
