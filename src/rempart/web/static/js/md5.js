/* Incremental MD5 (RFC 1321) for StopNCII's video_md5 signal: the file is read in slices on
 * this device and never uploaded. Part of Rempart (AGPL-3.0-or-later), written from RFC 1321. */
(function (root) {
  "use strict";

  var S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
    5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
  var K = new Int32Array(64);
  for (var n = 0; n < 64; n++) K[n] = Math.floor(Math.abs(Math.sin(n + 1)) * 4294967296) | 0;

  function MD5() {
    this.h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
    this.buffer = new Uint8Array(64);
    this.buffered = 0;
    this.length = 0; // bytes, exact up to 2^53
    this.words = new Int32Array(16);
  }

  MD5.prototype.block = function (bytes, offset) {
    var m = this.words, i;
    for (i = 0; i < 16; i++) {
      var p = offset + i * 4;
      m[i] = bytes[p] | (bytes[p + 1] << 8) | (bytes[p + 2] << 16) | (bytes[p + 3] << 24);
    }
    var a = this.h[0], b = this.h[1], c = this.h[2], d = this.h[3], f, g, t;
    for (i = 0; i < 64; i++) {
      if (i < 16) { f = (b & c) | (~b & d); g = i; }
      else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
      else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
      else { f = c ^ (b | ~d); g = (7 * i) & 15; }
      t = d; d = c; c = b;
      var x = (a + f + K[i] + m[g]) | 0;
      b = (b + ((x << S[i]) | (x >>> (32 - S[i])))) | 0;
      a = t;
    }
    this.h[0] = (this.h[0] + a) | 0; this.h[1] = (this.h[1] + b) | 0;
    this.h[2] = (this.h[2] + c) | 0; this.h[3] = (this.h[3] + d) | 0;
  };

  MD5.prototype.update = function (bytes) {
    var i = 0;
    this.length += bytes.length;
    if (this.buffered) {
      while (i < bytes.length && this.buffered < 64) this.buffer[this.buffered++] = bytes[i++];
      if (this.buffered < 64) return this;
      this.block(this.buffer, 0);
      this.buffered = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.block(bytes, i);
    while (i < bytes.length) this.buffer[this.buffered++] = bytes[i++];
    return this;
  };

  MD5.prototype.hex = function () {
    var bits = this.length * 8, tail = new Uint8Array(((this.buffered + 8) >> 6 << 6) + 64 - this.buffered);
    tail[0] = 0x80;
    var end = tail.length - 8;
    for (var i = 0; i < 8; i++) { tail[end + i] = bits % 256; bits = Math.floor(bits / 256); }
    this.update(tail);
    var out = "";
    for (var w = 0; w < 4; w++) {
      for (var byteIndex = 0; byteIndex < 4; byteIndex++) {
        out += ("0" + ((this.h[w] >>> (8 * byteIndex)) & 255).toString(16)).slice(-2);
      }
    }
    return out;
  };

  var api = { MD5: MD5 };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.RempartMD5 = api;
})(this);
