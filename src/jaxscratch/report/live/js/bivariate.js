// The live bivariate panel (report/live/bivariate.py): the closed forms of the 2-D normal
// (Bishop PRML §2.3) and the redraw they drive.
//
// This file is the body of one Bokeh CustomJS. Its args are in scope: `sliders` (mux, muy, sx,
// sy, rho and the cloud's size n), `preset` and `presets`, the data sources `src`, the slice
// `spans`, the scatter `main`, the marginal panels' density `ranges` (top_y, right_x), the
// density's colours from its zero to its peak `palette` (RGBA pixels), the `readout` Div, the
// ellipse radii `ks` with their legend `labels`, the window `snap`, how a slice stands on its
// line (`sliceLook`: its peak's distance off the line as a fraction of the window, `reach`; the
// fraction of its peak below which it is not drawn, `tail`) and the look of a sample's `dot`
// (diameter in pixels, opacity, colour). `cb_obj` is what fired: a slider, the preset, a click on the
// scatter, the scatter's frame taking its size, or document_ready.
// Each function mirrors one in jaxscratch.gaussian.bivariate or scenes.bivariate; the browser
// tests hold them to the library's numbers.

const BINS = 40 // histogram bins per marginal
const ELLIPSE_POINTS = 181
const HALF_WIDTH = 3.5 // the window is mu -/+ 3.5 sigma, snapped outwards

const field = (m, k) => (m instanceof Map ? m.get(k) : m[k]) // Bokeh hands dicts over as Maps

function cholesky(p) {
  // Sigma = L L^T with L = [[sx, 0], [rho sy, sy sqrt(1 - rho^2)]]
  return [[p.sx, 0], [p.rho * p.sy, p.sy * Math.sqrt(1 - p.rho * p.rho)]]
}

function density(p, x, y) {
  // exp(-q / 2) / (2 pi sx sy sqrt(1 - rho^2)), q the squared Mahalanobis distance
  const u = (x - p.mux) / p.sx
  const v = (y - p.muy) / p.sy
  const oneMinusR2 = 1 - p.rho * p.rho
  const q = (u * u - 2 * p.rho * u * v + v * v) / oneMinusR2
  return Math.exp(-0.5 * q) / (2 * Math.PI * p.sx * p.sy * Math.sqrt(oneMinusR2))
}

function normalPdf(t, mean, sd) {
  const u = (t - mean) / sd
  return Math.exp(-0.5 * u * u) / (sd * Math.sqrt(2 * Math.PI))
}

function conditionalY(p, x0) {
  // p(y | x = x0) = N(muy + rho sy (x0 - mux) / sx, sy^2 (1 - rho^2))
  return {
    mean: p.muy + (p.rho * p.sy * (x0 - p.mux)) / p.sx,
    sd: p.sy * Math.sqrt(1 - p.rho * p.rho),
  }
}

function conditionalX(p, y0) {
  // p(x | y = y0) = N(mux + rho sx (y0 - muy) / sy, sx^2 (1 - rho^2))
  return {
    mean: p.mux + (p.rho * p.sx * (y0 - p.muy)) / p.sy,
    sd: p.sx * Math.sqrt(1 - p.rho * p.rho),
  }
}

function ellipse(p, k, num = ELLIPSE_POINTS) {
  // {x : (x - mu)^T Sigma^-1 (x - mu) = k^2} as mu + k L [cos t, sin t], t from 0 to 2 pi
  const L = cholesky(p)
  const xs = new Float64Array(num)
  const ys = new Float64Array(num)
  for (let i = 0; i < num; i++) {
    const t = ((2 * Math.PI) / (num - 1)) * i
    const c = Math.cos(t)
    const s = Math.sin(t)
    xs[i] = p.mux + k * (L[0][0] * c)
    ys[i] = p.muy + k * (L[1][0] * c + L[1][1] * s)
  }
  return { xs, ys }
}

