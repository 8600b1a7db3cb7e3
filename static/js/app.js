// Behaviour shared by every page, kept out of the HTML so that pages carry no inline script:
// - form[data-confirm]: ask before submitting (issuing, deleting, dissolving);
// - select[data-autosubmit]: submit the form when the choice changes (the organisation picker);
// - select[data-search]: type-to-search over long lists (Tom Select, served from static/vendor);
//   select[data-choices=ID] takes its options from <script type="application/json" id=ID>, so a form
//   with many agency pickers sends the list of agencies once instead of once per picker.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    const select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) {
      select.form.submit();
    }
  });

  const choiceLists = {};

  function choicesFrom(id) {
    if (!(id in choiceLists)) {
      const source = document.getElementById(id);
      const groups = source ? JSON.parse(source.textContent) : {};
      const options = [], optgroups = [];
      Object.keys(groups).forEach(function (label) {
        if (label) {
          optgroups.push({ value: label, label: label });
        }
        groups[label].forEach(function (pair) {
          if (pair[0]) {
            options.push({ value: pair[0], text: pair[1], optgroup: label || undefined });
          }
        });
      });
      choiceLists[id] = { options: options, optgroups: optgroups };
    }
    return choiceLists[id];
  }

  function enhance(root) {
    if (typeof window.TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-search]:not(.tomselected)").forEach(function (select) {
      if (select.closest("template")) {
        return;
      }
      const settings = {
        maxOptions: null,
        allowEmptyOption: true,
        closeAfterSelect: true,  // a picked agency closes the list, so it never covers the next button
        searchField: ["text"],
        placeholder: select.dataset.placeholder || "Gõ để tìm…",
        render: { no_results: function () { return '<div class="no-results">Không tìm thấy.</div>'; } },
      };
      if (select.dataset.choices) {
        const list = choicesFrom(select.dataset.choices);
        settings.options = list.options;
        settings.optgroups = list.optgroups;
        settings.optgroupField = "optgroup";
      }
      const label = select.getAttribute("aria-label") ||
        (select.labels && select.labels[0] ? select.labels[0].textContent.replace("*", "").trim() : "");
      const control = new window.TomSelect(select, settings);
      if (label) {
        // the label now points at the search box; the hidden select keeps its name for assistive tools
        select.setAttribute("aria-label", label);
        if (control.control_input) control.control_input.setAttribute("aria-label", label);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("rows:added", function (event) { enhance(event.target); });
})();
