// Behaviour shared by every page, kept out of the HTML so that pages carry no inline script:
// - form[data-confirm]: ask before submitting (issuing, deleting, dissolving);
// - select[data-autosubmit]: submit the form when the choice changes (the organisation picker);
// - select[data-search]: type-to-search over long lists (Tom Select, served from static/vendor);
//   select[data-choices=ID] takes its options from <script type="application/json" id=ID>, so a form
//   with many agency pickers sends the list of agencies once instead of once per picker;
//   select[data-source=URL] carries only the first choices and asks URL?q=… for more as the user types
//   (a province's thousands of agencies and directives), matching words as the server does.
// - table[data-job-poll=URL] (Tệp đã xuất): rows of unfinished jobs follow their progress by asking URL
//   every two seconds, and show the download link or the error when the job ends.
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

  // as app/text.py fold(): lower case, no accents, "đ" is "d"
  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function tokens(text) {
    return fold(text).match(/[a-z0-9]+/g) || [];
  }

  function remote(settings, source) {
    settings.valueField = "value";
    settings.labelField = "text";
    settings.load = function (query, callback) {
      const control = this;
      const url = source + (source.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { options: [] }; })
        .then(function (data) {
          const fresh = [];
          data.options.forEach(function (option) {
            option.query = query;  // the server found it for these words (perhaps in text the label leaves out)
            if (control.options[option.value]) control.updateOption(option.value, option); else fresh.push(option);
          });
          callback(fresh);
        })
        .catch(function () { callback(); });
    };
    // what the server sent for these words, and any choice whose label has every word typed, by the
    // rule of app/search.py: whole words, the last one perhaps unfinished once it has three letters
    settings.score = function (search) {
      const words = tokens(search);
      return function (item) {
        if (item.query === search) return 1;
        const found = tokens(item.text || "");
        return words.every(function (word, index) {
          const prefix = index === words.length - 1 && word.length >= 3 && !/^[0-9]+$/.test(word);
          return found.some(function (token) { return prefix ? token.indexOf(word) === 0 : token === word; });
        }) ? 1 : 0;
      };
    };
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
        // filter as each letter is typed: TomSelect's default 300 ms delay let a quick pick be followed by
        // the delayed refresh, which opened the list again over the form
        refreshThrottle: 0,
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
      if (select.dataset.source) {
        remote(settings, select.dataset.source);
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

  function pollJobs(table) {
    const pending = function () {
      return Array.prototype.slice.call(table.querySelectorAll("tr[data-job-id][data-finished=false]"));
    };
    function update(job) {
      const row = table.querySelector('tr[data-job-id="' + job.id + '"]');
      if (!row) return;
      const bar = row.querySelector("[data-job-progress]");
      bar.value = job.percent;
      bar.setAttribute("aria-label", "Tiến độ: " + job.percent + "%");
      row.querySelector("[data-job-count]").textContent = job.total ? job.done + "/" + job.total : "";
      const label = row.querySelector("[data-job-label]");
      label.textContent = job.label;
      label.className = "badge text-bg-" + ({ queued: "secondary", running: "info", done: "success", failed: "danger" }[job.status] || "secondary");
      row.querySelector("[data-job-error]").textContent = job.error || "";
      if (job.download && !row.querySelector("[data-job-file] a")) {
        const link = document.createElement("a");
        link.className = "btn btn-sm btn-outline-primary";
        link.href = job.download;
        link.textContent = "Tải về";
        row.querySelector("[data-job-file]").appendChild(link);
      }
      if (job.finished) row.dataset.finished = "true";
    }
    function tick() {
      const rows = pending();
      if (!rows.length) return;
      const query = rows.map(function (row) { return "id=" + encodeURIComponent(row.dataset.jobId); }).join("&");
      fetch(table.dataset.jobPoll + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { jobs: [] }; })
        .then(function (data) { data.jobs.forEach(update); })
        .catch(function () {})
        .then(function () { window.setTimeout(tick, 2000); });
    }
    window.setTimeout(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    document.querySelectorAll("table[data-job-poll]").forEach(pollJobs);
  });
  document.addEventListener("rows:added", function (event) { enhance(event.target); });
})();
