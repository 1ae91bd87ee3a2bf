/* supplynet map, part 4 of 4: the map layer, its layer-control entries, hit tests, popups,
 * tooltips, the folding legend, and window.supplynet once everything is drawn.
 *
 * Popups and tooltips are DOM built with createElement and textContent only; layer-control
 * names are escaped, because Leaflet sets them with innerHTML. The rows of a popup are those
 * supplynet/maps/popups.py reads back from the same data (the browser tests compare them).
 */
(function () {
"use strict";
var SN = window.SN;

// ------------------------------------------------------------------------------ popups
function marks(net, kind, i, cut, removed) {
  var rank = net.rankOf[kind + i], factor = net.degradedOf[kind + i];
  var whatIf = removed ? "removed" : factor === undefined ? null : "capacity \u00d7" + SN.fmtNum(factor, false);
  var layers = SN.layersOf(net, kind, i).map(function (l) { return net.extra[l]; }).join(", ");
  return [[kind === "n" ? "in the min node cut" : "in the min edge cut", cut ? "yes" : null],
          ["interdiction rank", rank ? "#" + rank : null], ["what-if", whatIf], ["highlighted in", layers || null]];
}

/* The rows of a node's popup: [label, text], absent values left out. */
SN.nodeRows = function (net, i) {
  var A = net.arrays, cols = net.nodeCols, fixed = net.node_fixed, end = cols.length - net.node_metrics, f = A.nflags[i], c;
  var rows = [["id", net.node_ids[i]]];
  for (c = 0; c < fixed; c++) rows.push([cols[c].name, cols[c].get(i)]);
  rows.push(["latitude, longitude", SN.fixed(A.lat[i], 5) + ", " + SN.fixed(A.lon[i], 5)]);
  for (c = fixed; c < end; c++) rows.push([cols[c].name, cols[c].get(i)]);
  var role = [(f & SN.F.source) ? "source" : "", (f & SN.F.sink) ? "sink" : ""].filter(Boolean).join(" and ");
  rows.push(["role", role || null]);
  for (c = end; c < cols.length; c++) rows.push([cols[c].name, cols[c].get(i)]);
  rows = rows.concat(marks(net, "n", i, f & SN.F.cut, f & SN.F.removed));
  return rows.filter(function (r) { return r[1] !== null && r[1] !== undefined && r[1] !== ""; });
};

/* The rows of an edge's popup (a = its position in the data). */
SN.arcRows = function (net, a) {
  var A = net.arrays, u = A.arc_u[a], v = A.arc_v[a], f = A.arc_flags[a];
  var rows = [["id", net.arc_ids[a]], ["source", SN.nodeName(net, u) + " (" + net.node_ids[u] + ")"],
              ["target", SN.nodeName(net, v) + " (" + net.node_ids[v] + ")"]];
  net.arcCols.forEach(function (c) { rows.push([c.name, c.get(a)]); });
  rows = rows.concat(marks(net, "a", a, f & SN.A.cut, f & SN.A.removed));
  return rows.filter(function (r) { return r[1] !== null && r[1] !== undefined && r[1] !== ""; });
};

SN.arcTip = function (net, a) {
  var mode = net.arcCols[0].get(a);
  return SN.arcName(net, a) + (mode ? " (" + mode + ")" : "");
};

function table(title, rows) {
  var box = document.createElement("div"), h = document.createElement("h4"), t = document.createElement("table");
  h.textContent = title;
  rows.forEach(function (r) {
    var tr = t.insertRow(), th = document.createElement("th"), td = tr.insertCell();
    th.textContent = r[0]; tr.insertBefore(th, td); td.textContent = r[1];
  });
  box.appendChild(h); box.appendChild(t);
  return box;
}

SN.popupContent = function (net, hit) {
  var box = document.createElement("div"), A = net.arrays;
  box.className = "sn-pop";
  if (hit.kind === "n") box.appendChild(table(SN.nodeName(net, hit.id), SN.nodeRows(net, hit.id)));
  else {
    var arcs = hit.kind === "a" ? [hit.id] : [];
    if (hit.kind === "s") for (var a = A.seg_arc_off[hit.id]; a < A.seg_arc_off[hit.id + 1]; a++) arcs.push(a);
    arcs.forEach(function (a2) { box.appendChild(table(SN.arcTip(net, a2), SN.arcRows(net, a2))); });
  }
  return box;
};

function segDist(px, py, ax, ay, bx, by) {
  var dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy, t = l2 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
  t = Math.max(0, Math.min(1, t));
  return Math.hypot(ax + t * dx - px, ay + t * dy - py);
}

/* The box of the map a popup may use: clear of the side panel and of every control. */
function freeArea(map) {
  var rect = map.getContainer().getBoundingClientRect(), size = map.getSize();
  var pad = {left: 10, top: 10, right: 10, bottom: 10};
  ["#sn-title", "#sn-legend"].forEach(function (sel) {
    var el = document.querySelector(sel);
    if (!el) return;
    var b = el.getBoundingClientRect();
    if (b.width) pad.left = Math.max(pad.left, b.right - rect.left + 10);
  });
  document.querySelectorAll(".leaflet-top.leaflet-right .leaflet-control").forEach(function (el) {
    var b = el.getBoundingClientRect();
    if (b.width) pad.right = Math.max(pad.right, rect.right - b.left + 10);
  });
  document.querySelectorAll(".leaflet-bottom .leaflet-control").forEach(function (el) {
    var b = el.getBoundingClientRect();
    if (b.width) pad.bottom = Math.max(pad.bottom, rect.bottom - b.top + 10);
  });
  pad.narrow = size.x - pad.left - pad.right < 280;
  if (pad.narrow) pad.left = 10;  // the side panel is hidden while the popup is open
  pad.width = Math.max(160, Math.min(420, size.x - pad.left - pad.right - 30));
  pad.height = Math.max(120, size.y - pad.top - pad.bottom - 50);
  return pad;
}

// ------------------------------------------------------------------------------ the layer
/* A layer-control entry: a layer with nothing of its own that switches a part of the map. */
var Toggle = L.Layer.extend({
  initialize: function (owner, apply) { this._owner = owner; this._apply = apply; },
  onAdd: function () { this._apply(true); if (!this._quiet) this._owner.redraw(); },
  onRemove: function () { this._apply(false); this._owner.redraw(); }
});

function escapeHtml(s) {
  return String(s).replace(/[&<>"'`=]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
}

SN.MapLayer = L.Layer.extend({
  initialize: function (net) {
    this.net = net;
    this.state = {basemap: !!net.bm, edgeCut: true, nodeCut: true, ranks: true, struck: true, labels: true,
                  confidence: true, modeOn: net.modes.map(function () { return true; }),
                  typeOn: net.types.map(function () { return true; }), extraOn: net.extra.map(function () { return true; })};
    this.tiles = new SN.NetworkTiles(net, this.state, {pane: "snTiles"});
    this.overlay = new SN.Overlay(net, this.state);
    this.overlay.options.pane = "snOverlay";
    this.stats = this.overlay.stats;
    this.toggles = [];
  },

  onAdd: function (map) {
    if (!map.getPane("snTiles")) {
      map.createPane("snTiles").style.zIndex = 350;
      map.createPane("snOverlay").style.zIndex = 450;
    }
    map._fadeAnimated = false;  // a tile shows as soon as it is drawn: "drawn" means seen
    this.tiles.addTo(map); this.overlay.addTo(map);
  },
  onRemove: function (map) { map.removeLayer(this.tiles); map.removeLayer(this.overlay); },
  getEvents: function () { return {click: this._onClick, mousemove: this._onMove, mouseout: this._hideTip}; },
  redraw: function () { this.tiles.redraw(); this.overlay.redraw(); return this; },
  isIdle: function () { return this.tiles.isIdle(); },

  whenDrawn: function (done) {
    var self = this;
    var check = function () { if (self.isIdle() && self.overlay._tr) done(); else requestAnimationFrame(check); };
    requestAnimationFrame(check);
  },

  /* Add the layer-control entries (the header's toggles) to folium's control. */
  addToggles: function (control) {
    var st = this.state, self = this;
    var apply = {
      basemap: function (on) { st.basemap = on; }, edge_cut: function (on) { st.edgeCut = on; },
      node_cut: function (on) { st.nodeCut = on; }, ranks: function (on) { st.ranks = on; },
      struck: function (on) { st.struck = on; }, labels: function (on) { st.labels = on; },
      confidence: function (on) { st.confidence = on; },
      mode: function (on, j) { st.modeOn[j] = on; }, type: function (on, j) { st.typeOn[j] = on; },
      extra: function (on, j) { st.extraOn[j] = on; }
    };
    this.net.toggles.forEach(function (t) {
      var toggle = new Toggle(self, function (on) { apply[t[1]](on, t[2]); });
      toggle._quiet = true; toggle.addTo(self._map); toggle._quiet = false;
      toggle.what = t[1]; toggle.index = t[2];
      if (control) control.addOverlay(toggle, escapeHtml(t[0]));
      self.toggles.push(toggle);
    });
  },

  _scratch: function () { return this._list || (this._list = new Uint32Array(Math.max(1, this.net.nseg))); },

  /* What the view shows now, counted by the same code that draws it. */
  visibleCounts: function () {
    var map = this._map, net = this.net, A = net.arrays, z = Math.round(map.getZoom()), b = map.getPixelBounds();
    var s = Math.pow(2, map.getZoom()), view = [b.min.x / s, b.min.y / s, b.max.x / s, b.max.y / s];
    var list = this._scratch(), k = SN.collectSegments(net, view, z, this.state, list), arcs = 0;
    for (var j = 0; j < k; j++) arcs += A.seg_arc_off[list[j] + 1] - A.seg_arc_off[list[j]];
    var clusters = 0, inClusters = 0, st = this.state;
    if (net.clusters.on && z <= net.clusters.max_zoom) {
      for (var c = A.cl_zoff[z]; c < A.cl_zoff[z + 1]; c++) {
        if (A.cl_x[c] < view[0] || A.cl_x[c] > view[2] || A.cl_y[c] < view[1] || A.cl_y[c] > view[3]) continue;
        var n = SN.clusterCount(net, c, st)[0];
        if (n) { clusters++; inClusters += n; }
      }
    }
    return {zoom: z, segments: k, arcs: arcs, nodes: SN.collectNodes(net, view, z, st).length,
            keyNodes: this.overlay.stats.keyNodes, struckNodes: this.overlay.stats.struckNodes,
            struckEdges: this.overlay.stats.struckEdges, cutEdges: this.overlay.stats.cutEdges,
            clusters: clusters, clusteredNodes: inClusters,
            callouts: this.overlay.stats.callouts, labels: this.overlay.stats.labels};
  },

  /* What is under a container point: a call-out or label, a node, a cluster, an edge. */
  hitTest: function (cp) {
    var o = this.overlay, tr = o._tr, net = this.net, A = net.arrays, st = this.state, x = cp.x - tr.cx, y = cp.y - tr.cy, i;
    for (i = o.placed.length - 1; i >= 0; i--) {
      var p = o.placed[i], b = p.box;
      if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]) return {kind: p.what, id: p.i};
    }
    var best = null, bd = Infinity;
    o.discs.forEach(function (d) {
      var cx = (d[0] + d[2]) / 2, cy = (d[1] + d[3]) / 2, dist = Math.hypot(cx - x, cy - y);
      if (dist <= (d[2] - d[0]) / 2 + 1 && dist < bd) { bd = dist; best = {kind: "n", id: d[4]}; }
    });
    if (best) return best;
    var map = this._map, z = Math.round(map.getZoom()), s = tr.s, wx = (x - tr.ox) / s, wy = (y - tr.oy) / s;
    var near = 24 / s, view = [wx - near, wy - near, wx + near, wy + near];
    SN.collectNodes(net, view, z, st).forEach(function (j) {
      var dist = Math.hypot(net.wx[j] * s + tr.ox - x, net.wy[j] * s + tr.oy - y);
      if (dist <= A.nrad[j] / 4 + 2 && dist < bd) { bd = dist; best = {kind: "n", id: j}; }
    });
    if (best) return best;
    if (net.clusters.on && z <= net.clusters.max_zoom) {
      var t = Math.pow(2, z) / 256;
      SN.tileClusters(net, z, Math.floor(wx * t), Math.floor(wy * t)).forEach(function (c) {
        var n = SN.clusterCount(net, c, st)[0];
        if (!n) return;
        var dist = Math.hypot(A.cl_x[c] * s + tr.ox - x, A.cl_y[c] * s + tr.oy - y);
        if (dist <= SN.clusterRadius(n) && dist < bd) { bd = dist; best = {kind: "c", id: c, count: n}; }
      });
    }
    if (best) return best;
    var list = this._scratch(), k = SN.collectSegments(net, view, z, st, list), cand = [];
    for (i = 0; i < k; i++) cand.push(list[i]);
    if (st.struck) net.struckArcs.forEach(function (a) { cand.push(net.arcSeg[a]); });
    cand.forEach(function (sg) {
      if (!st.modeOn[A.seg_mode[sg]]) return;
      var pts = [[net.wx[A.seg_a[sg]], net.wy[A.seg_a[sg]]]];
      for (var q = A.geo_off[sg]; q < A.geo_off[sg + 1]; q++) pts.push([net.gx[q], net.gy[q]]);
      pts.push([net.wx[A.seg_b[sg]], net.wy[A.seg_b[sg]]]);
      for (var e = 0; e + 1 < pts.length; e++) {
        var dist = segDist(x, y, pts[e][0] * s + tr.ox, pts[e][1] * s + tr.oy, pts[e + 1][0] * s + tr.ox, pts[e + 1][1] * s + tr.oy);
        if (dist <= Math.max(6, A.seg_w[sg] / 4 + 3) && dist < bd) { bd = dist; best = {kind: "s", id: sg}; }
      }
    });
    return best;
  },

  tipText: function (hit) {
    var net = this.net;
    if (hit.kind === "c") return hit.count.toLocaleString("en-US") + " nodes (click to zoom in)";
    if (hit.kind === "n") return SN.nodeName(net, hit.id);
    return SN.arcTip(net, hit.kind === "a" ? hit.id : net.arrays.seg_arc_off[hit.id]);
  },

  /* Open the popup of a hit at a position (what a click does). */
  openPopup: function (hit, latlng) {
    var map = this._map, pad = freeArea(map), t0 = SN.now(), side = document.getElementById("sn-side");
    var popup = L.popup({maxWidth: pad.width, minWidth: Math.min(220, pad.width), maxHeight: pad.height,
                         autoPanPaddingTopLeft: [pad.left, pad.top], autoPanPaddingBottomRight: [pad.right, pad.bottom],
                         className: "sn-popup"});
    if (pad.narrow && side) {
      side.style.visibility = "hidden";
      popup.on("remove", function () { side.style.visibility = ""; });
    }
    popup.setLatLng(latlng).setContent(SN.popupContent(this.net, hit)).openOn(map);
    this.stats.popupMs = SN.now() - t0;
    return popup;
  },

  _onClick: function (e) {
    var t0 = SN.now(), hit = this.hitTest(e.containerPoint);
    this.stats.hitMs = SN.now() - t0;
    if (!hit) return;
    if (hit.kind === "c") {
      var A = this.net.arrays, ll = this._map.unproject(L.point(A.cl_x[hit.id], A.cl_y[hit.id]), 0);
      this._map.setView(ll, Math.min(Math.round(this._map.getZoom()) + 2, this._map.getMaxZoom()));
      return;
    }
    this.openPopup(hit, e.latlng);
  },

  _onMove: function (e) {
    this._lastMove = e;
    if (this._moveQueued) return;
    this._moveQueued = true;
    var self = this;
    requestAnimationFrame(function () {
      self._moveQueued = false;
      if (!self._map || !self.overlay._tr) return;
      var ev = self._lastMove, hit = self.hitTest(ev.containerPoint), box = self._map.getContainer();
      if (!hit) { self._hideTip(); return; }
      box.style.cursor = "pointer";
      var text = document.createElement("span");
      text.textContent = self.tipText(hit);
      if (!self._tip) self._tip = L.tooltip({direction: "right", offset: [12, 0], className: "sn-tip"});
      self._tip.setContent(text);
      self._map.openTooltip(self._tip, ev.latlng);
    });
  },

  _hideTip: function () {
    if (this._tip && this._map) this._map.closeTooltip(this._tip);
    if (this._map) this._map.getContainer().style.cursor = "";
  }
});

// ------------------------------------------------------------------------------ the legend
/* Fold the least important legend sections until the legend fits without scrolling; a
 * section the reader just opened (`keep`) stays open. */
SN.fitLegend = function (keep) {
  var legend = document.getElementById("sn-legend");
  if (!legend) return;
  legend.classList.remove("sn-tight");
  var secs = Array.prototype.slice.call(legend.querySelectorAll("details.sn-sec"));
  secs.sort(function (a, b) { return (+b.getAttribute("data-rank")) - (+a.getAttribute("data-rank")); });
  SN.folding = true;
  for (var k = 0; k < secs.length && legend.scrollHeight > legend.clientHeight + 1; k++) {
    if (secs[k] !== keep && secs[k].open) secs[k].open = false;
  }
  SN.folding = false;
  if (legend.scrollHeight > legend.clientHeight + 1) legend.classList.add("sn-tight");
};

function bindLegend() {
  var legend = document.getElementById("sn-legend"), about = document.getElementById("sn-about");
  if (legend) legend.querySelectorAll("details.sn-sec").forEach(function (d) {
    d.addEventListener("toggle", function () { if (d.open && !SN.folding) SN.fitLegend(d); });
  });
  if (about) about.addEventListener("click", function () { about.classList.toggle("sn-open"); SN.fitLegend(null); });
  window.addEventListener("resize", function () { SN.fitLegend(null); });
  SN.fitLegend(null);
}

/* Fit the network into the part of the map the side panel and controls leave free. */
function fitView(map, bounds) {
  var size = map.getSize(), side = document.getElementById("sn-side"), w = side ? side.offsetWidth : 0;
  if (size.x - w > 420) map.fitBounds(bounds, {paddingTopLeft: [w + 30, 30], paddingBottomRight: [70, 40], animate: false});
  else map.fitBounds(bounds, {padding: [10, 10], animate: false});
}

/* Start the page: fold the legend, fit the view, read the data, draw, then tell the tests. */
SN.start = function (o) {
  var map = o.map, t0 = SN.now();
  window.supplynet = {ready: false};
  map.attributionControl.setPrefix("Leaflet");  // its default links to a website: an offline page keeps the credit
  bindLegend();
  fitView(map, o.bounds);
  L.control.scale({imperial: false, position: "bottomright"}).addTo(map);
  SN.load(document.getElementById("sn-data")).then(function (net) {
    var t1 = SN.now(), layer = new SN.MapLayer(net);
    if (net.bm) map.attributionControl.addAttribution(net.basemap.attribution);
    layer.addTo(map);
    layer.addToggles(o.control);
    layer.whenDrawn(function () {
      requestAnimationFrame(function () {
        window.supplynet = {ready: true, nodes: net.counted.nodes, edges: net.counted.arcs, drawn: layer.visibleCounts(),
                            map: map, layer: layer, stats: layer.stats, renderedAt: SN.now(),
                            timings: Object.assign({}, net.timings, {startMs: t0, loadMs: t1 - t0, drawMs: SN.now() - t1})};
      });
    });
  }).catch(function (e) {
    window.supplynet = {ready: false, error: String(e && e.stack || e)};
    throw e;
  });
};
})();