function eigen(p) {
  // eigenvalues of Sigma, descending (the minor one as det / major: no cancellation), and the
  // tilt of the major axis, theta = atan2(2 S_xy, S_xx - S_yy) / 2
  const a = p.sx * p.sx
  const c = p.sy * p.sy
  const b = p.rho * p.sx * p.sy
  const major = 0.5 * (a + c) + Math.hypot(0.5 * (a - c), b)
  const det = a * c * (1 - p.rho * p.rho)
  return { values: [major, det / major], tilt: 0.5 * Math.atan2(2 * b, a - c) }
}

function eigenAxes(p) {
  // segments mu -/+ sqrt(lambda_i) v_i, major axis first
  const e = eigen(p)
  const c = Math.cos(e.tilt)
  const s = Math.sin(e.tilt)
  return [
    [c, s],
    [-s, c],
  ].map(([vx, vy], i) => {
    const h = Math.sqrt(e.values[i])
    return { xs: [p.mux - h * vx, p.mux + h * vx], ys: [p.muy - h * vy, p.muy + h * vy] }
  })
}

function plotWindow(p, step) {
  // (xlo, xhi, ylo, yhi): mu -/+ 3.5 max(sx, sy) on both axes, edges snapped to multiples of step
  const h = HALF_WIDTH * Math.max(p.sx, p.sy)
  const down = (v) => Math.floor(v / step) * step
  const up = (v) => Math.ceil(v / step) * step
  return [down(p.mux - h), up(p.mux + h), down(p.muy - h), up(p.muy + h)]
}

function linspace(lo, hi, num) {
  const out = new Float64Array(num)
  for (let i = 0; i < num; i++) out[i] = lo + ((hi - lo) * i) / (num - 1)
  return out
}

function histogram(values, lo, hi, bins) {
  // density histogram on equal bins: area = fraction of the values inside [lo, hi)
  const width = (hi - lo) / bins
  const counts = new Float64Array(bins)
  for (const v of values) {
    const i = Math.floor((v - lo) / width)
    if (i >= 0 && i < bins) counts[i] += 1
  }
  return counts.map((c) => c / (values.length * width))
}

function transform(p, z0, z1, n = z0.length) {
  // x = mu + L z for the first n base normals z = (z0, z1)
  const L = cholesky(p)
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    x[i] = p.mux + L[0][0] * z0[i]
    y[i] = p.muy + L[1][0] * z0[i] + L[1][1] * z1[i]
  }
  return { x, y }
}

function lightBuffer(size) {
  // one buffer for every frame (a new one a move was most of this panel's garbage)
  if (memo.light === undefined || memo.light.length !== size) memo.light = new Float32Array(size)
  return memo.light.fill(1)
}

function rasterise(x, y, win, width, height, scale = 1) {
  // the cloud as one RGBA image of width x height device pixels over the window (rows from its
  // bottom up, as Bokeh lays images out; scale device pixels to a screen pixel): each sample a
  // disc of dot.size screen pixels and opacity dot.alpha (anti-aliased at its rim), so that k
  // overlapping discs let 1 - (1 - alpha)^k through, as k fills of the canvas would. One image
  // is one draw for the canvas, whatever n is.
  const [xlo, xhi, ylo, yhi] = win
  const through = lightBuffer(width * height) // light that no disc has stopped, all 1 here
  const radius = (dot.size / 2) * scale
  const reach = Math.ceil(radius)
  const perX = width / (xhi - xlo)
  const perY = height / (yhi - ylo)
  for (let i = 0; i < x.length; i++) {
    const cx = (x[i] - xlo) * perX // the centre, in pixels from the lower-left corner
    const cy = (y[i] - ylo) * perY
    const rowEnd = Math.min(height - 1, Math.floor(cy + reach))
    const colEnd = Math.min(width - 1, Math.floor(cx + reach))
    for (let r = Math.max(0, Math.floor(cy - reach)); r <= rowEnd; r++) {
      for (let c = Math.max(0, Math.floor(cx - reach)); c <= colEnd; c++) {
        const dx = c + 0.5 - cx
        const dy = r + 0.5 - cy
        const cover = radius + 0.5 - Math.sqrt(dx * dx + dy * dy) // 1 inside, 0 outside
        if (cover > 0) through[r * width + c] *= 1 - dot.alpha * Math.min(cover, 1)
      }
    }
  }
  const rgb = dot.rgb[0] | (dot.rgb[1] << 8) | (dot.rgb[2] << 16) // bytes R, G, B, A in memory
  const pixels = new Uint32Array(width * height)
  for (let k = 0; k < pixels.length; k++) {
    const alpha = Math.round(255 * (1 - through[k]))
    if (alpha > 0) pixels[k] = (rgb | (alpha << 24)) >>> 0
  }
  return pixels
}

