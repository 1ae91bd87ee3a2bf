/* supplynet map, part 1 of 4: read the map's data, write numbers as the reports do, index.
 *
 * The data is one gzipped, base64 blob in the page's JSON data block, id "sn-data"
 * (supplynet/maps/blob.py): a JSON header and typed arrays (supplynet/maps/pack.py). Strings
 * from the network are read with JSON.parse and only ever reach the page as text nodes or
 * canvas text: never innerHTML, eval, Function or a URL. This file is static (its
 * Content-Security-Policy hash never changes) and holds no input.
 */
(function () {
"use strict";

var SN = window.SN = {};
var CTORS = {f8: Float64Array, f4: Float32Array, u4: Uint32Array, u2: Uint16Array, u1: Uint8Array, i4: Int32Array};
SN.F = {source: 1, sink: 2, cut: 4, removed: 8, key: 16, degraded: 32};  // node flags (pack.NODE_FLAGS)
SN.A = {cut: 1, removed: 2, zero: 4, degraded: 8};                       // arc flags (pack.ARC_FLAGS)
SN.now = function () { return performance.now(); };

// ------------------------------------------------------------------------------ decoding
function b64bytes(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  var bin = atob(text), n = bin.length, out = new Uint8Array(n);
  for (var i = 0; i < n; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function gunzip(bytes) {
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
}

function unpack(bytes) {
  if (bytes.byteOffset % 8) bytes = bytes.slice();
  var buf = bytes.buffer, base = bytes.byteOffset;
  if (bytes[0] !== 83 || bytes[1] !== 78 || bytes[2] !== 80 || bytes[3] !== 49) throw new Error("not a supplynet map blob");
  var length = new DataView(buf, base).getUint32(4, true);
  var net = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  var start = 8 + length + (8 - (8 + length) % 8) % 8, table = net.arrays, arrays = {};
  Object.keys(table).forEach(function (name) {
    var d = table[name];
    arrays[name] = new CTORS[d[0]](buf, base + start + d[1], d[2]);
  });
  net.arrays = arrays;
  return net;
}

/* Return a Promise of the network read from the data element, projected and indexed. */
SN.load = function (el) {
  var t = {start: SN.now()}, box = JSON.parse(el.textContent);
  var bytes = b64bytes(box.b64), enc = box.enc;
  el.textContent = "";  // the text is no longer needed: let the browser free it
  t.base64 = SN.now() - t.start;
  return (enc === "gzip" ? gunzip(bytes) : Promise.resolve(bytes)).then(function (raw) {
    var t1 = SN.now();
    t.gunzip = t1 - t.start - t.base64;
    var net = unpack(raw);
    var t2 = SN.now();
    t.unpack = t2 - t1;
    prepare(net);
    t.index = SN.now() - t2;
    net.timings = t;
    return net;
  });
};

// ------------------------------------------------------------------------------ numbers
/* supplynet.numbers.format_number, exactly: floats whole or from 1,000 on rounded half
 * to even with thousands separators, else four significant digits (Python's ",.4g"); ints as
 * they are; "unlimited" for infinity. JavaScript rounds exact ties away from zero where
 * Python rounds them to even, so ties are found in the exact decimal expansion. */
function group(s) {
  var neg = s.charAt(0) === "-", body = neg ? s.slice(1) : s, dot = body.indexOf(".");
  var whole = dot < 0 ? body : body.slice(0, dot), rest = dot < 0 ? "" : body.slice(dot);
  return (neg ? "-" : "") + whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + rest;
}

function stripZeros(s) { return s.indexOf(".") < 0 ? s : s.replace(/0+$/, "").replace(/\.$/, ""); }

function roundEven(x) {
  if (Number.isInteger(x)) return x;
  var f = Math.floor(x), d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 === 0 ? f : f + 1);
}

/* The p significant digits of x > 0, rounded half to even, and the decimal exponent. */
function sigDigits(x, p) {
  var s = x.toExponential(p - 1), k = s.indexOf("e"), digits = s.slice(0, k).replace(".", ""), exp = +s.slice(k + 1);
  var full = x.toExponential(99), fk = full.indexOf("e"), fd = full.slice(0, fk).replace(".", "");
  if (fd.charAt(p) === "5" && /^0*$/.test(fd.slice(p + 1)) && (+fd.charAt(p - 1)) % 2 === 0) {
    digits = fd.slice(0, p); exp = +full.slice(fk + 1);
  }
  return [digits, exp];
}

function general4(x) {
  var r = sigDigits(Math.abs(x), 4), d = r[0], e = r[1], out;
  if (e < -4 || e >= 4) {
    var ae = Math.abs(e);
    out = stripZeros(d.charAt(0) + "." + d.slice(1)) + "e" + (e < 0 ? "-" : "+") + (ae < 10 ? "0" : "") + ae;
  } else if (e >= 0) {
    out = stripZeros(group(d.slice(0, e + 1)) + "." + d.slice(e + 1));
  } else {
    out = stripZeros("0." + "0".repeat(-e - 1) + d);
  }
  return (x < 0 ? "-" : "") + out;
}

SN.fmtNum = function (x, isInt) {
  if (x !== x) return null;
  if (x === Infinity) return "unlimited";
  if (x === -Infinity) return "-unlimited";
  if (isInt) return BigInt(x).toString();
  if (Number.isInteger(x) || Math.abs(x) >= 1000) return group(BigInt(roundEven(x)).toString());
  return general4(x);
};

/* Python's "%.{d}f": x.toFixed(d) with exact ties rounded half to even. */
SN.fixed = function (x, d) {
  var s = x.toFixed(d), a = Math.abs(x), full = a.toFixed(Math.min(100, d + 60)), dot = full.indexOf(".");
  var tail = full.slice(dot + 1 + d);
  if (tail.charAt(0) === "5" && /^0*$/.test(tail.slice(1))) {
    var kept = d ? full.slice(0, dot + 1 + d) : full.slice(0, dot);
    if ((+kept.charAt(kept.length - 1)) % 2 === 0) s = (x < 0 ? "-" : "") + kept;
  }
  if (Object.is(x, -0)) s = "-" + s;
  return s;
};

/* A popup column: get(i) returns the text a popup shows, or null when the value is absent. */
function column(c, A) {
  var arr = c.a ? A[c.a] : null, k = c.k;
  return {name: c.name, get: function (i) {
    if (k === "none") return null;
    if (k === "str") return c.values[i];
    var v = arr[i];
    if (k === "dict") return v ? c.values[v - 1] : null;
    if (k === "bool") return v === 2 ? null : v ? "true" : "false";
    return v !== v ? null : SN.fmtNum(v, c.int);
  }};
}

// ------------------------------------------------------------------------------ indexes
var MAX_LAT = 85.0511287798;

/* Web Mercator in zoom-0 pixels (0 to 256), as Leaflet's EPSG:3857 and supplynet.maps.lod. */
SN.merc = function (lon, lat) {
  lat = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  var s = Math.sin(lat * Math.PI / 180);
  return [(lon + 180) / 360 * 256, 128 - 256 / (4 * Math.PI) * Math.log((1 + s) / (1 - s))];
};

/* A uniform grid over items with boxes (zoom-0 px): each cell lists the items whose box's
 * low corner falls in it, in the given order; boxes wider than a cell go to `longs`. */
function makeGrid(count, x0, y0, x1, y1, bounds, perCell, include) {
  var W = Math.max(bounds[2] - bounds[0], 1e-9), H = Math.max(bounds[3] - bounds[1], 1e-9);
  var cells = Math.max(1, Math.min(1 << 20, Math.round(count / perCell)));
  var cs = Math.max(Math.sqrt(W * H / cells), 1e-9);
  var GW = Math.max(1, Math.ceil(W / cs) + 1), GH = Math.max(1, Math.ceil(H / cs) + 1);
  var cellOf = new Int32Array(count), starts = new Uint32Array(GW * GH + 1), longs = [], n = 0, s, c;
  for (s = 0; s < count; s++) {
    if (include && !include(s)) { cellOf[s] = -2; continue; }
    if (x1[s] - x0[s] > cs || y1[s] - y0[s] > cs) { cellOf[s] = -1; longs.push(s); continue; }
    c = Math.floor((x0[s] - bounds[0]) / cs) + GW * Math.floor((y0[s] - bounds[1]) / cs);
    cellOf[s] = c; starts[c + 1]++; n++;
  }
  for (c = 1; c < starts.length; c++) starts[c] += starts[c - 1];
  var fill = starts.slice(0, GW * GH), items = new Uint32Array(n);
  return {order: function (seq) {
    for (var j = 0; j < seq.length; j++) { var t = seq[j]; if (cellOf[t] >= 0) items[fill[cellOf[t]]++] = t; }
    return {minx: bounds[0], miny: bounds[1], cs: cs, GW: GW, GH: GH, starts: starts, items: items,
            longs: Uint32Array.from(longs)};
  }};
}

/* Walk the cells of a grid meeting a view box, calling visit(item) until it returns false. */
SN.walkGrid = function (g, view, visit) {
  var cx0 = Math.max(0, Math.floor((view[0] - g.cs - g.minx) / g.cs)), cx1 = Math.min(g.GW - 1, Math.floor((view[2] - g.minx) / g.cs));
  var cy0 = Math.max(0, Math.floor((view[1] - g.cs - g.miny) / g.cs)), cy1 = Math.min(g.GH - 1, Math.floor((view[3] - g.miny) / g.cs));
  for (var cy = cy0; cy <= cy1; cy++) {
    for (var cx = cx0; cx <= cx1; cx++) {
      var c = cy * g.GW + cx;
      for (var j = g.starts[c], e = g.starts[c + 1]; j < e; j++) if (visit(g.items[j]) === false) break;
    }
  }
  for (var i = 0; i < g.longs.length; i++) visit(g.longs[i]);
};

function prepare(net) {
  var A = net.arrays, n = net.n, nseg = net.nseg, i, s, p;
  // Counted here, by the drawing code, as it indexes what it will draw.
  var counted = {nodes: 0, arcs: 0};
  var wx = new Float64Array(n), wy = new Float64Array(n), b = [Infinity, Infinity, -Infinity, -Infinity];
  for (i = 0; i < n; i++) {
    p = SN.merc(A.lon[i], A.lat[i]); wx[i] = p[0]; wy[i] = p[1];
    if (p[0] < b[0]) b[0] = p[0]; if (p[0] > b[2]) b[2] = p[0];
    if (p[1] < b[1]) b[1] = p[1]; if (p[1] > b[3]) b[3] = p[1];
  }
  if (!n) b = [0, 0, 256, 256];
  net.wx = wx; net.wy = wy; net.bounds = b;
  var geo = A.geo, gx = new Float64Array(geo.length / 2), gy = new Float64Array(geo.length / 2);
  for (i = 0; i < gx.length; i++) { p = SN.merc(geo[2 * i], geo[2 * i + 1]); gx[i] = p[0]; gy[i] = p[1]; }
  net.gx = gx; net.gy = gy;
  // segments: boxes and a grid whose cells list them in draw order (minzoom ascending)
  var sa = A.seg_a, sb = A.seg_b, go = A.geo_off;
  var bx0 = new Float64Array(nseg), by0 = new Float64Array(nseg), bx1 = new Float64Array(nseg), by1 = new Float64Array(nseg);
  for (s = 0; s < nseg; s++) {
    var x0 = Math.min(wx[sa[s]], wx[sb[s]]), x1 = Math.max(wx[sa[s]], wx[sb[s]]);
    var y0 = Math.min(wy[sa[s]], wy[sb[s]]), y1 = Math.max(wy[sa[s]], wy[sb[s]]);
    for (var k = go[s]; k < go[s + 1]; k++) {
      if (gx[k] < x0) x0 = gx[k]; if (gx[k] > x1) x1 = gx[k];
      if (gy[k] < y0) y0 = gy[k]; if (gy[k] > y1) y1 = gy[k];
    }
    bx0[s] = x0; by0[s] = y0; bx1[s] = x1; by1[s] = y1;
  }
  net.box = [bx0, by0, bx1, by1];
  var seq = new Uint32Array(nseg);
  for (s = 0; s < nseg; s++) seq[s] = s;
  net.segGrid = makeGrid(nseg, bx0, by0, bx1, by1, b, 8, null).order(seq);
  var off = A.seg_arc_off, arcSeg = new Uint32Array(net.m);
  for (s = 0; s < nseg; s++) for (i = off[s]; i < off[s + 1]; i++) { arcSeg[i] = s; counted.arcs++; }
  net.arcSeg = arcSeg;
  // nodes: key nodes are drawn on the overlay, the others in tiles from a grid whose cells
  // list them by the zoom they are drawn on their own from (clusters below that zoom)
  var keys = [], others = [], nflags = A.nflags;
  for (i = 0; i < n; i++) { if (nflags[i] & SN.F.key) keys.push(i); else others.push(i); counted.nodes++; }
  net.keys = Uint32Array.from(keys);
  var byZoom = others.slice().sort(function (x, y) { return A.nminz[x] - A.nminz[y] || x - y; });
  net.nodeGrid = makeGrid(n, wx, wy, wx, wy, b, 8, function (j) { return !(nflags[j] & SN.F.key); }).order(byZoom);
  net.clusterTiles = [];
  // styles
  net.colors = net.palette.types;
  net.modeStyle = net.palette.modes;
  var sumW = 0, samples = 0;
  for (s = 0; s < nseg; s += Math.max(1, Math.floor(nseg / 4000))) {
    sumW += Math.hypot(wx[sa[s]] - wx[sb[s]], wy[sa[s]] - wy[sb[s]]); samples++;
  }
  // zoom from which a typical segment is 24 px long: below it, lines of thinned maps get thinner
  var typical = samples ? sumW / samples : 1;
  net.detailZoom = typical > 0 ? Math.log2(24 / typical) : 0;
  var cut = [], struck = [], degraded = {};
  for (i = 0; i < net.m; i++) {
    if (A.arc_flags[i] & SN.A.cut) cut.push(i);
    if (A.arc_flags[i] & SN.A.removed) struck.push(i);
  }
  net.cutArcs = Uint32Array.from(cut); net.struckArcs = Uint32Array.from(struck);
  net.cutNodes = []; net.struckNodes = [];
  for (i = 0; i < n; i++) {
    if (nflags[i] & SN.F.cut) net.cutNodes.push(i);
    if (nflags[i] & SN.F.removed) net.struckNodes.push(i);
  }
  net.degraded.forEach(function (d) { degraded[d[0] + d[1]] = d[2]; });
  net.degradedOf = degraded;
  net.rankOf = {};
  net.ranks.forEach(function (r) { net.rankOf[r[1] + r[2]] = r[0]; });
  net.nodeCols = net.node_cols.map(function (c) { return column(c, A); });
  net.arcCols = net.arc_cols.map(function (c) { return column(c, A); });
  net.counted = counted;
  if (A.bm_xy) prepareBasemap(net);
}

/* Country polygons: projected, with a box per polygon for culling. */
function prepareBasemap(net) {
  var A = net.arrays, xy = A.bm_xy, np = xy.length / 2, x = new Float64Array(np), y = new Float64Array(np), i;
  for (i = 0; i < np; i++) { var p = SN.merc(xy[2 * i], xy[2 * i + 1]); x[i] = p[0]; y[i] = p[1]; }
  var po = A.bm_poly_off, ro = A.bm_ring_off, count = po.length - 1, box = new Float64Array(4 * count);
  for (var q = 0; q < count; q++) {
    var a0 = Infinity, b0 = Infinity, a1 = -Infinity, b1 = -Infinity;
    for (var r = po[q]; r < po[q + 1]; r++) for (i = ro[r]; i < ro[r + 1]; i++) {
      if (x[i] < a0) a0 = x[i]; if (x[i] > a1) a1 = x[i]; if (y[i] < b0) b0 = y[i]; if (y[i] > b1) b1 = y[i];
    }
    box[4 * q] = a0; box[4 * q + 1] = b0; box[4 * q + 2] = a1; box[4 * q + 3] = b1;
  }
  net.bm = {x: x, y: y, polyOff: po, ringOff: ro, box: box, n: count};
}

/* The clusters of zoom z whose centroid falls in tile (tx, ty), bucketed on first use. */
SN.clustersOfTile = function (net, z, tx, ty) {
  var A = net.arrays;
  if (!net.clusters.on || z > net.clusters.max_zoom || !A.cl_zoff) return [];
  var buckets = net.clusterTiles[z];
  if (!buckets) {
    buckets = net.clusterTiles[z] = new Map();
    var scale = Math.pow(2, z) / 256;
    for (var c = A.cl_zoff[z]; c < A.cl_zoff[z + 1]; c++) {
      var key = Math.floor(A.cl_x[c] * scale) + "," + Math.floor(A.cl_y[c] * scale), list = buckets.get(key);
      if (!list) buckets.set(key, list = []);
      list.push(c);
    }
  }
  return buckets.get(tx + "," + ty) || [];
};

/* Which highlight layers hold an element ("n" or "a", index), built on first use. */
SN.layersOf = function (net, kind, i) {
  if (!net.extraIndex) {
    var A = net.arrays, idx = {n: new Map(), a: new Map()};
    [["n", A.ex_noff, A.ex_nodes], ["a", A.ex_aoff, A.ex_arcs]].forEach(function (t) {
      for (var l = 0; l + 1 < t[1].length; l++) for (var j = t[1][l]; j < t[1][l + 1]; j++) {
        var list = idx[t[0]].get(t[2][j]);
        if (!list) idx[t[0]].set(t[2][j], list = []);
        list.push(l);
      }
    });
    net.extraIndex = idx;
  }
  return net.extraIndex[kind].get(i) || [];
};

/* Opacity of an element of confidence c (0..1) when shading by confidence is on. */
SN.confAlpha = function (net, c, on) {
  if (!on) return 1;
  var lo = net.palette.confidence.min_alpha;
  return lo + (1 - lo) * c;
};
})();
