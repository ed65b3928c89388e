// Draw a digit, read the demo network's class probabilities: the explorer's preprocessing
// (jaxscratch.data.drawing: pen strokes -> ink -> crop -> 20x20 box by Pillow's Lanczos filter
// -> centre of mass in the frame) and the network's forward pass, batch norm folded into the
// dense layers (jaxscratch.nn.fold_batch_norm), all in the reader's browser.
//
// Contract: this file is the body of every CustomJS of the digit panel. Bokeh passes strokes
// (the FreehandDrawTool's xs, ys), net (w, b: the folded layers, w flat row-major (in, out)),
// proba, preview, readout, spec and `action` ("predict" or "clear"). The first call installs
// window.jaxscratch.mnist: rasterize, mnistLike, preprocess, forward, spec and move(i), one scripted
// stroke that redraws, for the tests and the benchmark.

// Half-to-even rounding, as Python's round() of a float.
function roundHalfEven(v) {
  const r = Math.round(v)
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r
}

// Grey (size x size) ink of polylines in the unit square (y up), row 0 at the top: 1 within
// `radius` of a segment, falling linearly to 0 over one pixel. Only the pixels near each
// segment are visited; the others are 0, as in the full distance transform.
function rasterize(strokes, size, radius) {
  const dist = new Float64Array(size * size).fill(Infinity)
  const reach = radius + 1 / size
  for (const [xs, ys] of strokes) {
    const k = xs.length
    const segments = k === 1 ? 1 : k - 1  // a dot is a zero-length segment
    for (let s = 0; s < segments; s++) {
      const ax = xs[s], ay = ys[s]
      const bx = k === 1 ? ax : xs[s + 1], by = k === 1 ? ay : ys[s + 1]
      const abx = bx - ax, aby = by - ay
      const ab2 = Math.max(abx * abx + aby * aby, 1e-12)
      const c0 = Math.max(0, Math.floor((Math.min(ax, bx) - reach) * size))
      const c1 = Math.min(size - 1, Math.ceil((Math.max(ax, bx) + reach) * size))
      const r0 = Math.max(0, Math.floor((1 - Math.max(ay, by) - reach) * size))
      const r1 = Math.min(size - 1, Math.ceil((1 - Math.min(ay, by) + reach) * size))
      for (let r = r0; r <= r1; r++) {
        const py = 1 - (r + 0.5) / size
        for (let c = c0; c <= c1; c++) {
          const px = (c + 0.5) / size
          const apx = px - ax, apy = py - ay
          const t = Math.min(Math.max((apx * abx + apy * aby) / ab2, 0), 1)
          const d = Math.hypot(apx - t * abx, apy - t * aby)
          if (d < dist[r * size + c]) dist[r * size + c] = d
        }
      }
    }
  }
  return dist.map((d) => Math.min(Math.max((radius - d) * size + 0.5, 0), 1))
}

function lanczos(x) {
  const sinc = (u) => (u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u))
  return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0
}

// Pillow's resampling weights (precompute_coeffs in libImaging/Resample.c): for each output
// pixel the first input index and the normalised Lanczos weights, widened when shrinking.
function coefficients(inSize, outSize) {
  const scale = inSize / outSize
  const filterScale = Math.max(scale, 1)
  const support = 3 * filterScale
  return Array.from({length: outSize}, (_, o) => {
    const centre = (o + 0.5) * scale
    const lo = Math.max(0, Math.trunc(centre - support + 0.5))
    const hi = Math.min(inSize, Math.trunc(centre + support + 0.5))
    const w = Array.from({length: hi - lo}, (_, i) => lanczos((i + lo - centre + 0.5) / filterScale))
    const total = w.reduce((a, b) => a + b, 0)
    return {lo, w: total === 0 ? w : w.map((v) => v / total)}
  })
}

// Image.resize((w, h), LANCZOS) of a float32 ("F") image: horizontal pass, then vertical,
// each stored as float32, a pass skipped when its size does not change.
function resize(img, h, w, outH, outW) {
  let cur = Float32Array.from(img)
  let curW = w
  if (outW !== w) {
    const cs = coefficients(w, outW)
    const next = new Float32Array(h * outW)
    for (let r = 0; r < h; r++) {
      cs.forEach(({lo, w: k}, o) => {
        let s = 0
        for (let i = 0; i < k.length; i++) s += cur[r * w + lo + i] * k[i]
        next[r * outW + o] = s
      })
    }
    cur = next
    curW = outW
  }
  if (outH !== h) {
    const cs = coefficients(h, outH)
    const next = new Float32Array(outH * curW)
    cs.forEach(({lo, w: k}, o) => {
      for (let c = 0; c < curW; c++) {
        let s = 0
        for (let i = 0; i < k.length; i++) s += cur[(lo + i) * curW + c] * k[i]
        next[o * curW + c] = s
      }
    })
    cur = next
  }
  return cur
}