function shading(values, peak) {
  // each density value as the palette's colour, 0 to the peak in equal steps (Bokeh's
  // LinearColorMapper from 0 to the peak, as the explorer colours it)
  const steps = palette.length
  const pixels = new Uint32Array(values.length)
  for (let k = 0; k < values.length; k++) {
    pixels[k] = palette[Math.max(0, Math.min(steps - 1, Math.floor((values[k] / peak) * steps)))]
  }
  return pixels
}

function frameSize() {
  // the scatter's frame in device pixels (the cloud image is drawn one to one) and device
  // pixels to a screen pixel; a guess before the first layout (which then redraws)
  const ratio = window.devicePixelRatio || 1
  const w = main.inner_width > 0 ? main.inner_width : 400
  const h = main.inner_height > 0 ? main.inner_height : 400
  return [Math.round(w * ratio), Math.round(h * ratio), ratio]
}

function sampleMoments(x, y) {
  // sample mean and unbiased covariance, two-pass
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i]
    my += y[i]
  }
  mx /= n
  my /= n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const u = x[i] - mx
    const v = y[i] - my
    sxx += u * u
    sxy += u * v
    syy += v * v
  }
  return { mean: [mx, my], cov: [[sxx / (n - 1), sxy / (n - 1)], [sxy / (n - 1), syy / (n - 1)]] }
}

function readoutHtml(p, moments, x0, y0, n) {
  // the numbers beside the picture, as viz.bivariate.readout_html lays them out
  const f = (v, d = 3) => v.toFixed(d)
  const mat = (m) => `[[${f(m[0][0])}, ${f(m[0][1])}], [${f(m[1][0])}, ${f(m[1][1])}]]`
  const sxy = p.rho * p.sx * p.sy
  const e = eigen(p)
  const cy = conditionalY(p, x0)
  const cx = conditionalX(p, y0)
  const rows = [
    ["Σ", mat([[p.sx * p.sx, sxy], [sxy, p.sy * p.sy]])],
    ["det Σ", f(p.sx * p.sx * p.sy * p.sy * (1 - p.rho * p.rho), 4)],
    ["eigenvalues λ", `${f(e.values[0])}, ${f(e.values[1])}`],
    ["tilt θ", `${((e.tilt * 180) / Math.PI).toFixed(1)}°`],
    ["ellipse mass", labels.join(" · ")],
    [`sample μ̂ (n = ${n.toLocaleString("en")})`, `(${f(moments.mean[0])}, ${f(moments.mean[1])})`],
    ["sample Σ̂", mat(moments.cov)],
    [`p(y | x₀ = ${f(x0, 2)})`, `N(${f(cy.mean)}, ${f(cy.sd)}²)`],
    [`p(x | y₀ = ${f(y0, 2)})`, `N(${f(cx.mean)}, ${f(cx.sd)}²)`],
  ]
  const body = rows.map(([k, v], i) => `<tr><th>${k}</th><td class="bv-${i}">${v}</td></tr>`)
  return `<table class="bv-readout">${body.join("")}</table>`
}

function params() {
  const value = (name) => field(sliders, name).value
  return { mux: value("mux"), muy: value("muy"), sx: value("sx"), sy: value("sy"), rho: value("rho") }
}

const DENSITY_HEADROOM = 1.15 // the marginal panels' density axes end 15 % above the tallest

