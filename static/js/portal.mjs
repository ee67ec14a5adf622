// Portal JavaScript, loaded as <script type="module"> from templates/base.html.
//
// There are no inline scripts anywhere (the Content Security Policy forbids
// them): static/js/supported.js marks the body as supported before the first
// paint, as GOV.UK Frontend's page template would do inline; this module then
// starts every component and says so (supported.js undoes its mark on a page
// where this never happens).
//
// Browsers that do not run ES modules never get here, so they keep the
// no-JavaScript versions of the components, as GOV.UK Frontend intends.
// The import path is relative so it follows STATIC_URL.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
document.body.setAttribute("data-portal-started", "");
