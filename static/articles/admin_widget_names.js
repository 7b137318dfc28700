// Accessible names for the widgets that stand in for form fields in the article admin:
// the autocompletes (select2) and the body editor take the text of their field's own
// <label>, so that a screen reader announces "Regions" rather than an unnamed combobox
// (WCAG 4.1.2). select2 rebuilds its search box on every change, hence the observer.
"use strict";
{
    const labelText = (label) => label ? label.textContent.replace(/:\s*$/, "").trim() : "";

    function nameWidgets() {
        document.querySelectorAll("select.admin-autocomplete").forEach((select) => {
            const name = labelText(document.querySelector(`label[for="${select.id}"]`));
            const widget = select.nextElementSibling;
            if (!name || !widget || !widget.classList.contains("select2")) {
                return;
            }
            widget.querySelectorAll(".select2-selection, .select2-selection__rendered[role], .select2-search__field").forEach((part) => {
                if (part.getAttribute("aria-label") !== name) {
                    part.setAttribute("aria-label", name);
                }
            });
        });
        document.querySelectorAll(".tiptap[contenteditable]").forEach((editor) => {
            const row = editor.closest(".form-row");
            const name = labelText(row && row.querySelector("label"));
            if (name && editor.getAttribute("aria-label") !== name) {
                editor.setAttribute("aria-label", name);
            }
        });
    }

    let pending = false;
    new MutationObserver(() => {
        if (!pending) {
            pending = true;
            queueMicrotask(() => {
                pending = false;
                nameWidgets();
            });
        }
    }).observe(document.documentElement, {childList: true, subtree: true});
    window.addEventListener("DOMContentLoaded", nameWidgets);
}
