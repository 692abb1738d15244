/* The copy-link button (components/share.py): copies the view's address.
 *
 * The address bar holds every control's value, so the link is read from it when used,
 * never stored. navigator.clipboard needs a secure context and permission; without them
 * (or when it refuses) the link is selected in its field and the user is told to press
 * Ctrl+C, with document.execCommand("copy") tried first where browsers still allow it.
 */
(function () {
    "use strict";

    function current(field) {
        field.value = window.location.href;
        return field.value;
    }

    function say(box, text) {
        var status = box.querySelector(".copy-link-status");
        if (status) { status.textContent = text; }
    }

    function fallback(box, field, button) {
        field.focus();
        field.select();
        field.setSelectionRange(0, field.value.length);
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (err) { copied = false; }
        say(box, copied ? button.dataset.copied : button.dataset.select);
        box.dataset.copyMethod = copied ? "execCommand" : "selected";
    }

    document.addEventListener("focusin", function (event) {
        var field = event.target;
        if (field && field.matches && field.matches(".share-link input")) {
            current(field);
            field.select();
        }
    });

    document.addEventListener("click", function (event) {
        var button = event.target.closest && event.target.closest(".copy-link-button");
        if (!button) { return; }
        var box = button.closest(".share-link");
        var field = box.querySelector("input");
        var link = current(field);
        say(box, "");
        if (navigator.clipboard && window.isSecureContext) {
            navigator.clipboard.writeText(link).then(function () {
                say(box, button.dataset.copied);
                box.dataset.copyMethod = "clipboard";
            }, function () { fallback(box, field, button); });
        } else {
            fallback(box, field, button);
        }
    });
}());
