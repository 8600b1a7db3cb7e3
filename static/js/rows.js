// Add and remove repeating rows in forms. A button [data-add-row=TEMPLATE_ID][data-prefix=LIST_NAME]
// clones <template id=TEMPLATE_ID>, replacing __PREFIX__ with LIST_NAME-<new index>; the server
// (WTForms FieldList) accepts any increasing indices, so gaps left by removed rows are harmless.
(function () {
  let counter = 1000;
  document.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const template = document.getElementById(add.dataset.addRow);
      const list = document.querySelector(`[data-list="${add.dataset.prefix}"]`);
      counter += 1;
      const html = template.innerHTML.replaceAll("__PREFIX__", `${add.dataset.prefix}-${counter}`);
      list.insertAdjacentHTML("beforeend", html);
      const first = list.lastElementChild && list.lastElementChild.querySelector("input:not([type=hidden]), textarea, select");
      if (first) first.focus();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest("[data-row]");
      if (row) row.remove();
    }
  });
})();
