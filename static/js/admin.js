// The staff area's additions to the Django admin's pages (loaded by
// templates/admin/base_site.html on every admin page).
//
// - A form sent with errors leads with one error summary: the admin's "Please correct
//   the errors below." becomes a box that lists each error, linked to its field, and
//   takes the focus, so it is read out first (role="alert").
// - A table of inline rows scrolls sideways on a narrow screen: it can be reached with
//   the keyboard (and is named by its heading) so it can be scrolled without a mouse.
// - A field in a table of inline rows has no label of its own: it is named by its
//   column's header and its row ("First name, row 2").
// - A field edited in a list (list_editable) is named by its column and its row's
//   header ("Order, How long does it take?").
// - A fieldset the admin leaves without a name (the password forms) is named by the
//   page's heading.
// - The search boxes of the admin's two-list choosers carry their hint in aria-label
//   on an icon with no role: the icon becomes an image with that text.
// - An autocomplete box (select2) is named by its field's label. A choice of several
//   records lists them with a "remove all" cross inside the list, which is not an item:
//   it is hidden from screen readers (each choice is removed with Backspace as well).
// - The first cell of each row of a list (the record's link) is the row's header:
//   Django writes it as <th> without saying so (scope="row").
// - The add, change, delete and view links beside a choice of a related record hold
//   only an icon with an empty alt: the icon takes the link's title as its text.
// - The calendar and clock links Django's DateTimeShortcuts.js adds beside date and
//   time fields hold only an icon: they are given names that say which field they fill.
"use strict";
{
  const text = (element) => element.textContent.replace(/[:*]\s*$/, "").trim();

  // A field's name as a person hears it: its aria-labelledby, its label, its aria-label.
  const fieldLabel = (field) => {
    if (!field) return "";
    const ids = (field.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    const parts = ids.map((id) => document.getElementById(id)).filter(Boolean);
    if (parts.length) return parts.map(text).join(" ");
    const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    return label ? text(label) : (field.getAttribute("aria-label") || field.name || "").trim();
  };

  // The date and the time box of one field are each labelled "Date:" and "Time:": they
  // are named with the field's own label too ("Starts at Date").
  const nameSplitFields = () => {
    for (const pair of document.querySelectorAll("p.datetime")) {
      const row = pair.closest(".fieldBox, .form-row");
      const main = row && [...row.querySelectorAll("label")].find((label) => !pair.contains(label));
      if (!main) continue;
      main.id = main.id || `${pair.querySelector("input").id}-field-label`;
      for (const box of pair.querySelectorAll("input")) {
        const own = box.labels && [...box.labels].find((label) => pair.contains(label));
        if (!own) continue;
        own.id = own.id || `${box.id}-label`;
        box.setAttribute("aria-labelledby", `${main.id} ${own.id}`);
      }
    }
  };

  // The field an error list is about: the first field in its row (a form row, or the
  // table cell of an inline row).
  const fieldOf = (errors) => {
    const row = errors.closest(".form-row, td, .fieldBox, .flex-container") || errors.parentElement;
    return row.querySelector("input:not([type=hidden]), select, textarea");
  };

  const errorSummary = () => {
    const note = document.querySelector("#content-main .errornote, #content .errornote");
    if (!note) return;
    let summary = note;
    if (!note.classList.contains("staff-error-summary")) {
      summary = document.createElement("div");
      summary.className = "errornote staff-error-summary";
      const title = document.createElement("h2");
      title.id = "staff-error-summary-title";
      title.textContent = note.textContent.trim();
      summary.setAttribute("aria-labelledby", title.id);
      summary.append(title);
      const list = document.createElement("ul");
      const form = note.closest("form") || document.querySelector("#content-main form");
      const lists = form ? form.querySelectorAll("ul.errorlist") : [];
      for (const errors of lists) {
        if (summary.contains(errors)) continue;
        const field = errors.classList.contains("nonfield") || errors.classList.contains("nonform")
          ? null : fieldOf(errors);
        for (const error of errors.querySelectorAll("li")) {
          const item = document.createElement("li");
          if (field && field.id) {
            const link = document.createElement("a");
            link.href = `#${field.id}`;
            const name = fieldLabel(field);
            link.textContent = name ? `${name}: ${error.textContent}` : error.textContent;
            item.append(link);
          } else {
            item.textContent = error.textContent;
          }
          list.append(item);
        }
      }
      if (list.children.length) summary.append(list);
      note.replaceWith(summary);
    }
    summary.setAttribute("role", "alert");
    summary.tabIndex = -1;
    summary.focus();
    // The admin's change_form.js (loaded async) puts the focus on an add form's first
    // field: on a form sent with errors the summary takes it back.
    if (document.readyState !== "complete") {
      window.addEventListener("load", () => summary.focus(), { once: true });
    }
  };

  const NAMES = { calendarlink: "Choose a date", clocklink: "Choose a time" };

  const nameRelatedLinks = (root) => {
    for (const link of root.querySelectorAll(".related-widget-wrapper-link[title]")) {
      const icon = link.querySelector("img");
      if (icon && !icon.alt) icon.alt = link.title;
    }
  };

  const nameShortcuts = (root) => {
    for (const shortcuts of root.querySelectorAll(".datetimeshortcuts")) {
      const field = shortcuts.previousElementSibling;
      const about = fieldLabel(field);
      for (const link of shortcuts.querySelectorAll("a")) {
        const kind = Object.keys(NAMES).find((prefix) => link.id.startsWith(prefix));
        if (kind) {
          link.setAttribute("aria-label", about ? `${NAMES[kind]} for ${about}` : NAMES[kind]);
        }
      }
    }
  };

  const nameInlineFields = (root) => {
    for (const table of root.querySelectorAll(".inline-group .tabular table")) {
      const headers = {};
      for (const header of table.querySelectorAll("thead th")) {
        const column = [...header.classList].find((name) => name.startsWith("column-"));
        if (column) headers[column.slice("column-".length)] = header.textContent.trim();
      }
      const rows = [...table.querySelectorAll("tbody tr.form-row")];
      rows.forEach((row, index) => {
        for (const cell of row.querySelectorAll("td")) {
          const field = [...cell.classList].find((name) => name.startsWith("field-"));
          const header = field ? headers[field.slice("field-".length)] : cell.classList.contains("delete") ? "Delete" : "";
          if (!header) continue;
          for (const control of cell.querySelectorAll("input:not([type=hidden]), select, textarea")) {
            if (control.labels.length && !control.hasAttribute("data-staff-named")) continue;
            control.setAttribute("aria-label", `${header}, row ${index + 1}`);
            control.setAttribute("data-staff-named", "");
          }
        }
      });
    }
  };

  const nameListFields = () => {
    const table = document.querySelector("#result_list");
    if (!table) return;
    const headers = {};
    for (const header of table.querySelectorAll("thead th")) {
      const column = [...header.classList].find((name) => name.startsWith("column-"));
      if (column) headers[column.slice("column-".length)] = header.textContent.trim();
    }
    for (const row of table.querySelectorAll("tbody tr")) {
      const rowHeader = row.querySelector("th");
      const about = rowHeader ? rowHeader.textContent.trim() : "";
      for (const cell of row.querySelectorAll("td")) {
        const field = [...cell.classList].find((name) => name.startsWith("field-"));
        const header = field && headers[field.slice("field-".length)];
        if (!header) continue;
        for (const control of cell.querySelectorAll("input:not([type=hidden]), select, textarea")) {
          if (!control.labels.length && !control.hasAttribute("aria-label")) {
            control.setAttribute("aria-label", about ? `${header}, ${about}` : header);
          }
        }
      }
    }
  };

  const nameFieldsets = () => {
    const title = document.querySelector("#content h1, h1");
    if (!title) return;
    for (const fieldset of document.querySelectorAll("#content fieldset")) {
      const named = fieldset.querySelector(":scope > legend")
        || fieldset.hasAttribute("aria-labelledby") || fieldset.hasAttribute("aria-label");
      if (named) continue;
      title.id = title.id || "staff-page-title";
      fieldset.setAttribute("aria-labelledby", title.id);
    }
  };

  // The user forms keep the account's email in a hidden box for password managers.
  const nameHiddenBoxes = () => {
    for (const box of document.querySelectorAll("#content input.hidden[name]:not([type=hidden])")) {
      if (!box.labels.length && !box.hasAttribute("aria-label")) box.setAttribute("aria-label", box.name);
    }
  };

  const nameChooserHints = (root) => {
    for (const icon of root.querySelectorAll(".help-tooltip[aria-label]:not([role])")) {
      icon.setAttribute("role", "img");
    }
  };

  const nameAutocompletes = (root) => {
    for (const box of root.querySelectorAll(".select2-selection[role=combobox]")) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
      if (!label) continue;
      label.id = label.id || `${select.id}-label`;
      const rendered = box.querySelector(".select2-selection__rendered");
      box.setAttribute("aria-labelledby", rendered && rendered.id ? `${label.id} ${rendered.id}` : label.id);
      if (rendered) rendered.setAttribute("aria-labelledby", label.id);
    }
    // A choice of several records: the "remove all" cross sits inside the list of choices.
    for (const clear of root.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")) {
      clear.setAttribute("aria-hidden", "true");
    }
    // A choice of several records types into a box of its own inside the selection.
    for (const search of root.querySelectorAll(".select2-selection .select2-search__field")) {
      const container = search.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
      if (label && !search.hasAttribute("aria-label")) search.setAttribute("aria-label", text(label));
    }
  };

  const scrollableInlines = () => {
    for (const group of document.querySelectorAll('.inline-group[data-inline-type="tabular"]')) {
      const heading = group.querySelector(".inline-heading, h2");
      group.tabIndex = 0;
      group.setAttribute("role", "region");
      if (heading && heading.id) group.setAttribute("aria-labelledby", heading.id);
    }
  };

  const start = () => {
    for (const header of document.querySelectorAll("#result_list tbody th:not([scope])")) {
      header.scope = "row";
    }
    scrollableInlines();
    nameListFields();
    nameFieldsets();
    nameHiddenBoxes();
    nameSplitFields();
    nameChooserHints(document);
    nameAutocompletes(document);
    nameInlineFields(document);
    errorSummary();
    nameShortcuts(document);
    nameRelatedLinks(document);
    new MutationObserver((changes) => {
      const groups = new Set();
      for (const change of changes) {
        for (const node of change.addedNodes) {
          if (node.nodeType !== Node.ELEMENT_NODE) continue;
          nameShortcuts(node.parentElement || node);
          nameRelatedLinks(node.parentElement || node);
          nameChooserHints(node.parentElement || node);
          nameAutocompletes(node.parentElement || node);
          const group = node.closest(".inline-group");
          if (group) groups.add(group);
        }
      }
      for (const group of groups) nameInlineFields(group);
    }).observe(document.body, { childList: true, subtree: true });
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}