// drawing.mnist_like: crop the ink (> 0.05), fit it into a box x box square keeping its
// aspect, paste it so its centre of mass sits at the frame's centre. Float32 (h * w).
function mnistLike(image, size, h, w, box, ink) {
  const out = new Float32Array(h * w)
  let r0 = size, r1 = -1, c0 = size, c1 = -1
  image.forEach((v, i) => {
    if (v > ink) {
      const r = Math.floor(i / size), c = i % size
      r0 = Math.min(r0, r); r1 = Math.max(r1, r); c0 = Math.min(c0, c); c1 = Math.max(c1, c)
    }
  })
  if (r1 < 0) return out
  const cropH = r1 - r0 + 1, cropW = c1 - c0 + 1
  const crop = new Float64Array(cropH * cropW)
  for (let r = 0; r < cropH; r++) {
    for (let c = 0; c < cropW; c++) crop[r * cropW + c] = image[(r + r0) * size + c + c0]
  }
  const scale = box / Math.max(cropH, cropW)
  const ch = Math.max(1, roundHalfEven(cropH * scale)), cw = Math.max(1, roundHalfEven(cropW * scale))
  const digit = Array.from(resize(crop, cropH, cropW, ch, cw), (v) => Math.min(Math.max(v, 0), 1))
  const mass = digit.reduce((a, b) => a + b, 0)
  if (mass <= 0) return out
  let cy = 0, cx = 0
  digit.forEach((v, i) => {
    cy += v * (Math.floor(i / cw) + 0.5)
    cx += v * ((i % cw) + 0.5)
  })
  const top = Math.min(Math.max(roundHalfEven(h / 2 - cy / mass), 0), h - ch)
  const left = Math.min(Math.max(roundHalfEven(w / 2 - cx / mass), 0), w - cw)
  for (let r = 0; r < ch; r++) {
    for (let c = 0; c < cw; c++) out[(top + r) * w + left + c] = digit[r * cw + c]
  }
  return out
}

function preprocess(xs, ys, s) {
  const strokes = Array.from(xs, (x, i) => [Array.from(x), Array.from(ys[i])]).filter(([x]) => x.length)
  const ink = rasterize(strokes, s.raster, s.radius)
  return mnistLike(ink, s.raster, s.shape[0], s.shape[1], s.box, s.ink)
}

const ACTIVATIONS = {
  relu: (v) => Math.max(v, 0),
  tanh: Math.tanh,
  gelu: (v) => 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v ** 3))),
}

// Class probabilities of one flattened input: dense -> activation ... dense -> softmax.
function forward(x, ws, bs, activation) {
  const act = ACTIVATIONS[activation]
  let h = Float64Array.from(x)
  ws.forEach((w, l) => {
    const b = bs[l]
    const out = Float64Array.from(b)
    const fanOut = b.length
    for (let i = 0; i < h.length; i++) {
      const hi = h[i]
      if (hi === 0) continue
      const row = i * fanOut
      for (let j = 0; j < fanOut; j++) out[j] += hi * w[row + j]
    }
    h = l < ws.length - 1 ? out.map(act) : out
  })
  const top = Math.max(...h)
  const e = h.map((v) => Math.exp(v - top))
  const total = e.reduce((a, v) => a + v, 0)
  return Array.from(e, (v) => v / total)
}

function predictDrawing(m) {
  const s = m.spec
  const [h, w] = s.shape
  const x = preprocess(m.strokes.data.xs, m.strokes.data.ys, s)
  const drawn = x.some((v) => v > 0)
  const p = drawn ? forward(x, m.net.data.w, m.net.data.b, s.activation) : s.classes.map(() => 0)
  const flipped = new Float64Array(h * w)  // Bokeh images have row 0 at the bottom
  for (let r = 0; r < h; r++) flipped.set(x.subarray((h - 1 - r) * w, (h - r) * w), r * w)
  const like = m.preview.data.image[0]  // an (h, w) NDArray: make another of its kind
  m.preview.data = {image: [new like.constructor(flipped, [h, w])]}
  m.proba.data = {cls: s.classes, p}
  const best = p.indexOf(Math.max(...p))
  showText(m.readout, drawn
    ? `prediction: <b>${s.classes[best]}</b> (p = ${p[best].toFixed(2)})`
    : "draw a digit")
  return p
}

// Move i of a fixed script: a new stroke (a tilted loop or a bar), as if drawn by hand.
function move(m, i) {
  const n = 40
  const t = Array.from({length: n}, (_, j) => j / (n - 1))
  const tilt = 0.3 * Math.sin(i)
  const xs = i % 2 ? t.map((u) => 0.5 + 0.25 * Math.sin(2 * Math.PI * u) + tilt * (u - 0.5))
                   : t.map((u) => 0.5 + tilt * (u - 0.5))
  const ys = i % 2 ? t.map((u) => 0.5 + 0.35 * Math.cos(2 * Math.PI * u)) : t.map((u) => 0.85 - 0.7 * u)
  m.strokes.data = {xs: [xs], ys: [ys]}
}

const models = {strokes, net, proba, preview, readout, spec}
window.jaxscratch = window.jaxscratch ?? {}
window.jaxscratch.mnist = {
  rasterize, mnistLike, preprocess, forward, spec,
  predict: (xs, ys) => forward(preprocess(xs, ys, spec), net.data.w, net.data.b, spec.activation),
  move: (i) => move(models, i),
}
if (action === "clear") strokes.data = {xs: [], ys: []}
else predictDrawing(models)
