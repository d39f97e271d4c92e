// gdnotes animation player: play/pause and a frame scrubber for every GIF figure (.gd-anim).
//
// The page ships the GIF itself (inside a <picture> whose reduced-motion source is the still), so
// with JavaScript off the browser plays it natively, or shows the still under reduced motion, and
// the caption links to both. With JavaScript on, this module decodes the GIF's frames (a GIF is a
// header, one palette and LZW-compressed frame patches: ~100 lines below), draws them on a canvas
// over the image, and adds the controls. Under prefers-reduced-motion the player starts paused on
// the still (the last frame) and decodes nothing until the reader presses Play or moves the slider.
// A player that is hidden (the light twin while the dark scheme shows the dark still) fetches
// nothing until a change of scheme shows it, and one hidden while playing stops drawing frames
// until it is shown again.
// Checked by tests/browser/test_screens.py (pausing stops the frames), test_motion.py (hiding
// stops them) and test_accessibility.py.

const REDUCED = window.matchMedia("(prefers-reduced-motion: reduce)");

// ----------------------------------------------------------------------------- GIF decoding
// LZW: codes of growing width (min+1 .. 12 bits) name strings in a dictionary that the decoder
// rebuilds as it reads; `clear` resets it, `end` stops.
function lzw(minSize, data, count) {
  const out = new Uint8Array(count);
  const clear = 1 << minSize;
  const end = clear + 1;
  const prefix = new Uint16Array(4096);
  const suffix = new Uint8Array(4096);
  const stack = new Uint8Array(4097);
  for (let i = 0; i < clear; i++) suffix[i] = i;
  let size = minSize + 1, next = end + 1, prev = -1, first = 0;
  let bits = 0, datum = 0, pos = 0, written = 0;
  while (written < count) {
    while (bits < size && pos < data.length) { datum |= data[pos++] << bits; bits += 8; }
    if (bits < size) break;
    const code = datum & ((1 << size) - 1);
    datum >>>= size; bits -= size;
    if (code === clear) { size = minSize + 1; next = end + 1; prev = -1; continue; }
    if (code === end) break;
    if (prev === -1) { out[written++] = suffix[code]; prev = first = code; continue; }
    let top = 0, c = code;
    if (code >= next) { stack[top++] = first; c = prev; }  // the string being defined right now
    while (c >= clear) { stack[top++] = suffix[c]; c = prefix[c]; }
    first = suffix[c];
    stack[top++] = first;
    if (next < 4096) {
      prefix[next] = prev; suffix[next] = first; next++;
      if (next === 1 << size && size < 12) size++;
    }
    prev = code;
    while (top > 0 && written < count) out[written++] = stack[--top];
  }
  return out;
}

// Rows of an interlaced frame come in four passes: every 8th from 0, every 8th from 4, ...
function deinterlace(pixels, width, height) {
  const out = new Uint8Array(pixels.length);
  let row = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) {
    for (let y = start; y < height; y += step, row++) {
      out.set(pixels.subarray(row * width, (row + 1) * width), y * width);
    }
  }
  return out;
}

