/* supplynet map, part 2 of 4: the bulk of the network, drawn into 256 px canvas tiles.
 *
 * A tile holds the country basemap, the edges that show at its zoom (thinned by flow on big
 * networks: supplynet/maps/lod.py), the node clusters of its zoom and the nodes drawn on
 * their own. Tiles are drawn a few per animation frame, so no frame holds a whole redraw,
 * and a pan only draws the tiles it uncovers. Key nodes, cuts, what a what-if struck,
 * highlight layers, call-outs and labels are on the overlay (overlay.js): a tile edge never
 * cuts them.
 */
(function () {
"use strict";
var SN = window.SN;

/* A transform from zoom-0 pixels to a canvas: x * s + ox, y * s + oy. */
SN.project = function (tr, wx, wy) { return [wx * tr.s + tr.ox, wy * tr.s + tr.oy]; };

SN.drawBasemap = function (ctx, net, tr, view) {
  var bm = net.bm, S = tr.s, ox = tr.ox, oy = tr.oy, box = bm.box, pal = net.palette;
  ctx.beginPath();
  for (var p = 0; p < bm.n; p++) {
    if (box[4 * p + 2] < view[0] || box[4 * p] > view[2] || box[4 * p + 3] < view[1] || box[4 * p + 1] > view[3]) continue;
    for (var r = bm.polyOff[p]; r < bm.polyOff[p + 1]; r++) {
      var a = bm.ringOff[r], b = bm.ringOff[r + 1];
      ctx.moveTo(bm.x[a] * S + ox, bm.y[a] * S + oy);
      for (var q = a + 1; q < b; q++) ctx.lineTo(bm.x[q] * S + ox, bm.y[q] * S + oy);
      ctx.closePath();
    }
  }
  if (net.basemap.fill) { ctx.fillStyle = pal.land; ctx.fill("evenodd"); }
  ctx.lineWidth = 0.8; ctx.strokeStyle = pal.border; ctx.stroke();
};

var CONF_LEVELS = 5;

/* The style bucket of a segment: mode, width, no flow, confidence level. */
function bucket(net, s) {
  var A = net.arrays, f = A.seg_flags[s];
  var level = Math.round(A.seg_conf[s] / 100 * (CONF_LEVELS - 1));
  return ((A.seg_mode[s] * 32 + Math.min(31, A.seg_w[s])) * 2 + ((f & SN.A.zero) ? 1 : 0)) * CONF_LEVELS + level;
}

/* Collect the segments a view shows at zoom z into `out`; returns how many. */
SN.collectSegments = function (net, view, z, state, out) {
  var A = net.arrays, minz = A.seg_minz, mode = A.seg_mode, flags = A.seg_flags, on = state.modeOn, b = net.box, k = 0;
  var bx0 = b[0], by0 = b[1], bx1 = b[2], by1 = b[3];
  SN.walkGrid(net.segGrid, view, function (s) {
    if (minz[s] > z) return false;  // cell lists are in draw order: minzoom ascending
    if (!on[mode[s]] || (flags[s] & SN.A.removed)) return true;
    if (bx1[s] < view[0] || bx0[s] > view[2] || by1[s] < view[1] || by0[s] > view[3]) return true;
    out[k++] = s;
    return true;
  });
  return k;
};

SN.segmentPath = function (ctx, net, tr, s) {
  var A = net.arrays, S = tr.s, ox = tr.ox, oy = tr.oy, a = A.seg_a[s], b = A.seg_b[s];
  ctx.moveTo(net.wx[a] * S + ox, net.wy[a] * S + oy);
  for (var q = A.geo_off[s]; q < A.geo_off[s + 1]; q++) ctx.lineTo(net.gx[q] * S + ox, net.gy[q] * S + oy);
  ctx.lineTo(net.wx[b] * S + ox, net.wy[b] * S + oy);
};

/* Stroke k segments of `list`, one path per style bucket (a counting sort by bucket). */
SN.strokeSegments = function (ctx, net, tr, list, k, state) {
  var nb = net.modes.length * 32 * 2 * CONF_LEVELS, cnt = new Uint32Array(nb + 1), i;
  if (!net.segBucket) {
    net.segBucket = new Uint32Array(net.nseg);
    for (i = 0; i < net.nseg; i++) net.segBucket[i] = bucket(net, i);
  }
  var sb = net.segBucket, sorted = new Uint32Array(k);
  for (i = 0; i < k; i++) cnt[sb[list[i]] + 1]++;
  for (i = 1; i <= nb; i++) cnt[i] += cnt[i - 1];
  var pos = cnt.slice(0, nb);
  for (i = 0; i < k; i++) sorted[pos[sb[list[i]]]++] = list[i];
  var thin = net.thinned ? Math.max(0.25, Math.min(1, Math.pow(2, (Math.log2(tr.s) - net.detailZoom) / 2))) : 1;
  ctx.lineCap = "butt"; ctx.lineJoin = "round";
  for (var st = 0; st < nb; st++) {
    var a = cnt[st], e = cnt[st + 1];
    if (a === e) continue;
    var level = st % CONF_LEVELS, rest = (st - level) / CONF_LEVELS, zero = rest & 1, w = (rest >> 1) & 31, md = rest >> 6;
    var style = net.modeStyle[md];
    ctx.strokeStyle = style[0];
    ctx.lineWidth = Math.max(0.6, w / 2 * thin * (zero ? 0.6 : 1));
    ctx.globalAlpha = (zero ? 0.4 : 0.8) * SN.confAlpha(net, level / (CONF_LEVELS - 1), state.confidence);
    ctx.setLineDash(style[1]);
    ctx.beginPath();
    for (i = a; i < e; i++) SN.segmentPath(ctx, net, tr, sorted[i]);
    ctx.stroke();
  }
  ctx.globalAlpha = 1; ctx.setLineDash([]);
};

/* Draw nodes as circles: fill by type and confidence, a dark ring for sources and sinks,
 * a dashed outline when confidence is low. `draw(i)` says whether node i is drawn. */
SN.drawNodeList = function (ctx, net, tr, list, state) {
  var A = net.arrays, groups = new Map(), rings = [], lowConf = net.palette.confidence.dashed_below * 100;
  for (var j = 0; j < list.length; j++) {
    var i = list[j], level = state.confidence ? Math.round(A.nconf[i] / 100 * (CONF_LEVELS - 1)) : CONF_LEVELS - 1;
    var dashed = state.confidence && A.nconf[i] < lowConf ? 1 : 0, key = (A.ntype[i] * CONF_LEVELS + level) * 2 + dashed;
    var g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push(i);
    if (A.nflags[i] & (SN.F.source | SN.F.sink)) rings.push(i);
  }
  Array.from(groups.keys()).sort(function (a, b) { return a - b; }).forEach(function (key) {
    var dashed = key & 1, level = (key >> 1) % CONF_LEVELS, type = Math.floor((key >> 1) / CONF_LEVELS), g = groups.get(key);
    ctx.beginPath();
    g.forEach(function (i) {
      var x = net.wx[i] * tr.s + tr.ox, y = net.wy[i] * tr.s + tr.oy, r = A.nrad[i] / 4;
      ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
    });
    ctx.globalAlpha = 0.95 * SN.confAlpha(net, level / (CONF_LEVELS - 1), state.confidence);
    ctx.fillStyle = net.colors[type]; ctx.fill();
    ctx.globalAlpha = 1; ctx.lineWidth = 0.8; ctx.strokeStyle = "rgba(40,40,40,0.85)";
    ctx.setLineDash(dashed ? [2, 2] : []); ctx.stroke();
  });
  ctx.setLineDash([]);
  if (rings.length) {
    ctx.beginPath();
    rings.forEach(function (i) {
      var x = net.wx[i] * tr.s + tr.ox, y = net.wy[i] * tr.s + tr.oy, r = A.nrad[i] / 4 + 1;
      ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
    });
    ctx.lineWidth = 2; ctx.strokeStyle = "#111111"; ctx.stroke();
  }
};

/* The nodes (not key nodes) a view shows on their own at zoom z. */
SN.collectNodes = function (net, view, z, state) {
  var A = net.arrays, out = [], minz = A.nminz, on = state.typeOn, wx = net.wx, wy = net.wy;
  SN.walkGrid(net.nodeGrid, view, function (i) {
    if (minz[i] > z) return false;
    if (on[A.ntype[i]] && wx[i] >= view[0] && wx[i] <= view[2] && wy[i] >= view[1] && wy[i] <= view[3]) out.push(i);
    return true;
  });
  return out;
};

/* A cluster's count of the node types switched on, and the type most of them are (-1 when
 * no type makes up 60% of them: the cluster is drawn in a neutral colour then). */
SN.clusterCount = function (net, c, state) {
  var A = net.arrays, nt = net.types.length, total = 0, best = -1, bestN = 0;
  for (var t = 0; t < nt; t++) {
    var v = A.cl_types[c * nt + t];
    if (!state.typeOn[t]) continue;
    total += v;
    if (v > bestN) { bestN = v; best = t; }
  }
  return [total, bestN >= 0.6 * total ? best : -1];
};

SN.clusterRadius = function (count) { return Math.min(18, 6 + 2 * Math.log2(count)); };

SN.countText = function (c) { return c >= 1000 ? (c / 1000).toFixed(c >= 10000 ? 0 : 1) + "k" : String(c); };

SN.drawClusters = function (ctx, net, tr, list, state) {
  var A = net.arrays, shown = [];
  ctx.lineWidth = 1; ctx.strokeStyle = "#ffffff";
  list.forEach(function (c) {
    var tc = SN.clusterCount(net, c, state);
    if (!tc[0]) return;
    var x = A.cl_x[c] * tr.s + tr.ox, y = A.cl_y[c] * tr.s + tr.oy, r = SN.clusterRadius(tc[0]);
    ctx.beginPath(); ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.globalAlpha = 0.55; ctx.fillStyle = tc[1] >= 0 ? net.colors[tc[1]] : net.palette.cluster; ctx.fill();
    ctx.globalAlpha = 0.9; ctx.stroke();
    shown.push([x, y, tc[0]]);
  });
  ctx.globalAlpha = 1; ctx.font = "bold 10px system-ui, sans-serif"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
  ctx.lineWidth = 2.5; ctx.strokeStyle = "rgba(255,255,255,0.9)"; ctx.fillStyle = "#1a1a1a"; ctx.lineJoin = "round";
  shown.forEach(function (s) { var t = SN.countText(s[2]); ctx.strokeText(t, s[0], s[1]); ctx.fillText(t, s[0], s[1]); });
};

/* The clusters drawn in (or reaching into) a tile: those of it and its eight neighbours. */
SN.tileClusters = function (net, z, tx, ty) {
  var out = [];
  for (var dy = -1; dy <= 1; dy++) for (var dx = -1; dx <= 1; dx++) out = out.concat(SN.clustersOfTile(net, z, tx + dx, ty + dy));
  return out;
};

var MARGIN = 24;  // px: the widest node or line reaching into a tile from outside it

/* The tiles: a Leaflet GridLayer whose tiles are drawn a few per animation frame. */
SN.NetworkTiles = L.GridLayer.extend({
  options: {tileSize: 256, updateWhenZooming: false, keepBuffer: 2, tilesPerFrame: 3},

  initialize: function (net, state, options) {
    L.setOptions(this, options);
    this.net = net; this.state = state; this._queue = []; this.stats = {tilesDrawn: 0};
    this._list = new Uint32Array(Math.max(1, net.nseg));
  },

  createTile: function (coords, done) {
    var tile = L.DomUtil.create("canvas", "leaflet-tile"), size = this.getTileSize(), r = window.devicePixelRatio || 1;
    tile.width = size.x * r; tile.height = size.y * r;
    this._queue.push([tile, coords, done]);
    this._schedule();
    return tile;
  },

  _schedule: function () {
    if (this._raf) return;
    var self = this;
    this._raf = requestAnimationFrame(function () { self._raf = 0; self._work(); });
  },

  _work: function () {
    var t0 = SN.now(), gap = this._lastWork ? t0 - this._lastWork : 16;
    // fewer tiles a frame when frames run long (rasterising happens at paint, after us)
    if (!this._tpf) this._tpf = this.options.tilesPerFrame;
    if (gap > 45 && this._tpf > 1) this._tpf--; else if (gap < 25 && this._tpf < 2 * this.options.tilesPerFrame) this._tpf++;
    this._lastWork = t0;
    for (var left = this._tpf; left > 0 && this._queue.length;) {
      var job = this._queue.shift();
      if (this._map && !this._tiles[this._tileCoordsToKey(job[1])]) { job[2](null, job[0]); continue; }
      this.drawTile(job[0], job[1]);
      job[2](null, job[0]);
      left--;
    }
    if (this._queue.length) this._schedule(); else this._lastWork = 0;
  },

  isIdle: function () { return !this._queue.length && !this._raf && this._noTilesToLoad(); },

  drawTile: function (tile, coords) {
    var net = this.net, state = this.state, ctx = tile.getContext("2d"), r = window.devicePixelRatio || 1, z = coords.z;
    var S = Math.pow(2, z), tr = {s: S, ox: -coords.x * 256, oy: -coords.y * 256};
    var view = [(coords.x * 256 - MARGIN) / S, (coords.y * 256 - MARGIN) / S,
                ((coords.x + 1) * 256 + MARGIN) / S, ((coords.y + 1) * 256 + MARGIN) / S];
    ctx.setTransform(r, 0, 0, r, 0, 0);
    if (state.basemap && net.bm) SN.drawBasemap(ctx, net, tr, view);
    var k = SN.collectSegments(net, view, z, state, this._list);
    SN.strokeSegments(ctx, net, tr, this._list, k, state);
    SN.drawClusters(ctx, net, tr, SN.tileClusters(net, z, coords.x, coords.y), state);
    SN.drawNodeList(ctx, net, tr, SN.collectNodes(net, view, z, state), state);
    this.stats.tilesDrawn++;
  }
});
})();