function sliceCurves(p, xs, ys, x0, y0) {
  // p(x | y0) over the x grid and p(y | x0) over the y grid, each drawn standing on its line:
  // the line plus the density in units of its peak 1 / (sd sqrt(2 pi)), so that the peak is
  // sliceLook.reach of the window off the line, and not drawn where it is below sliceLook.tail
  // of its peak, so that the dashed line shows there (viz.joint.slice_heights)
  const cx = conditionalX(p, y0)
  const cy = conditionalY(p, x0)
  const condX = xs.map((t) => normalPdf(t, cx.mean, cx.sd))
  const condY = ys.map((t) => normalPdf(t, cy.mean, cy.sd))
  const onLine = (at, extent, sd) => (d) => {
    const height = d * sd * Math.sqrt(2 * Math.PI) // 1 at the peak
    return height < sliceLook.tail ? NaN : at + sliceLook.reach * extent * height // NaN: a gap in the line
  }
  const width = xs[xs.length - 1] - xs[0]
  const height = ys[ys.length - 1] - ys[0]
  return {
    x: xs, cond_x: condX, hy: condX.map(onLine(y0, height, cx.sd)),
    y: ys, cond_y: condY, vx: condY.map(onLine(x0, width, cy.sd)),
  }
}

function setRange(range, start, end) {
  if (range.start !== start || range.end !== end) range.setv({ start, end })
}

function densityTop(tallest) {
  // the density axis's end: 15 % above the tallest, rounded up to half a power of ten (0.05,
  // 0.5, 5, ...), so most moves keep the axis as it is and its ticks are not recomputed
  const step = 10 ** Math.floor(Math.log10(DENSITY_HEADROOM * tallest)) / 2
  return Math.ceil((DENSITY_HEADROOM * tallest) / step) * step
}

function densityRanges(pdfX, pdfY, histX, histY) {
  // fixed ranges, set here, rather than Bokeh's data ranges recomputed on every change
  const top = (...arrays) => densityTop(Math.max(...arrays.map((a) => Math.max(...a))))
  setRange(ranges.top_y, 0, top(pdfX, histX))
  setRange(ranges.right_x, 0, top(pdfY, histY))
}

// What the last full redraw drew from, kept on window (every call runs this body anew): a click
// changes only the slices, so it redraws only them.
window.jaxscratch = window.jaxscratch || {}
const memo = (window.jaxscratch.bivariateMemo = window.jaxscratch.bivariateMemo || { drawn: null, keys: {} })

function setData(name, key, make) {
  // a source's data is assigned (and its figure repainted) only when what it is drawn from
  // changed: the x-marginal's histogram uses only x = mux + sx z0 and its bins, so a rho, muy
  // or sy move that keeps the window leaves it as it is
  if (memo.keys[name] === key) return
  memo.keys[name] = key
  field(src, name).data = make()
}

function redrawSlices(p, x0, y0) {
  // the slice lines, the conditionals on them and the readout: all a click changes, all in the
  // scatter (the marginals stay as they are)
  const drawn = memo.drawn
  const { xs, ys, x } = drawn
  field(src, "slices").data = sliceCurves(p, xs, ys, x0, y0)
  spans[0].location = x0
  spans[1].location = y0
  showText(readout, readoutHtml(p, drawn.moments, x0, y0, x.length))
}