// {width, height, frames: [{x, y, width, height, rgba, delay (ms), disposal}]}
export function decodeGif(bytes) {
  const u16 = (at) => bytes[at] | (bytes[at + 1] << 8);
  const signature = String.fromCharCode(...bytes.subarray(0, 6));
  if (!/^GIF8[79]a$/.test(signature)) throw new Error(`not a GIF (starts with ${signature})`);
  const width = u16(6), height = u16(8), packed = bytes[10];
  let pos = 13, globalPalette = null;
  if (packed & 0x80) {
    const n = 3 << ((packed & 7) + 1);
    globalPalette = bytes.subarray(pos, pos + n);
    pos += n;
  }
  const frames = [];
  let control = { delay: 0, disposal: 0, transparent: -1 };
  const subBlocks = () => {
    const parts = [];
    let total = 0;
    for (let n = bytes[pos++]; n > 0; n = bytes[pos++]) {
      parts.push(bytes.subarray(pos, pos + n)); total += n; pos += n;
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const part of parts) { joined.set(part, at); at += part.length; }
    return joined;
  };
  while (pos < bytes.length) {
    const block = bytes[pos++];
    if (block === 0x3b) break;  // trailer
    if (block === 0x21) {  // extension
      const label = bytes[pos++];
      const body = subBlocks();
      if (label === 0xf9 && body.length >= 4) {
        control = {
          disposal: (body[0] >> 2) & 7,
          delay: (body[1] | (body[2] << 8)) * 10,
          transparent: body[0] & 1 ? body[3] : -1,
        };
      }
    } else if (block === 0x2c) {  // image descriptor
      const x = u16(pos), y = u16(pos + 2), w = u16(pos + 4), h = u16(pos + 6), flags = bytes[pos + 8];
      pos += 9;
      let palette = globalPalette;
      if (flags & 0x80) {
        const n = 3 << ((flags & 7) + 1);
        palette = bytes.subarray(pos, pos + n);
        pos += n;
      }
      const minSize = bytes[pos++];
      let pixels = lzw(minSize, subBlocks(), w * h);
      if (flags & 0x40) pixels = deinterlace(pixels, w, h);
      const rgba = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < pixels.length; i++) {
        const p = pixels[i];
        if (p === control.transparent) continue;  // alpha stays 0
        rgba[4 * i] = palette[3 * p];
        rgba[4 * i + 1] = palette[3 * p + 1];
        rgba[4 * i + 2] = palette[3 * p + 2];
        rgba[4 * i + 3] = 255;
      }
      // browsers show a delay under 20 ms as 100 ms; so do we
      const delay = control.delay < 20 ? 100 : control.delay;
      frames.push({ x, y, width: w, height: h, rgba, delay, disposal: control.disposal });
      control = { delay: 0, disposal: 0, transparent: -1 };
    } else {
      throw new Error(`GIF block 0x${block.toString(16)} at byte ${pos - 1} is unknown`);
    }
  }
  if (!frames.length) throw new Error("the GIF has no frames");
  return { width, height, frames };
}

// ----------------------------------------------------------------------------- the player
class Player {
  constructor(root) {
    this.root = root;
    this.img = root.querySelector("img");
    this.count = Number(root.dataset.frames) || 1;
    this.frame = this.count - 1;  // the still is the last frame
    this.drawn = -1;  // the frame the canvas shows (frames are composited in order)
    this.playing = false;
    this.timer = 0;
    this.loading = null;
    this.build();
    this.waiting = !REDUCED.matches && !root.checkVisibility();
    if (REDUCED.matches || this.waiting) this.show(false);
    else this.play();
  }

  // Shown at last (the scheme changed): start as it would have on load.
  wake() {
    if (this.waiting && this.root.checkVisibility()) {
      this.waiting = false;
      this.play();
    }
  }

  build() {
    const controls = document.createElement("div");
    controls.className = "gd-anim__controls";
    controls.setAttribute("role", "group");
    controls.setAttribute("aria-label", "Animation controls");
    this.button = document.createElement("button");
    this.button.type = "button";
    this.button.className = "gd-anim__toggle";
    this.button.addEventListener("click", () => (this.playing ? this.pause() : this.play()));
    this.slider = document.createElement("input");
    this.slider.type = "range";
    this.slider.className = "gd-anim__scrubber";
    this.slider.min = "0";
    this.slider.max = String(this.count - 1);
    this.slider.step = "1";
    this.slider.setAttribute("aria-label", "Frame");
    this.slider.addEventListener("input", () => this.seek(Number(this.slider.value)));
    this.label = document.createElement("span");
    this.label.className = "gd-anim__frame";
    this.label.setAttribute("aria-hidden", "true");
    controls.append(this.button, this.slider, this.label);
    this.root.append(controls);
    this.root.classList.add("gd-anim--ready");
  }

