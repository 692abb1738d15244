/* Every chart's drawn texts, each checked against the chart's own box and the screen;
   notes must not overlap. Returns a JSON list of problems (test_phone_layout.py). */
const problems = [];
const screen = document.documentElement.clientWidth;
document.querySelectorAll('.js-plotly-plot').forEach((gd, index) => {
    const box = gd.getBoundingClientRect();
    const svg = gd.querySelector('.main-svg');
    if (!svg || box.width === 0) { return; }
    const drawn = svg.getBoundingClientRect();
    const name = (gd.closest('[id]') || {}).id || ('chart ' + index);
    if (drawn.width > box.width + 1) {
        problems.push(`${name}: drawn ${Math.round(drawn.width)} px in a ${Math.round(box.width)} px box`);
    }
    if (box.left < -1 || box.right > screen + 1) {
        problems.push(`${name}: box ${Math.round(box.left)}..${Math.round(box.right)} off a ${screen} px screen`);
    }
    const texts = gd.querySelectorAll(
        '.gtitle, .annotation-text, .legendtext, .g-xtitle text, .g-ytitle text, .colorbar .cbtitle text'
    );
    texts.forEach(el => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || !el.textContent.trim()) { return; }
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
            || r.bottom > box.bottom + 1) {
            problems.push(`${name}: '${el.textContent.slice(0, 50)}' cut (${Math.round(r.left)}..${Math.round(r.right)} in ${Math.round(box.left)}..${Math.round(box.right)})`);
        }
    });
    // Point labels (a scatter's topic names) stay inside the chart and apart from each
    // other and from the colour bar; neighbouring tick labels of one axis do not touch.
    const rectOf = el => el.getBoundingClientRect();
    const shown = els => [...els].filter(el => el.textContent.trim() && rectOf(el).width > 0);
    const labels = shown(gd.querySelectorAll('.textpoint text'));
    const bar = gd.querySelector('.colorbar');
    const barBox = bar ? rectOf(bar) : null;
    labels.forEach((el, i) => {
        const r = rectOf(el);
        if (r.left < box.left - 1 || r.right > box.right + 1) {
            problems.push(`${name}: label '${el.textContent}' cut (${Math.round(r.left)}..${Math.round(r.right)} in ${Math.round(box.left)}..${Math.round(box.right)})`);
        }
        if (barBox && barBox.width > 0 && r.left < barBox.right && barBox.left < r.right
            && r.top < barBox.bottom && barBox.top < r.bottom) {
            problems.push(`${name}: label '${el.textContent}' runs into the colour bar`);
        }
        labels.slice(i + 1).forEach(other => {
            const o = rectOf(other);
            if (Math.min(r.right, o.right) - Math.max(r.left, o.left) > 1
                && Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top) > 1) {
                problems.push(`${name}: label '${el.textContent}' overlaps '${other.textContent}'`);
            }
        });
    });
    ['.xtick text', '.ytick text'].forEach(selector => {
        const ticks = shown(gd.querySelectorAll(selector)).map(el => [el.textContent, rectOf(el)]);
        ticks.forEach(([a, ra], i) => ticks.slice(i + 1).forEach(([b, rb]) => {
            if (Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left) > -2
                && Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > -2) {
                problems.push(`${name}: tick labels '${a}' and '${b}' touch`);
            }
        }));
    });
    const notes = [...gd.querySelectorAll('.annotation, .gtitle')]
        .map(el => [el.textContent, el.getBoundingClientRect()])
        .filter(([text, r]) => text.trim() && r.width > 0);
    notes.forEach(([a, ra], i) => notes.slice(i + 1).forEach(([b, rb]) => {
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 2 && h > 2) { problems.push(`${name}: '${a.slice(0, 30)}' overlaps '${b.slice(0, 30)}'`); }
    }));
});
return JSON.stringify(problems);
