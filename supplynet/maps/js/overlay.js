/* supplynet map, part 3 of 4: what must never be cut by a tile edge, on one overlay canvas.
 *
 * Highlight layers, the min cuts, what a what-if struck (crossed out), the key nodes, the
 * ranked points' call-outs and the labels, redrawn when the view settles. Call-outs and
 * labels are placed greedily so that no two boxes meet: call-outs first, by rank, each at
 * the first free spot on rings of growing distance around its point (with a leader line),
 * then labels beside their node (sources and sinks may move out on a leader line too).
 * Nothing is placed over the title box, the legend or a map control, or over a key node.
 */
(function () {
"use strict";
var SN = window.SN;
var PAD = 0.1;            // the canvas reaches this share of the view beyond each side
var MAX_LABELS = 40;      // beyond the ones that must be shown (fewer where nodes cluster)
var MAX_TEXT = 30;        // characters of a label before it is shortened
var CALLOUT_H = 20, LABEL_H = 14;
var FONT = "12px system-ui, sans-serif", BOLD = "bold 12px system-ui, sans-serif";
var DIRS = [-45, 0, -90, 45, -135, 90, 180, 135, -22.5, -67.5, 22.5, 67.5, -112.5, -157.5, 112.5, 157.5];
var RINGS = [8, 18, 30, 44, 60, 78, 98, 120, 145, 172, 200, 235, 275];

function shorten(s) { s = String(s); return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT - 1) + "\u2026" : s; }

/* Boxes already placed, in a 64 px grid, to test a new one against. */
function Boxes() { this.cells = new Map(); this.list = []; }
Boxes.prototype.key = function (cx, cy) { return cx * 100003 + cy; };
Boxes.prototype.add = function (b) {
  var id = this.list.length; this.list.push(b);
  for (var cy = Math.floor(b[1] / 64); cy <= Math.floor(b[3] / 64); cy++)
    for (var cx = Math.floor(b[0] / 64); cx <= Math.floor(b[2] / 64); cx++) {
      var k = this.key(cx, cy), l = this.cells.get(k);
      if (!l) this.cells.set(k, l = []);
      l.push(id);
    }
};
Boxes.prototype.hits = function (b) {
  for (var cy = Math.floor(b[1] / 64); cy <= Math.floor(b[3] / 64); cy++)
    for (var cx = Math.floor(b[0] / 64); cx <= Math.floor(b[2] / 64); cx++) {
      var l = this.cells.get(this.key(cx, cy));
      if (!l) continue;
      for (var j = 0; j < l.length; j++) {
        var o = this.list[l[j]];
        if (b[0] < o[2] && b[2] > o[0] && b[1] < o[3] && b[3] > o[1]) return true;
      }
    }
  return false;
};

function meets(a, b) { return a[0] < b[2] && a[2] > b[0] && a[1] < b[3] && a[3] > b[1]; }

SN.Overlay = L.Layer.extend({
  initialize: function (net, state) {
    this.net = net; this.state = state; this.stats = {}; this.placed = []; this.discs = [];
  },

  onAdd: function (map) {
    var c = this._canvas = L.DomUtil.create("canvas", "leaflet-zoom-animated sn-overlay");
    this._ctx = c.getContext("2d");
    map.getPane(this.options.pane || "overlayPane").appendChild(c);
    this._reset();
  },
  onRemove: function () { L.DomUtil.remove(this._canvas); },
  getEvents: function () {
    var ev = {viewreset: this._reset, zoom: this._onZoom, moveend: this._reset, resize: this._reset};
    if (this._zoomAnimated) ev.zoomanim = this._onAnimZoom;
    return ev;
  },
  _onAnimZoom: function (ev) { this._updateTransform(ev.center, ev.zoom); },
  _onZoom: function () { this._updateTransform(this._map.getCenter(), this._map.getZoom()); },
  _updateTransform: function (center, zoom) {  // as L.Renderer does, so the canvas follows a zoom
    var map = this._map, scale = map.getZoomScale(zoom, this._zoom),
      viewHalf = map.getSize().multiplyBy(0.5 + PAD),
      currentCenterPoint = map.project(this._center, zoom),
      topLeftOffset = viewHalf.multiplyBy(-scale).add(currentCenterPoint).subtract(map._getNewPixelOrigin(center, zoom));
    if (L.Browser.any3d) L.DomUtil.setTransform(this._canvas, topLeftOffset, scale);
    else L.DomUtil.setPosition(this._canvas, topLeftOffset);
  },

  redraw: function () { if (this._map) this._reset(); return this; },

  /* Container pixel of a zoom-0 position (the canvas' origin is at container pixel cx, cy). */
  toContainer: function (wx, wy) { var tr = this._tr; return [wx * tr.s + tr.ox + tr.cx, wy * tr.s + tr.oy + tr.cy]; },

  _reset: function () {
    var map = this._map, t0 = SN.now(), size = map.getSize();
    var min = map.containerPointToLayerPoint(size.multiplyBy(-PAD)).round();
    var w = Math.round(size.x * (1 + 2 * PAD)), h = Math.round(size.y * (1 + 2 * PAD));
    this._center = map.getCenter(); this._zoom = map.getZoom();
    var c = this._canvas, r = window.devicePixelRatio || 1;
    L.DomUtil.setPosition(c, min);
    if (c.width !== Math.round(w * r) || c.height !== Math.round(h * r)) {
      c.width = Math.round(w * r); c.height = Math.round(h * r); c.style.width = w + "px"; c.style.height = h + "px";
    }
    var ctx = this._ctx;
    ctx.setTransform(r, 0, 0, r, 0, 0);
    ctx.clearRect(0, 0, w, h);
    var s = map.getZoomScale(this._zoom, 0), po = map.getPixelOrigin();
    var origin = map.layerPointToContainerPoint(min);  // the canvas' top left, in container pixels
    this._tr = {s: s, ox: -po.x - min.x, oy: -po.y - min.y, w: w, h: h, cx: origin.x, cy: origin.y};
    this._view = [-this._tr.ox / s, -this._tr.oy / s, (w - this._tr.ox) / s, (h - this._tr.oy) / s];
    this._drawEdges(ctx);
    this._drawNodes(ctx);
    this._place(ctx);
    this.stats.overlayMs = SN.now() - t0;
    this.stats.zoom = this._zoom;
    this.fire("drawn");
  },

  _inView: function (wx, wy, margin) {
    var v = this._view, m = margin / this._tr.s;
    return wx >= v[0] - m && wx <= v[2] + m && wy >= v[1] - m && wy <= v[3] + m;
  },

  _segInView: function (s) {
    var b = this.net.box, v = this._view;
    return !(b[2][s] < v[0] || b[0][s] > v[2] || b[3][s] < v[1] || b[1][s] > v[3]);
  },

  _arcPath: function (ctx, arcs) {
    var net = this.net, tr = this._tr, drawn = 0;
    ctx.beginPath();
    for (var j = 0; j < arcs.length; j++) {
      var s = net.arcSeg[arcs[j]];
      if (!this.state.modeOn[net.arrays.seg_mode[s]] || !this._segInView(s)) continue;
      SN.segmentPath(ctx, net, tr, s); drawn++;
    }
    return drawn;
  },

  _drawEdges: function (ctx) {
    var net = this.net, A = net.arrays, st = this.state, self = this;
    this.stats.struckEdges = 0; this.stats.cutEdges = 0;
    ctx.lineCap = "butt"; ctx.lineJoin = "round";
    // highlight layers: wide translucent lines under the cut
    for (var l = 0; l + 1 < A.ex_aoff.length; l++) {
      if (!st.extraOn[l]) continue;
      var arcs = A.ex_arcs.subarray(A.ex_aoff[l], A.ex_aoff[l + 1]);
      if (!arcs.length) continue;
      this._arcPath(ctx, arcs);
      ctx.globalAlpha = 0.7; ctx.strokeStyle = net.palette.extra[l]; ctx.lineWidth = 7; ctx.setLineDash([]); ctx.stroke();
    }
    ctx.globalAlpha = 1;
    if (st.edgeCut && net.cutArcs.length) {
      this.stats.cutEdges = this._arcPath(ctx, net.cutArcs);
      ctx.globalAlpha = 0.9; ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 5.5; ctx.setLineDash([]); ctx.stroke();
      ctx.globalAlpha = 1; ctx.strokeStyle = net.palette.cut; ctx.lineWidth = 3; ctx.setLineDash([8, 5]); ctx.stroke();
    }
    if (st.struck && net.struckArcs.length) {
      this.stats.struckEdges = this._arcPath(ctx, net.struckArcs);
      ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 5; ctx.setLineDash([]); ctx.stroke();
      ctx.strokeStyle = net.palette.struck; ctx.lineWidth = 2; ctx.setLineDash([3, 3]); ctx.stroke();
      ctx.setLineDash([]);
      // a cross halfway along each struck edge
      ctx.beginPath();
      net.struckArcs.forEach(function (a) {
        var s = net.arcSeg[a];
        if (!st.modeOn[A.seg_mode[s]] || !self._segInView(s)) return;
        var m = self._segMid(s), x = m[0], y = m[1];
        ctx.moveTo(x - 5, y - 5); ctx.lineTo(x + 5, y + 5); ctx.moveTo(x + 5, y - 5); ctx.lineTo(x - 5, y + 5);
      });
      ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 5; ctx.stroke();
      ctx.strokeStyle = net.palette.struck; ctx.lineWidth = 2.2; ctx.stroke();
    }
    ctx.setLineDash([]);
  },

  /* The canvas point halfway along a segment's drawn line. */
  _segMid: function (s) {
    var net = this.net, A = net.arrays, tr = this._tr, pts = [[net.wx[A.seg_a[s]], net.wy[A.seg_a[s]]]], q;
    for (q = A.geo_off[s]; q < A.geo_off[s + 1]; q++) pts.push([net.gx[q], net.gy[q]]);
    pts.push([net.wx[A.seg_b[s]], net.wy[A.seg_b[s]]]);
    var total = 0, lens = [];
    for (q = 0; q + 1 < pts.length; q++) { lens.push(Math.hypot(pts[q + 1][0] - pts[q][0], pts[q + 1][1] - pts[q][1])); total += lens[q]; }
    var half = total / 2;
    for (q = 0; q < lens.length; q++) {
      if (half <= lens[q] || q === lens.length - 1) {
        var t = lens[q] ? half / lens[q] : 0;
        return [(pts[q][0] + t * (pts[q + 1][0] - pts[q][0])) * tr.s + tr.ox, (pts[q][1] + t * (pts[q + 1][1] - pts[q][1])) * tr.s + tr.oy];
      }
      half -= lens[q];
    }
    return [pts[0][0] * tr.s + tr.ox, pts[0][1] * tr.s + tr.oy];
  },

  _drawNodes: function (ctx) {
    var net = this.net, A = net.arrays, st = this.state, tr = this._tr, self = this, keys = net.keys;
    var plain = [], struck = [], discs = this.discs = [];
    for (var j = 0; j < keys.length; j++) {
      var i = keys[j];
      if (!st.typeOn[A.ntype[i]] || !this._inView(net.wx[i], net.wy[i], 20)) continue;
      if (A.nflags[i] & SN.F.removed) { if (st.struck) struck.push(i); } else plain.push(i);
    }
    // struck nodes that are not key nodes are shown too: a what-if must be seen
    if (st.struck) net.struckNodes.forEach(function (i) {
      if (!(A.nflags[i] & SN.F.key) && st.typeOn[A.ntype[i]] && self._inView(net.wx[i], net.wy[i], 20)) struck.push(i);
    });
    SN.drawNodeList(ctx, net, tr, plain, st);
    var disc = function (i, extra) {
      var x = net.wx[i] * tr.s + tr.ox, y = net.wy[i] * tr.s + tr.oy, r = A.nrad[i] / 4 + extra;
      discs.push([x - r, y - r, x + r, y + r, i]);
      return [x, y, r];
    };
    plain.forEach(function (i) { disc(i, 2); });
    this.stats.keyNodes = plain.length;
    // struck: hollow and crossed out
    this.stats.struckNodes = struck.length;
    struck.forEach(function (i) {
      var p = disc(i, Math.max(2, 9 - A.nrad[i] / 4)), x = p[0], y = p[1], r = p[2] - 2, d = r + 2;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fillStyle = "#ffffff"; ctx.fill(); ctx.lineWidth = 1.2; ctx.strokeStyle = "#777777"; ctx.stroke();
      ctx.beginPath(); ctx.moveTo(x - d, y - d); ctx.lineTo(x + d, y + d); ctx.moveTo(x + d, y - d); ctx.lineTo(x - d, y + d);
      ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 5; ctx.stroke();
      ctx.strokeStyle = net.palette.struck; ctx.lineWidth = 2.5; ctx.stroke();
    });
    // rings: the min node cut (dashed), then each highlight layer, one ring further out each
    var ring = function (i, r0, color, width, dash) {
      var x = net.wx[i] * tr.s + tr.ox, y = net.wy[i] * tr.s + tr.oy, r = A.nrad[i] / 4 + r0;
      ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash); ctx.stroke();
    };
    if (st.nodeCut) net.cutNodes.forEach(function (i) {
      if (st.typeOn[A.ntype[i]] && self._inView(net.wx[i], net.wy[i], 30)) ring(i, 4.5, net.palette.cut, 2.2, [3, 2]);
    });
    ctx.setLineDash([]);
    for (var l = 0; l + 1 < A.ex_noff.length; l++) {
      if (!st.extraOn[l]) continue;
      for (var q = A.ex_noff[l]; q < A.ex_noff[l + 1]; q++) {
        var i2 = A.ex_nodes[q], level = SN.layersOf(net, "n", i2).indexOf(l);
        if (level < 4 && self._inView(net.wx[i2], net.wy[i2], 40)) ring(i2, 8 + 3.5 * level, net.palette.extra[l], 2.5, []);
      }
    }
    ctx.setLineDash([]);
  },

  // ---------------------------------------------------------------- call-outs and labels
  /* The boxes nothing may be placed over: the side panel's boxes and the map's controls. */
  _blocked: function () {
    var map = this._map, tr = this._tr, rect = map.getContainer().getBoundingClientRect(), out = [];
    var sel = "#sn-title, #sn-legend, .leaflet-control";
    document.querySelectorAll(sel).forEach(function (el) {
      var b = el.getBoundingClientRect();
      if (!b.width || !b.height) return;
      var x0 = b.left - rect.left - tr.cx, y0 = b.top - rect.top - tr.cy;
      out.push([x0 - 4, y0 - 4, x0 + b.width + 4, y0 + b.height + 4]);
    });
    return out;
  },

  /* Canvas box of the visible part of the map (the view, inside the canvas). */
  _viewRect: function () {
    var size = this._map.getSize(), tr = this._tr;
    return [-tr.cx + 2, -tr.cy + 2, -tr.cx + size.x - 2, -tr.cy + size.y - 2];
  },

  _free: function (b, placed, blocked, discs) {
    var v = this._vb;
    if (b[0] < v[0] || b[1] < v[1] || b[2] > v[2] || b[3] > v[3] || placed.hits(b)) return false;
    for (var k = 0; k < blocked.length; k++) if (meets(b, blocked[k])) return false;
    return !discs.hits(b);
  },

  /* The first free box of size w x h on rings around (x, y), clear of radius r0. */
  _spot: function (x, y, r0, w, h, placed, blocked, discs, rings) {
    for (var ri = 0; ri < rings.length; ri++) {
      for (var di = 0; di < DIRS.length; di++) {
        var a = DIRS[di] * Math.PI / 180, ca = Math.cos(a), sa = Math.sin(a), d = r0 + rings[ri];
        // the box touches the point at distance d in direction a, on its near side
        var cx = x + ca * d + (Math.abs(ca) < 0.2 ? 0 : Math.sign(ca) * w / 2);  // above or below: centred
        var cy = y + sa * d + (Math.abs(sa) < 0.2 ? 0 : Math.sign(sa) * h / 2);
        var b = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
        if (this._free(b, placed, blocked, discs)) return {box: b, ring: ri};
      }
    }
    return null;
  },

  _place: function (ctx) {
    var net = this.net, A = net.arrays, st = this.state, tr = this._tr, self = this;
    var t0 = SN.now(), placed = new Boxes(), discs = new Boxes(), blocked = this._blocked();
    var vb = this._vb = this._viewRect();
    this.discs.forEach(function (d) { discs.add(d); });
    var out = this.placed = [];
    // call-outs of the ranked points, by rank
    if (st.ranks) {
      net.ranks.forEach(function (rk) {
        var p = SN.merc(rk[3], rk[4]), x = p[0] * tr.s + tr.ox, y = p[1] * tr.s + tr.oy;
        if (rk[1] === "n" && !st.typeOn[A.ntype[rk[2]]]) return;
        if (rk[1] === "a" && !st.modeOn[A.arc_mode[rk[2]]]) return;
        if (x < vb[0] || y < vb[1] || x > vb[2] || y > vb[3]) return;
        var text = shorten(rk[1] === "n" ? SN.nodeName(net, rk[2]) : SN.arcName(net, rk[2]));
        var r0 = rk[1] === "n" ? A.nrad[rk[2]] / 4 : 3;
        ctx.font = BOLD;
        var num = String(rk[0]), nw = ctx.measureText(num).width;
        ctx.font = FONT;
        var w = 2 + nw + 8 + 5 + ctx.measureText(text).width + 6;
        var spot = self._spot(x, y, r0, w, CALLOUT_H, placed, blocked, discs, RINGS);
        if (!spot) spot = self._spot(x, y, r0, w, CALLOUT_H, placed, blocked, new Boxes(), RINGS);
        if (!spot) return;
        placed.add(spot.box);
        out.push({kind: "callout", what: rk[1], i: rk[2], rank: rk[0], text: text, box: spot.box, anchor: [x, y], r0: r0});
      });
    }
    // labels: the ones that must show may move out on a leader line; the others sit beside
    if (st.labels) {
      ctx.font = FONT;
      var cand = net.labels, must = net.label_must, shown = 0, most = net.clusters.on ? MAX_LABELS / 2 : MAX_LABELS;
      for (var k = 0; k < cand.length && (k < must || shown < most); k++) {
        var i = cand[k];
        if (!st.typeOn[A.ntype[i]] || ((A.nflags[i] & SN.F.removed) && !st.struck)) continue;
        var x = net.wx[i] * tr.s + tr.ox, y = net.wy[i] * tr.s + tr.oy;
        if (x < vb[0] || y < vb[1] || x > vb[2] || y > vb[3]) continue;
        var text = shorten(SN.nodeName(net, i)), w = ctx.measureText(text).width + 4, r0 = A.nrad[i] / 4 + 1;
        var spot = this._spot(x, y, r0, w, LABEL_H, placed, blocked, discs, k < must ? RINGS : [1]);
        if (!spot) continue;
        placed.add(spot.box);
        out.push({kind: "label", what: "n", i: i, text: text, box: spot.box, anchor: [x, y], r0: r0, must: k < must});
        if (k >= must) shown++;
      }
    }
    this._drawPlaced(ctx, out);
    this.stats.placeMs = SN.now() - t0;
    this.stats.callouts = out.filter(function (o) { return o.kind === "callout"; }).length;
    this.stats.labels = out.length - this.stats.callouts;
  },

  _leader: function (ctx, o) {
    var b = o.box, x = o.anchor[0], y = o.anchor[1];
    var px = Math.max(b[0], Math.min(x, b[2])), py = Math.max(b[1], Math.min(y, b[3]));
    var d = Math.hypot(px - x, py - y);
    if (d <= o.r0 + 3) return;
    var sx = x + (px - x) / d * o.r0, sy = y + (py - y) / d * o.r0;
    ctx.beginPath(); ctx.moveTo(sx, sy); ctx.lineTo(px, py);
    ctx.strokeStyle = "#ffffff"; ctx.lineWidth = 3; ctx.stroke();
    ctx.strokeStyle = "#333333"; ctx.lineWidth = 1; ctx.stroke();
    if (o.what === "a" || o.kind === "callout") {
      ctx.beginPath(); ctx.arc(x, y, o.what === "a" ? 3 : 1.5, 0, 2 * Math.PI); ctx.fillStyle = "#333333"; ctx.fill();
    }
  },

  _drawPlaced: function (ctx, out) {
    var self = this;
    out.forEach(function (o) { self._leader(ctx, o); });
    ctx.textBaseline = "middle"; ctx.lineJoin = "round";
    out.forEach(function (o) {
      var b = o.box, my = (b[1] + b[3]) / 2;
      if (o.kind === "callout") {
        ctx.beginPath();
        if (ctx.roundRect) ctx.roundRect(b[0], b[1], b[2] - b[0], b[3] - b[1], 3); else ctx.rect(b[0], b[1], b[2] - b[0], b[3] - b[1]);
        ctx.fillStyle = "#ffffff"; ctx.fill(); ctx.lineWidth = 1; ctx.strokeStyle = "#1a1a1a"; ctx.stroke();
        ctx.font = BOLD;
        var num = String(o.rank), nw = ctx.measureText(num).width + 8;
        ctx.beginPath();
        if (ctx.roundRect) ctx.roundRect(b[0] + 2, b[1] + 2, nw, b[3] - b[1] - 4, 2); else ctx.rect(b[0] + 2, b[1] + 2, nw, b[3] - b[1] - 4);
        ctx.fillStyle = "#1a1a1a"; ctx.fill();
        ctx.fillStyle = "#ffffff"; ctx.textAlign = "center"; ctx.fillText(num, b[0] + 2 + nw / 2, my + 0.5);
        ctx.font = FONT; ctx.textAlign = "left"; ctx.fillStyle = "#1a1a1a";
        ctx.fillText(o.text, b[0] + 2 + nw + 5, my + 0.5, b[2] - b[0] - nw - 10);
      } else {
        ctx.font = FONT; ctx.textAlign = "left";
        ctx.lineWidth = 3; ctx.strokeStyle = "rgba(255,255,255,0.92)"; ctx.strokeText(o.text, b[0] + 2, my);
        ctx.fillStyle = "#1a1a1a"; ctx.fillText(o.text, b[0] + 2, my);
      }
    });
  },

  /* Container-pixel boxes of the call-outs and labels drawn now (for tests and hit tests). */
  placedBoxes: function () {
    var tr = this._tr;
    return this.placed.map(function (o) {
      var b = o.box;
      return {kind: o.kind, what: o.what, i: o.i, rank: o.rank || null, text: o.text, must: !!o.must,
              box: [b[0] + tr.cx, b[1] + tr.cy, b[2] + tr.cx, b[3] + tr.cy],
              anchor: [o.anchor[0] + tr.cx, o.anchor[1] + tr.cy]};
    });
  }
});

/* What a node or an arc is called on the map. */
SN.nodeName = function (net, i) { return net.nodeCols[0].get(i) || net.node_ids[i]; };
SN.arcName = function (net, a) {
  var A = net.arrays;
  return SN.nodeName(net, A.arc_u[a]) + " \u2192 " + SN.nodeName(net, A.arc_v[a]);
};
})();
