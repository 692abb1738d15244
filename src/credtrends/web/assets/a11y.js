/* Accessibility fixes for Dash 4's own widgets, which Python cannot reach (dash 4.4.1).
 *
 * - Dropdowns give keyboard focus to a hidden input marked aria-hidden (axe:
 *   aria-hidden-focus) and name their button after the selected values only, hiding the
 *   visible <label>. The button itself becomes the focus stop, named by its label.
 * - RadioItems and Checklist render real radio/checkbox inputs inside role=option labels
 *   inside an unnamed role=listbox (axe: nested-interactive, aria-input-field-name). The
 *   inputs already make a radio group; the fieldset/legend around them names it.
 * - The skip link moves focus to <main> without changing the URL's hash: a hash change
 *   makes Dash re-render the page and the focus falls back to <body>.
 * - MapLibre (the Regions map) names its canvas and attribution button in English, and
 *   plotly gives it no locale: on a French page they are named in French.
 * Every change is made only when needed, so the observer never triggers itself.
 */
(function () {
    "use strict";

    function setAttr(el, name, value) {
        if (el.getAttribute(name) !== value) { el.setAttribute(name, value); }
    }

    function dropAttr(el, name) {
        if (el.hasAttribute(name)) { el.removeAttribute(name); }
    }

    var MAP_FR = {
        ".maplibregl-canvas": "Carte",
        ".maplibregl-ctrl-attrib-button": "Afficher ou masquer l'attribution",
    };

    function fix(root) {
        if (document.documentElement.lang === "fr") {
            Object.keys(MAP_FR).forEach(function (selector) {
                root.querySelectorAll(selector).forEach(function (el) {
                    setAttr(el, "aria-label", MAP_FR[selector]);
                    if (el.hasAttribute("title")) { setAttr(el, "title", MAP_FR[selector]); }
                });
            });
        }
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (el) {
            setAttr(el, "tabindex", "-1");
        });
        root.querySelectorAll("button.dash-dropdown").forEach(function (el) {
            setAttr(el, "tabindex", "0");
            dropAttr(el, "aria-labelledby");
        });
        root.querySelectorAll(".dash-options-list").forEach(function (list) {
            dropAttr(list, "role");
            list.querySelectorAll("[role=option]").forEach(function (option) {
                dropAttr(option, "role");
                dropAttr(option, "aria-selected");
            });
        });
    }

    var scheduled = false;
    function schedule() {
        if (scheduled) { return; }
        scheduled = true;
        window.requestAnimationFrame(function () { scheduled = false; fix(document); });
    }

    new MutationObserver(schedule).observe(document.documentElement, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ["role", "tabindex", "aria-labelledby", "aria-selected", "aria-label", "title"],
    });
    document.addEventListener("DOMContentLoaded", function () { fix(document); });

    document.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("a.skip-link");
        if (!link) { return; }
        event.preventDefault();
        var main = document.getElementById("main-content");
        if (main) { main.focus(); }
    });
}());
