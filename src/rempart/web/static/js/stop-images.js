/* The on-device hasher of /stop-images: reads the chosen files locally (object URLs and
 * createImageBitmap, File.slice; videos through an object URL), computes PDQ (images, video frames at 1 per second) and MD5 (videos), and puts
 * only the hashes into hidden form fields. The file input has no name and sits outside the form,
 * so the file itself can never be sent. Part of Rempart (AGPL-3.0-or-later). */
(function () {
  "use strict";

  var MIN_QUALITY = 50;
  var MAX_PIXELS = 16000000; // larger pictures are scaled down first (memory of small phones)
  var MAX_VIDEO_FRAMES = 900; // 15 minutes at one frame per second
  var MD5_SLICE = 4 * 1024 * 1024;

  var statusLine, list, fields, sendButton, canvas, context;

  function pixelsOf(source, width, height) {
    var scale = Math.min(1, Math.sqrt(MAX_PIXELS / (width * height)));
    var w = Math.max(1, Math.round(width * scale)), h = Math.max(1, Math.round(height * scale));
    canvas.width = w; canvas.height = h;
    context.drawImage(source, 0, 0, w, h);
    return { data: context.getImageData(0, 0, w, h).data, width: w, height: h };
  }

  function hashDrawable(source, width, height) {
    var px = pixelsOf(source, width, height);
    return window.RempartPDQ.hashRGBA(px.data, px.width, px.height);
  }

  function addField(value) {
    var input = document.createElement("input");
    input.type = "hidden"; input.name = "hash"; input.value = value;
    fields.appendChild(input);
    sendButton.disabled = false;
  }

  // The full 64 digits overflow a phone's width; the start is enough to tell files apart.
  function shortHash(hex) { return "PDQ " + hex.slice(0, 16) + "…"; }

  function report(file, text, attributes) {
    var item = document.createElement("li");
    item.textContent = file.name + " — " + text;
    Object.keys(attributes || {}).forEach(function (key) { item.setAttribute(key, attributes[key]); });
    list.appendChild(item);
  }

  // createImageBitmap decodes the File in memory: no URL to load, so the strict CSP holds.
  function hashImage(file) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var result;
      try { result = hashDrawable(bitmap, bitmap.width, bitmap.height); } finally { bitmap.close(); }
      var usable = result.quality >= MIN_QUALITY;
      if (usable) addField("pdq|" + result.hash + "|" + result.quality);
      report(file, usable ? shortHash(result.hash) : statusLine.dataset.unusable,
             { "data-pdq": result.hash, "data-quality": String(result.quality) });
    });
  }

  function md5OfFile(file) {
    var md5 = new window.RempartMD5.MD5(), offset = 0;
    function next() {
      if (offset >= file.size) return Promise.resolve(md5.hex());
      var slice = file.slice(offset, offset + MD5_SLICE);
      offset += MD5_SLICE;
      return slice.arrayBuffer().then(function (buffer) { md5.update(new Uint8Array(buffer)); return next(); });
    }
    return next();
  }

  function once(element, event) {
    return new Promise(function (resolve, reject) {
      function done() { element.removeEventListener("error", failed); resolve(); }
      function failed() { element.removeEventListener(event, done); reject(new Error("video")); }
      element.addEventListener(event, done, { once: true });
      element.addEventListener("error", failed, { once: true });
    });
  }

  function videoFrames(file) {
    var url = URL.createObjectURL(file), video = document.createElement("video"), frames = [];
    video.muted = true; video.preload = "auto"; video.src = url;
    function frameAt(second) {
      if (second >= video.duration || frames.length >= MAX_VIDEO_FRAMES) return Promise.resolve(frames);
      video.currentTime = second;
      return once(video, "seeked").then(function () {
        var r = hashDrawable(video, video.videoWidth, video.videoHeight);
        frames.push(r.hash + "," + r.quality + "," + second.toFixed(3));
        return frameAt(second + 1);
      });
    }
    return once(video, "loadeddata").then(function () { return frameAt(0); })
      .finally(function () { video.removeAttribute("src"); URL.revokeObjectURL(url); });
  }

  function hashVideo(file) {
    return md5OfFile(file).then(function (md5) {
      addField("video_md5|" + md5);
      return videoFrames(file).then(function (frames) {
        if (frames.length) addField("vpdq|" + frames.join(","));
        report(file, "MD5 " + md5.slice(0, 16) + "…, " + frames.length + " × PDQ",
               { "data-md5": md5, "data-frames": String(frames.length) });
      }, function () {
        report(file, "MD5 " + md5.slice(0, 16) + "…", { "data-md5": md5, "data-frames": "0" });
      });
    });
  }

  function hashFiles(files) {
    fields.textContent = ""; list.textContent = ""; sendButton.disabled = true;
    statusLine.textContent = statusLine.dataset.working;
    var work = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      work = work.then(function () {
        var job = file.type.indexOf("video/") === 0 ? hashVideo(file) : hashImage(file);
        return job.catch(function () { report(file, statusLine.dataset.failed, { "data-error": "1" }); });
      });
    });
    return work.then(function () {
      statusLine.textContent = statusLine.dataset.done;
      document.body.setAttribute("data-hashing", "done");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.getElementById("hasher");
    if (!section) return;
    statusLine = document.getElementById("hash-status");
    list = document.getElementById("hash-list");
    fields = document.getElementById("hash-fields");
    sendButton = document.getElementById("send-hashes");
    canvas = document.createElement("canvas");
    context = canvas.getContext("2d", { willReadFrequently: true });
    section.hidden = false;
    document.getElementById("media-file").addEventListener("change", function (event) {
      document.body.setAttribute("data-hashing", "working");
      hashFiles(event.target.files);
    });
  });
})();
