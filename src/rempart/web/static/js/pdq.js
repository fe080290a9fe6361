/* PDQ perceptual hash in JavaScript, following the reference C++ implementation
 * (facebook/ThreatExchange, pdq/cpp/hashing/pdqhashing.cpp and downscaling.cpp):
 * RGB to luminance, two passes of Jarosz box filters, decimation to 64x64, a 16x16 DCT
 * (without the DC row/column), each coefficient above the median gives a 1 bit; the quality
 * is the sum of the 64x64 gradients. Pixels are processed on this device only.
 * Hex output: 64 digits, bit 255 first, as the reference toString() and the pdqhash package.
 * Part of Rempart (AGPL-3.0-or-later); written from the algorithm description, not copied. */
(function (root) {
  "use strict";

  var LUMA_R = 0.299, LUMA_G = 0.587, LUMA_B = 0.114;
  var PASSES = 2;
  var DCT = (function () {
    var d = new Float32Array(16 * 64), scale = Math.sqrt(2.0 / 64.0);
    for (var i = 0; i < 16; i++) {
      for (var j = 0; j < 64; j++) {
        d[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64.0) * (i + 1) * (2 * j + 1));
      }
    }
    return d;
  })();

  function luminance(rgba, count) {
    var out = new Float32Array(count);
    for (var i = 0, p = 0; i < count; i++, p += 4) {
      out[i] = LUMA_R * rgba[p] + LUMA_G * rgba[p + 1] + LUMA_B * rgba[p + 2];
    }
    return out;
  }

  function windowSize(oldDim, newDim) {
    return Math.floor((oldDim + 2 * newDim - 1) / (2 * newDim));
  }

  // One box filter along a strided vector, with the reference's four phases (shrinking edges).
  function box1D(input, output, start, length, stride, full) {
    var half = Math.floor((full + 2) / 2);
    var p1 = half - 1, p2 = full - half + 1, p3 = length - full, p4 = half - 1;
    var li = start, ri = start, oi = start, sum = 0, size = 0, i;
    for (i = 0; i < p1; i++) { sum += input[ri]; size++; ri += stride; }
    for (i = 0; i < p2; i++) {
      sum += input[ri]; size++; output[oi] = sum / size; ri += stride; oi += stride;
    }
    for (i = 0; i < p3; i++) {
      sum += input[ri]; sum -= input[li]; output[oi] = sum / size;
      li += stride; ri += stride; oi += stride;
    }
    for (i = 0; i < p4; i++) {
      sum -= input[li]; size--; output[oi] = sum / size; li += stride; oi += stride;
    }
  }

  function jarosz(buf1, buf2, rows, cols, winRows, winCols) {
    for (var n = 0; n < PASSES; n++) {
      for (var i = 0; i < rows; i++) box1D(buf1, buf2, i * cols, cols, 1, winRows);
      for (var j = 0; j < cols; j++) box1D(buf2, buf1, j, rows, cols, winCols);
    }
  }

  function decimate(input, rows, cols) {
    var out = new Float32Array(64 * 64);
    for (var i = 0; i < 64; i++) {
      var ini = Math.floor(((i + 0.5) * rows) / 64);
      for (var j = 0; j < 64; j++) {
        var inj = Math.floor(((j + 0.5) * cols) / 64);
        out[i * 64 + j] = input[ini * cols + inj];
      }
    }
    return out;
  }

  function quality(b) {
    var sum = 0, i, j;
    for (i = 0; i < 63; i++) {
      for (j = 0; j < 64; j++) sum += Math.abs(Math.trunc(((b[i * 64 + j] - b[(i + 1) * 64 + j]) * 100) / 255));
    }
    for (i = 0; i < 64; i++) {
      for (j = 0; j < 63; j++) sum += Math.abs(Math.trunc(((b[i * 64 + j] - b[i * 64 + j + 1]) * 100) / 255));
    }
    return Math.min(100, Math.floor(sum / 90));
  }

  function dct64To16(a) {
    var t = new Float32Array(16 * 64), out = new Float32Array(256), i, j, k, s;
    for (i = 0; i < 16; i++) {
      for (j = 0; j < 64; j++) {
        s = 0;
        for (k = 0; k < 64; k++) s += DCT[i * 64 + k] * a[k * 64 + j];
        t[i * 64 + j] = s;
      }
    }
    for (i = 0; i < 16; i++) {
      for (j = 0; j < 16; j++) {
        s = 0;
        for (k = 0; k < 64; k++) s += t[i * 64 + k] * DCT[j * 64 + k];
        out[i * 16 + j] = s;
      }
    }
    return out;
  }

  function toHex(coefficients) {
    var sorted = Array.prototype.slice.call(coefficients).sort(function (x, y) { return x - y; });
    var median = sorted[127]; // the reference's Torben median: the lower of the two middles
    var hex = "";
    for (var word = 15; word >= 0; word--) {
      var w = 0;
      for (var bit = 15; bit >= 0; bit--) {
        w = (w << 1) | (coefficients[word * 16 + bit] > median ? 1 : 0);
      }
      hex += ("0000" + w.toString(16)).slice(-4);
    }
    return hex;
  }

  /** Hash RGBA pixels (e.g. ImageData.data) of a width x height image: {hash, quality}. */
  function hashRGBA(rgba, width, height) {
    var count = width * height;
    var buf1 = luminance(rgba, count), buf2 = new Float32Array(count);
    jarosz(buf1, buf2, height, width, windowSize(width, 64), windowSize(height, 64));
    var small = decimate(buf1, height, width);
    return { hash: toHex(dct64To16(small)), quality: quality(small) };
  }

  function hamming(a, b) {
    var d = 0;
    for (var i = 0; i < a.length; i++) {
      var x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
      while (x) { d += x & 1; x >>= 1; }
    }
    return d;
  }

  var api = { hashRGBA: hashRGBA, hamming: hamming };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.RempartPDQ = api;
})(this);