function redraw() {
  const p = params()
  const slice = field(src, "slice").data
  const x0 = slice.x0[0]
  const y0 = slice.y0[0]
  const z = field(src, "z").data
  const n = Math.min(field(sliders, "n").value, z.z0.length)
  const [width, height, scale] = frameSize()
  const key = JSON.stringify([p, n, width, height]) // the frame's size: the cloud image's
  if (memo.drawn !== null && memo.drawn.key === key) {
    redrawSlices(p, x0, y0)
    return
  }
  // the density image: (grid, grid), rows along y. Bokeh's 2-D arrays come from Python only,
  // so each frame is a new array of the kind Python sent (a reused one would not be redrawn).
  const previous = field(src, "density").data.image[0]
  const grid = previous.shape[1]
  const [xlo, xhi, ylo, yhi] = plotWindow(p, snap)
  const xs = linspace(xlo, xhi, grid)
  const ys = linspace(ylo, yhi, grid)
  const { x, y } = transform(p, z.z0, z.z1, n)
  const values = new Float64Array(grid * grid)
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) values[r * grid + c] = density(p, xs[c], ys[r])
  }
  const image = new previous.constructor(values, previous.shape)
  const shades = shading(values, density(p, p.mux, p.muy)) // the peak: the darkest blue
  const previousShading = field(src, "shading").data.image[0]
  const ells = ks.map((k) => ellipse(p, k))
  const axes = eigenAxes(p)
  const edgesX = linspace(xlo, xhi, BINS + 1)
  const edgesY = linspace(ylo, yhi, BINS + 1)
  // the marginals' histograms: x = mux + sx z0 depends on (mux, sx) only; y = muy + rho sy z0 +
  // sy sqrt(1 - rho^2) z1 on (muy, sy, rho); each also on its bins and n. Their exact
  // densities on (mux, sx) and (muy, sy) and the grid.
  const keyX = JSON.stringify([p.mux, p.sx, xlo, xhi, n])
  const keyY = JSON.stringify([p.muy, p.sy, p.rho, ylo, yhi, n])
  const keyPdfX = JSON.stringify([p.mux, p.sx, xlo, xhi])
  const keyPdfY = JSON.stringify([p.muy, p.sy, ylo, yhi])
  const histX = memo.drawn !== null && memo.keys.hist_x === keyX ? memo.drawn.histX
    : histogram(x, xlo, xhi, BINS)
  const histY = memo.drawn !== null && memo.keys.hist_y === keyY ? memo.drawn.histY
    : histogram(y, ylo, yhi, BINS)
  field(src, "samples").data = { x, y }
  const at = { x: [xlo], y: [ylo], dw: [xhi - xlo], dh: [yhi - ylo] } // both images fill the window
  field(src, "density").data = { image: [image], ...at }
  field(src, "shading").data = { image: [new previousShading.constructor(shades, previous.shape)], ...at }
  const previousCloud = field(src, "cloud").data.image[0]
  const pixels = rasterise(x, y, [xlo, xhi, ylo, yhi], width, height, scale)
  field(src, "cloud").data = { image: [new previousCloud.constructor(pixels, [height, width])], ...at }
  field(src, "ellipses").data = {
    xs: ells.map((e) => e.xs),
    ys: ells.map((e) => e.ys),
    width: ks.map((_, i) => 1 + 0.5 * i),
  }
  field(src, "axes").data = { xs: axes.map((a) => a.xs), ys: axes.map((a) => a.ys) }
  setData("hist_x", keyX, () => ({ left: edgesX.slice(0, -1), right: edgesX.slice(1), top: histX }))
  setData("hist_y", keyY, () => ({ bottom: edgesY.slice(0, -1), top: edgesY.slice(1), right: histY }))
  const pdfX = memo.keys.curves_x === keyPdfX ? memo.drawn.pdfX : xs.map((t) => normalPdf(t, p.mux, p.sx))
  const pdfY = memo.keys.curves_y === keyPdfY ? memo.drawn.pdfY : ys.map((t) => normalPdf(t, p.muy, p.sy))
  setData("curves_x", keyPdfX, () => ({ x: xs, pdf: pdfX }))
  setData("curves_y", keyPdfY, () => ({ y: ys, pdf: pdfY }))
  densityRanges(pdfX, pdfY, histX, histY)
  setRange(main.x_range, xlo, xhi)
  setRange(main.y_range, ylo, yhi)
  memo.drawn = { key, xs, ys, x, y, histX, histY, pdfX, pdfY, moments: sampleMoments(x, y) }
  redrawSlices(p, x0, y0)
}

window.jaxscratch = window.jaxscratch || {}
window.jaxscratch.bivariate = {
  cholesky, density, normalPdf, conditionalX, conditionalY, ellipse, eigen, eigenAxes,
  plotWindow, histogram, transform, shading, rasterise, sliceCurves, sampleMoments, redraw,
}

if (cb_obj === preset) {
  // each slider move below redraws once; the preset only sets the shape
  const [sx, sy, rho] = field(presets, preset.value)
  field(sliders, "sx").value = sx
  field(sliders, "sy").value = sy
  field(sliders, "rho").value = Math.round(rho * 100) / 100
} else {
  if (["tap", "press", "doubletap"].includes(cb_obj.event_name)) {
    // a click on the scatter moves both slices there
    field(src, "slice").data = { x0: [Math.round(cb_obj.x * 100) / 100], y0: [Math.round(cb_obj.y * 100) / 100] }
  }
  redraw()
}
