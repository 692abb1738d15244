/* Charts on phones: nothing a chart writes is cut at its edges.
 *
 * plotly never wraps text: a title, the synthetic-data label, a legend entry or an axis
 * caption longer than a 390 px screen is cut by the chart's edge, and the Overview bar
 * chart's 260 px left margin for topic names leaves no room for the bars. Below NARROW
 * pixels of chart width, each drawn chart is laid out again for its width: texts wrapped
 * into lines that fit (measured with the chart's own font), the notes above the plot
 * stacked under the title instead of on top of each other, the legend under the plot, long
 * category labels wrapped and the margins grown to hold all of it. Wider again, the chart
 * gets its own layout back. Only the drawing changes: the figure Dash holds (and every
 * download) is untouched.
 */
(function () {
    "use strict";

    var NARROW = 600;
    var PAD = 6;
    var MODEBAR = 36;
    var MIN_PLOT = 240;  // px: the least plot height a phone chart keeps
    var CANADA_SPAN = (141.01 - 52.61) * Math.PI / 180;  // radians of longitude (maps.py)
    var state = new WeakMap();  // graph div -> {layout: original layout, names: [...], key}
    var canvas = document.createElement("canvas");

    function fontOf(gd, font) {
        var base = (gd._fullLayout && gd._fullLayout.font) || {};
        var size = (font && font.size) || base.size || 12;
        var family = (font && font.family) || base.family || "sans-serif";
        return { size: size, css: size + "px " + family };
    }

    function measure(text, css) {
        var ctx = canvas.getContext("2d");
        ctx.font = css;
        return ctx.measureText(String(text).replace(/<[^>]+>/g, "")).width;
    }

    /* Greedy word wrap of each <br> line so that every line is at most `width` px wide. */
    function wrap(text, width, css) {
        if (text === undefined || text === null || text === "") { return text; }
        return String(text).split(/<br\s*\/?>/i).map(function (line) {
            var words = line.split(" ");
            var lines = [];
            var current = "";
            words.forEach(function (word) {
                var candidate = current ? current + " " + word : word;
                if (current && measure(candidate, css) > width) {
                    lines.push(current);
                    current = word;
                } else {
                    current = candidate;
                }
            });
            if (current) { lines.push(current); }
            return lines.join("<br>");
        }).join("<br>");
    }

    function lines(text) {
        return text ? String(text).split(/<br\s*\/?>/i).length : 0;
    }

    function clone(value) { return value === undefined ? undefined : JSON.parse(JSON.stringify(value)); }

    function titleText(title) {
        if (title === undefined || title === null) { return ""; }
        return typeof title === "string" ? title : (title.text || "");
    }

    var SIDES = ["top center", "bottom center", "middle right", "middle left",
        "top left", "top right", "bottom left", "bottom right"];

    /* Where a label of `w` x `h` px goes on `side` of a point at (x, y) (pixels from the
       plot's bottom left corner): [left, bottom, right, top]. */
    function sideBox(x, y, w, h, side, marker) {
        var off = marker / 2 + 4;
        if (side === "top center") { return [x - w / 2, y + off, x + w / 2, y + off + h]; }
        if (side === "bottom center") { return [x - w / 2, y - off - h, x + w / 2, y - off]; }
        if (side === "middle right") { return [x + off, y - h / 2, x + off + w, y + h / 2]; }
        if (side === "middle left") { return [x - off - w, y - h / 2, x - off, y + h / 2]; }
        // the corners: plotly draws the text past the marker's side, above or below it
        var left = side.slice(-4) === "left" ? x - off - w : x + off - marker / 2;
        var right = left + w + marker / 2;
        return side.slice(0, 3) === "top" ? [left, y + off / 2, right, y + off / 2 + h]
            : [left, y - off / 2 - h, right, y - off / 2];
    }

    function crosses(a, b) { return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]; }

    /* One axis value -> pixels along a plot side of `size` px, from the axis as drawn. */
    function toPixels(axis, size) {
        var range = axis.range || [0, 1];
        var log = axis.type === "log";
        return function (value) {
            var v = log ? Math.log10(value) : value;
            return size * (v - range[0]) / ((range[1] - range[0]) || 1);
        };
    }

    /* The scatter's topic labels placed again for the plot as a phone draws it (the figure's
       placement, labels.py, is for the desktop plot): best score first, each on the first
       side of its point that covers no other label, point or note inside the plot and
       stays inside it; a label with no free side is left to the hover and the table. */
    function placeLabels(gd, trace, candidates, plotW, plotH, notes) {
        var full = gd._fullLayout;
        var font = fontOf(gd, trace.textfont);
        var height = font.size * 1.3;
        var marker = (trace.marker && typeof trace.marker.size === "number") ? trace.marker.size : 6;
        var px = toPixels(full.xaxis, plotW);
        var py = toPixels(full.yaxis, plotH);
        var points = (trace.x || []).map(function (x, i) { return [px(x), py(trace.y[i])]; });
        var taken = points.map(function (p) {
            return [p[0] - marker / 2, p[1] - marker / 2, p[0] + marker / 2, p[1] + marker / 2];
        }).concat(notes);
        var texts = [];
        var sides = [];
        candidates.forEach(function (text, i) {
            var chosen = null;
            if (text && points[i]) {
                var width = measure(text, font.css) + 2;
                SIDES.some(function (side) {
                    var box = sideBox(points[i][0], points[i][1], width, height, side, marker);
                    var inside = box[0] >= 0 && box[2] <= plotW && box[1] >= 0 && box[3] <= plotH;
                    var free = inside && !taken.some(function (other, j) {
                        return j !== i && crosses(box, other);
                    });
                    if (free) { chosen = [side, box]; }
                    return free;
                });
            }
            texts.push(chosen ? text : "");
            sides.push(chosen ? chosen[0] : "top center");
            if (chosen) { taken.push(chosen[1]); }
        });
        return { text: texts, textposition: sides };
    }

    /* The pixel box of a note drawn inside the plot (a quadrant's name in its corner). */
    function noteBox(gd, note, plotW, plotH) {
        var font = fontOf(gd, note.font);
        var w = Math.max.apply(null, String(note.text).split(/<br\s*\/?>/i).map(function (line) {
            return measure(line, font.css);
        })) + 4;
        var h = lines(note.text) * font.size * 1.3 + 4;
        var x = (note.x === undefined ? 0.5 : note.x) * plotW;
        var y = (note.y === undefined ? 0.5 : note.y) * plotH;
        var left = note.xanchor === "right" ? x - w : (note.xanchor === "left" ? x : x - w / 2);
        var bottom = note.yanchor === "top" ? y - h : (note.yanchor === "bottom" ? y : y - h / 2);
        return [left, bottom, left + w, bottom + h];
    }

    function narrowLayout(gd, known) {
        var original = known.layout;
        var names = known.names;
        var drawnLeft = known.left;
        var full = gd._fullLayout;
        var width = full.width;
        var margin = clone(original.margin) || {};
        var left = drawnLeft || 30;
        var right = Math.min(margin.r === undefined ? 80 : margin.r, 20);
        var update = {};
        var traces = { name: [] };
        var textWidth = width - 2 * PAD - 8;

        // Category labels (the Overview bars): wrapped to under two fifths of the chart.
        var bars = gd.data.filter(function (t) { return t.type === "bar" && t.orientation === "h"; });
        if (bars.length) {
            var labels = bars[0].y || [];
            var tickFont = fontOf(gd, original.yaxis && original.yaxis.tickfont);
            var room = Math.floor(width * 0.38);
            var ticktext = labels.map(function (label) { return wrap(label, room, tickFont.css); });
            update["yaxis.tickmode"] = "array";
            update["yaxis.tickvals"] = labels;
            update["yaxis.ticktext"] = ticktext;
            left = drawnLeft || Math.ceil(Math.max.apply(null, ticktext.map(function (label) {
                return Math.max.apply(null, String(label).split("<br>").map(function (line) {
                    return measure(line, tickFont.css);
                }));
            }).concat([20]))) + 12;
        }
        var plotWidth = width - left - right;

        // The title and the notes above the plot become one stack of wrapped, left-aligned
        // notes (plotly cannot wrap its title, and mis-places a title of several lines);
        // the mode bar keeps the first MODEBAR pixels.
        var annotations = (clone(original.annotations) || []).filter(function (note) {
            return note.text;
        });
        var stack = [];
        var insideNotes = [];
        var below = 0;
        annotations.forEach(function (note) {
            var paper = note.xref === "paper" && note.yref === "paper";
            // A label drawn inside the plot (a quadrant's name in its corner) stays where it
            // is, wrapped to the plot: it names a place in the data, not the chart.
            var y = note.y === undefined ? 0.5 : note.y;
            var inside = (y > 0 && y < 1) || (y === 0 && note.yanchor === "bottom")
                || (y === 1 && note.yanchor === "top");
            if (!paper || inside) {
                note.text = wrap(note.text, plotWidth - 8, fontOf(gd, note.font).css);
                if (paper) { insideNotes.push(note); }
                return;
            }
            var font = fontOf(gd, note.font);
            note.text = wrap(note.text, textWidth, font.css);
            note.x = 0;
            note.xanchor = "left";
            note.align = "left";
            note.xshift = -left + PAD;
            if (note.y >= 1) {
                stack.push({ note: note, font: font });
            } else if (note.y <= 0) {
                // Notes under the plot: one under the other, under the x axis as drawn.
                var height = lines(note.text) * font.size * 1.3 + 4;
                if (known.plotH) {
                    note.y = -(known.axisBottom + 10 + below) / known.plotH;
                    note.yanchor = "top";
                }
                below += height;
            }
        });
        // The y axis's caption: a line above the plot instead of a vertical one beside it
        // (a vertical caption longer than a phone's plot is cut, and takes its width).
        var yCaption = titleText(original.yaxis && original.yaxis.title);
        if (yCaption && !bars.length) {
            var captionFont = fontOf(gd, (original.yaxis.title.font) || { size: 12 });
            var caption = {
                text: wrap(yCaption, textWidth, captionFont.css), xref: "paper", yref: "paper",
                x: 0, xanchor: "left", align: "left", xshift: -left + PAD, showarrow: false,
                font: original.yaxis.title.font || { size: 12, color: "#444" },
            };
            annotations.push(caption);
            stack.unshift({ note: caption, font: captionFont });
            update["yaxis.title.text"] = "";
        }
        var title = titleText(original.title);
        if (title) {
            var titleFont = fontOf(gd, (original.title && original.title.font) || { size: 16 });
            var heading = {
                text: wrap(title, textWidth, titleFont.css), xref: "paper", yref: "paper",
                x: 0, xanchor: "left", align: "left", xshift: -left + PAD, showarrow: false,
                font: (original.title && original.title.font) || { size: 16 },
            };
            annotations.push(heading);
            stack.push({ note: heading, font: titleFont });
            update["title.text"] = "";
        }
        var above = 4;
        stack.forEach(function (item) {
            var note = item.note;
            note.y = 1;
            note.yanchor = "bottom";
            note.yshift = above;
            above += lines(note.text) * item.font.size * 1.3 + 4 + 2 * (note.borderpad || 1)
                + 2 * (note.borderwidth || 0);
        });
        update.annotations = annotations;
        margin.t = Math.ceil(above + MODEBAR);
        update["xaxis.automargin"] = true;
        // The chart grows by what the wrapping added above it, so its plot keeps its height;
        // and, once drawn (second pass), by what a plot squeezed under MIN_PLOT pixels by
        // the legend or notes under it lacks, and what its legend scrolled (a legend of eight
        // wrapped entries left the search-interest plot 75 px tall).
        var before = (original.margin && original.margin.t) || 100;
        var grown = Math.max(0, margin.t - before);
        if (known.plotH && !bars.length) {
            // a legend taller than plotly lets it be scrolls in its box: give it its height
            var legend = full.legend || {};
            var scrolled = legend._height && legend._effHeight
                ? Math.max(0, legend._height - legend._effHeight) : 0;
            grown += scrolled + Math.max(0, MIN_PLOT - known.plotH);
        }
        if (original.height) {
            update.height = original.height + grown + (bars.length ? 40 : 0);
        } else if (grown > 0 && known.boxHeight) {
            update.height = known.boxHeight + grown;
            update.autosize = true;  // a given height turns plotly's autosize off: keep the width's
        }

        var xCaption = titleText(original.xaxis && original.xaxis.title);
        if (xCaption) {
            update["xaxis.title.text"] = wrap(xCaption, plotWidth - 8,
                fontOf(gd, original.xaxis.title.font).css);
        }

        // A colour bar beside the plot took a fifth of a phone's width: a thin one, its
        // title above it, keeps the plot as wide as it can be.
        if (original.coloraxis && original.coloraxis.colorbar) {
            update["coloraxis.colorbar.thickness"] = 10;
            update["coloraxis.colorbar.xpad"] = 4;
            update["coloraxis.colorbar.title.side"] = "top";
            update["coloraxis.colorbar.tickfont.size"] = 10;
        }

        // Point labels placed again for this plot's size (measured on the second pass).
        var candidates = gd.data.map(function (t) { return t.meta && t.meta.label_candidates; });
        if (candidates.some(Boolean) && full.xaxis && full.yaxis) {
            var plotW = known.plotH ? full._size.w : plotWidth;
            var plotH = known.plotH || (full._size && full._size.h) || 300;
            var notes = insideNotes.map(function (note) { return noteBox(gd, note, plotW, plotH); });
            traces.text = [];
            traces.textposition = [];
            gd.data.forEach(function (trace, i) {
                var placed = candidates[i]
                    ? placeLabels(gd, trace, candidates[i], plotW, plotH, notes)
                    : { text: known.texts[i], textposition: known.positions[i] };
                traces.text.push(placed.text);
                traces.textposition.push(placed.textposition);
            });
        }

        // Legend under the plot, entries wrapped to the chart's width.
        var legendFont = fontOf(gd, original.legend && original.legend.font);
        update["legend.orientation"] = "h";
        update["legend.x"] = 0;
        update["legend.xanchor"] = "left";
        // (xref "container" would make the legend push the side margins by its own width)
        update["legend.xref"] = "paper";
        update["legend.y"] = known.plotH
            ? -(known.axisBottom + 10 + below) / known.plotH
            : ((original.legend && original.legend.y < 0) ? original.legend.y : -0.12);
        update["legend.yanchor"] = "top";
        names.forEach(function (name) {
            traces.name.push(name ? wrap(name, plotWidth + right - 50, legendFont.css) : name);
        });

        margin.l = left;
        margin.r = right;
        update["yaxis.automargin"] = !bars.length;

        // A map zoomed to fit Canada's height is wider than a phone: zoom out to its width.
        if (original.map && original.map.zoom !== undefined && full._size) {
            var fitWidth = Math.log2(full._size.w * 0.95 * 2 * Math.PI / (512 * CANADA_SPAN));
            update["map.zoom"] = Math.min(original.map.zoom, fitWidth);
        }
        margin.b = Math.max(margin.b === undefined ? 80 : margin.b, 40 + below);
        update.margin = margin;
        return { layout: update, traces: traces };
    }

    function wideLayout(original) {
        var update = {
            "title": clone(original.title) || "",
            "annotations": clone(original.annotations) || [],
            "legend": clone(original.legend) || {},
            "margin": clone(original.margin) || {},
            "height": original.height === undefined ? null : original.height,
            "autosize": original.autosize === undefined ? null : original.autosize,
            "map.zoom": original.map && original.map.zoom,
            "xaxis.automargin": original.xaxis && original.xaxis.automargin,
            "xaxis.title": clone(original.xaxis && original.xaxis.title) || "",
            "yaxis.title": clone(original.yaxis && original.yaxis.title) || "",
            "yaxis.tickmode": original.yaxis && original.yaxis.tickmode,
            "yaxis.tickvals": original.yaxis && original.yaxis.tickvals,
            "yaxis.ticktext": original.yaxis && original.yaxis.ticktext,
            "yaxis.automargin": original.yaxis && original.yaxis.automargin,
        };
        if (original.coloraxis) {
            update["coloraxis.colorbar"] = clone(original.coloraxis.colorbar) || {};
        }
        return update;
    }

    function full_height(gd) {
        return (gd._fullLayout && gd._fullLayout.height) || gd.getBoundingClientRect().height;
    }

    function fit(gd) {
        if (!gd._fullLayout || !gd.layout || !window.Plotly) { return; }
        var known = state.get(gd);
        if (!known || known.layoutObject !== gd.layout || known.dataObject !== gd.data) {
            // A new figure from Dash: remember its own texts.
            known = {
                left: 0,
                boxHeight: 0,
                plotH: 0,
                axisBottom: 0,
                layout: clone(gd.layout),
                names: gd.data.map(function (t) { return t.name; }),
                texts: gd.data.map(function (t) { return clone(t.text); }),
                positions: gd.data.map(function (t) { return clone(t.textposition); }),
                layoutObject: gd.layout,
                dataObject: gd.data,
                key: "wide",
            };
            state.set(gd, known);
        }
        if (gd._fullLayout.geo || !gd.data.length) { return; }
        var width = gd._fullLayout.width;
        var key = width < NARROW ? "narrow:" + width : "wide";
        if (known.key === key) { return; }
        var previous = known.key;
        known.key = key;
        if (previous !== "again") { known.left = 0; known.plotH = 0; }
        var indices = gd.data.map(function (_, i) { return i; });
        if (key === "wide") {
            if (previous === "wide") { return; }
            var wideBox = gd.closest(".dash-graph");
            if (wideBox && wideBox.dataset.credtrendsHeight) {
                wideBox.style.height = wideBox.dataset.credtrendsStyle;
                delete wideBox.dataset.credtrendsHeight;
                delete wideBox.dataset.credtrendsStyle;
            }
            window.Plotly.update(gd, { name: known.names, text: known.texts,
                textposition: known.positions }, wideLayout(known.layout), indices);
            return;
        }
        // The box's own height is kept on the box: a new figure must not grow it again.
        var box = gd.closest(".dash-graph");
        if (box && !known.layout.height) {
            if (!box.dataset.credtrendsHeight) {
                box.dataset.credtrendsHeight = String(full_height(gd));
                box.dataset.credtrendsStyle = box.style.height || "";
            }
            known.boxHeight = Number(box.dataset.credtrendsHeight);
        }
        var narrow = narrowLayout(gd, known);
        if (box && narrow.layout.height && !known.layout.height) {
            // The box of a chart without a height of its own has one in CSS: grow it too.
            box.style.height = narrow.layout.height + "px";
        }
        window.Plotly.update(gd, narrow.traces, narrow.layout, indices).then(function () {
            // Second and last pass, from what was drawn: the notes are placed from the plot's
            // left edge, which plotly's automatic margin may have moved; the legend goes
            // under the x axis's labels and caption, whose height only the drawing knows.
            if (previous === "again" || !gd._fullLayout || !gd._fullLayout._size) { return; }
            var size = gd._fullLayout._size;
            var top = gd.getBoundingClientRect().top;
            var bottom = size.t + size.h;
            gd.querySelectorAll(".xtick text, .g-xtitle text").forEach(function (el) {
                bottom = Math.max(bottom, el.getBoundingClientRect().bottom - top);
            });
            known.left = Math.round(size.l);
            known.axisBottom = bottom - size.t - size.h;
            known.plotH = size.h;
            known.key = "again";
            fit(gd);
        });
    }

    function hook(gd) {
        if (gd._credtrendsPhone || typeof gd.on !== "function") { return; }
        gd._credtrendsPhone = true;
        // Never inside plotly's own drawing: a relayout from its afterplot event breaks it.
        var pending = false;
        var later = function () {
            if (pending) { return; }
            pending = true;
            window.setTimeout(function () { pending = false; fit(gd); }, 0);
        };
        gd.on("plotly_afterplot", later);
        later();
    }

    var scheduled = false;
    function scan() {
        scheduled = false;
        document.querySelectorAll(".js-plotly-plot").forEach(hook);
    }
    new MutationObserver(function () {
        if (!scheduled) { scheduled = true; window.requestAnimationFrame(scan); }
    }).observe(document.documentElement, { subtree: true, childList: true });
}());
