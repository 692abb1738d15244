/* Back and Forward between views of a page.
 *
 * Each change of a control pushes a history entry (components/url_state.py) without telling
 * Dash's location component, so that component's idea of the URL is stale: going Back to
 * the URL it last saw would look like no change to it, and nothing would be redrawn. This
 * listener, registered before Dash's own (assets load before the app mounts), hands every
 * Back/Forward to the pages router itself: the page is drawn again from the URL, controls
 * included, exactly as when the URL is opened.
 */
(function () {
    "use strict";
    window.addEventListener("popstate", function (event) {
        var clientside = window.dash_clientside;
        if (!clientside || typeof clientside.set_props !== "function") { return; }
        event.stopImmediatePropagation();
        clientside.set_props("_pages_location", {
            pathname: window.location.pathname,
            search: window.location.search,
            hash: window.location.hash,
            href: window.location.href,
        });
    });
}());