  // Decode the GIF once, on first need; the canvas then covers the image.
  load() {
    if (!this.loading) {
      this.loading = fetch(this.root.dataset.gif)
        .then((response) => {
          if (!response.ok) throw new Error(`${response.url}: HTTP ${response.status}`);
          return response.arrayBuffer();
        })
        .then(async (buffer) => {
          const gif = decodeGif(new Uint8Array(buffer));
          this.frames = gif.frames;
          this.count = gif.frames.length;
          this.slider.max = String(this.count - 1);
          this.patches = await Promise.all(gif.frames.map((f) =>
            createImageBitmap(new ImageData(f.rgba, f.width, f.height))));
          this.canvas = document.createElement("canvas");
          this.canvas.width = gif.width;
          this.canvas.height = gif.height;
          this.canvas.className = "gd-anim__canvas";
          this.canvas.setAttribute("role", "img");
          this.canvas.setAttribute("aria-label", this.img.alt);
          this.context = this.canvas.getContext("2d");
          this.img.after(this.canvas);
          this.root.classList.add("gd-anim--canvas");
        })
        .catch((error) => {  // keep the plain image (GIF or still) and say why
          console.warn("gdnotes player:", error);
          this.root.classList.add("gd-anim--failed");
          this.button.disabled = this.slider.disabled = true;
        });
    }
    return this.loading;
  }

  // Composite frames drawn+1 .. k (from the first frame when going back), honouring disposal.
  draw(k) {
    const ctx = this.context;
    if (!ctx) return;
    if (k < this.drawn) {
      ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
      this.drawn = -1;
    }
    for (let i = this.drawn + 1; i <= k; i++) {
      const before = this.frames[i - 1];
      if (before && before.disposal === 2) ctx.clearRect(before.x, before.y, before.width, before.height);
      if (before && before.disposal === 3 && this.saved) ctx.putImageData(this.saved, 0, 0);
      const f = this.frames[i];
      if (f.disposal === 3) this.saved = ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
      ctx.drawImage(this.patches[i], f.x, f.y);
    }
    this.drawn = k;
  }

  show(playing) {
    this.playing = playing;
    this.root.dataset.state = playing ? "playing" : "paused";
    this.button.textContent = playing ? "Pause" : "Play";
    this.button.setAttribute("aria-label", playing ? "Pause the animation" : "Play the animation");
    this.slider.value = String(this.frame);
    const text = `Frame ${this.frame + 1} of ${this.count}`;
    this.slider.setAttribute("aria-valuetext", text);
    this.label.textContent = `${this.frame + 1} / ${this.count}`;
    this.draw(this.frame);
  }

  async play() {
    this.show(true);
    await this.load();
    if (!this.playing || !this.frames) return;
    clearTimeout(this.timer);
    if (this.frame >= this.count - 1) this.frame = -1;  // from the end: start over
    const tick = () => {
      if (!this.playing) return;
      if (!this.root.checkVisibility()) {  // hidden by a change of scheme: no frames until wake()
        this.waiting = true;
        return;
      }
      this.frame = (this.frame + 1) % this.count;
      this.show(true);
      this.timer = setTimeout(tick, this.frames[this.frame].delay);
    };
    tick();
  }

  pause() {
    clearTimeout(this.timer);
    this.show(false);
  }

  async seek(k) {
    clearTimeout(this.timer);
    this.frame = k;
    this.show(false);
    await this.load();
    this.show(false);
  }
}

function start() {
  for (const root of document.querySelectorAll(".gd-anim:not(.gd-anim--ready)")) {
    try {
      root.player = new Player(root);
    } catch (error) {
      console.warn("gdnotes player:", error);
    }
  }
}

// material switches the scheme on <body data-md-color-scheme> (its toggle, or the system's).
new MutationObserver(() => {
  for (const root of document.querySelectorAll(".gd-anim")) if (root.player) root.player.wake();
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

if (typeof document$ !== "undefined") document$.subscribe(start);
else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
