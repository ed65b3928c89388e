// Bayesian linear regression in the reader's browser: the exact posterior of an M <= 16 basis,
// both bands and the log evidence from one Cholesky factor, as jaxscratch.blr computes them
// (Bishop PRML §3.1, eqs. 3.53-3.54, 3.58-3.59, 3.86).
//
// Contract: this file is the body of every CustomJS of the regression panel. Bokeh passes the
// panel's models as named arguments (points, demo, bands, readout, basis, degree, centres,
// alpha, beta, spec), `action` ("redraw", "tap", "demo" or "clear") and cb_obj (the tap event
// for "tap"). The first call installs window.jaxscratch.blr: the math (makeBasis, design, fit,
// predict) and move(i), one scripted slider move or click that redraws, for the tests and the
// benchmark. A basis keeps the input scaling of the demo data, so clicks never rescale it.

function makeBasis(kind, degree, nCentres, shift, scale) {
  if (kind === "linear") return {kind, degree: 1, centres: [], width: 1, shift: 0, scale: 1}
  if (kind === "poly") return {kind, degree, centres: [], width: 1, shift, scale}
  const step = 2 / Math.max(nCentres - 1, 1)
  const centres = Array.from({length: nCentres}, (_, j) => (j === nCentres - 1 && j > 0 ? 1 : -1 + j * step))
  return {kind, degree: 1, centres, width: step, shift, scale}
}

function basisSize(b) {
  return b.kind === "linear" || b.kind === "poly" ? b.degree + 1 : b.centres.length + 1
}

// phi(x) (M,): z^0..z^degree, or a bias then one Gaussian bump or sigmoid per centre.
function features(b, x) {
  const z = (x - b.shift) / b.scale
  const phi = new Float64Array(basisSize(b))
  if (b.kind === "linear" || b.kind === "poly") {
    for (let j = 0; j <= b.degree; j++) phi[j] = z ** j
    return phi
  }
  phi[0] = 1
  b.centres.forEach((c, j) => {
    const u = (z - c) / b.width
    phi[j + 1] = b.kind === "rbf" ? Math.exp(-0.5 * u * u) : 1 / (1 + Math.exp(-u))
  })
  return phi
}

function design(b, xs) {
  return Array.from(xs, (x) => features(b, x))
}

// Lower L with L L^T = A (A symmetric positive definite, M x M as an array of rows).
function cholesky(a) {
  const m = a.length
  const l = a.map(() => new Float64Array(m))
  for (let j = 0; j < m; j++) {
    let d = a[j][j]
    for (let k = 0; k < j; k++) d -= l[j][k] * l[j][k]
    l[j][j] = Math.sqrt(d)
    for (let i = j + 1; i < m; i++) {
      let s = a[i][j]
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k]
      l[i][j] = s / l[j][j]
    }
  }
  return l
}

// L^-1 by forward substitution against the identity (lower triangular).
function lowerInverse(l) {
  const m = l.length
  const inv = l.map(() => new Float64Array(m))
  for (let c = 0; c < m; c++) {
    for (let i = c; i < m; i++) {
      let s = i === c ? 1 : 0
      for (let k = c; k < i; k++) s -= l[i][k] * inv[k][c]
      inv[i][c] = s / l[i][i]
    }
  }
  return inv
}

function dot(u, v) {
  let s = 0
  for (let i = 0; i < u.length; i++) s += u[i] * v[i]
  return s
}
const matvec = (a, v) => Array.from(a, (row) => dot(row, v))

// The posterior N(m_N, S_N) of the points (xs, ys): S_N^-1 = alpha I + beta Phi^T Phi,
// m_N = beta S_N Phi^T y, with S_N = L^-T L^-1, and the log evidence ln p(y | alpha, beta).
function fit(b, xs, ys, alpha, beta) {
  const m = basisSize(b)
  const gram = Array.from({length: m}, () => new Float64Array(m))
  const phiY = new Float64Array(m)
  let yy = 0
  design(b, xs).forEach((phi, i) => {
    for (let r = 0; r < m; r++) {
      phiY[r] += phi[r] * ys[i]
      for (let c = 0; c < m; c++) gram[r][c] += phi[r] * phi[c]
    }
    yy += ys[i] * ys[i]
  })
  const n = xs.length
  const prec = gram.map((row, r) => row.map((g, c) => beta * g + (r === c ? alpha : 0)))
  const l = cholesky(prec)
  const lInv = lowerInverse(l)
  const mean = matvec(lInv.map((_, r) => lInv.map((row) => row[r])), matvec(lInv, phiY)).map((v) => beta * v)
  const covDiag = mean.map((_, j) => lInv.reduce((s, row) => s + row[j] * row[j], 0))
  const residual = yy - 2 * dot(mean, phiY) + dot(mean, matvec(gram, mean))
  const eMn = 0.5 * beta * residual + 0.5 * alpha * dot(mean, mean)
  const logDetA = 2 * l.reduce((s, row, j) => s + Math.log(row[j]), 0)
  const logEvidence =
    0.5 * m * Math.log(alpha) + 0.5 * n * Math.log(beta) - eMn - 0.5 * logDetA - 0.5 * n * Math.log(2 * Math.PI)
  return {basis: b, mean, lInv, covDiag, logEvidence, n, alpha, beta}
}

// Predictive mean and both sds at the grid: var f = ||L^-1 phi||^2, a new y adds 1/beta.
function predict(post, grid) {
  const k = grid.length
  const m = post.mean.length
  const out = {mean: new Float64Array(k), epistemicSd: new Float64Array(k), predictiveSd: new Float64Array(k)}
  design(post.basis, grid).forEach((phi, g) => {
    let fVar = 0
    for (let r = 0; r < m; r++) {
      let v = 0  // (L^-1 phi)_r: L^-1 is lower triangular
      for (let c = 0; c <= r; c++) v += post.lInv[r][c] * phi[c]
      fVar += v * v
    }
    out.mean[g] = dot(phi, post.mean)
    out.epistemicSd[g] = Math.sqrt(fVar)
    out.predictiveSd[g] = Math.sqrt(fVar + 1 / post.beta)
  })
  return out
}

function currentBasis(m) {
  return makeBasis(m.basis.value, m.degree.value, m.centres.value, m.spec.shift, m.spec.scale)
}

function redraw(m) {
  const b = currentBasis(m)
  const alpha = 10 ** m.alpha.value
  const beta = 10 ** m.beta.value
  const {x, y} = m.points.data
  const post = fit(b, x, y, alpha, beta)
  const grid = m.bands.data.x
  const p = predict(post, grid)
  const k = m.spec.band_sds
  const band = (sd, sign) => p.mean.map((mu, i) => mu + sign * k * sd[i])  // typed arrays
  m.bands.data = {
    x: grid, mean: p.mean,
    epi_lo: band(p.epistemicSd, -1), epi_hi: band(p.epistemicSd, 1),
    pred_lo: band(p.predictiveSd, -1), pred_hi: band(p.predictiveSd, 1),
  }
  m.degree.disabled = b.kind !== "poly"  // disabled, not hidden: the layout never moves
  m.centres.disabled = b.kind !== "rbf" && b.kind !== "sigmoid"
  const n = post.n
  const perPoint = n ? ` (${(post.logEvidence / n).toFixed(3)} per point)` : ""
  showText(m.readout,
    `<b>n = ${n} points</b>; basis ${m.spec.labels[b.kind]}, M = ${basisSize(b)} weights<br>` +
    `α = ${alpha.toPrecision(3)} (prior precision), β = ${beta.toPrecision(3)} ` +
    `(noise sd ${(1 / Math.sqrt(beta)).toPrecision(3)})<br>` +
    `<b>log evidence</b> ln p(y | α, β) = ${post.logEvidence.toFixed(3)}${perPoint}`)
  return post
}

// A click on a point (within 1.5 % of the axes) removes it; anywhere else adds one.
function tap(m, px, py) {
  const x = Array.from(m.points.data.x)
  const y = Array.from(m.points.data.y)
  const xr = m.spec.x_range
  const yr = m.spec.y_range
  let hit = -1
  let best = 0.015
  x.forEach((xi, i) => {
    const d = Math.hypot((xi - px) / (xr[1] - xr[0]), (y[i] - py) / (yr[1] - yr[0]))
    if (d < best) [hit, best] = [i, d]
  })
  if (hit >= 0) {
    x.splice(hit, 1)
    y.splice(hit, 1)
  } else {
    x.push(px)
    y.push(py)
  }
  m.points.data = {x, y}
  return redraw(m)
}

// Move i of a fixed script: the alpha and beta sliders, the basis and its size, and clicks.
function move(m, i) {
  const kinds = ["linear", "poly", "rbf", "sigmoid"]
  const wave = 0.5 + 0.5 * Math.sin(0.7 * i)
  const [a0, a1] = m.spec.log10_alpha
  const [b0, b1] = m.spec.log10_beta
  const xr = m.spec.x_range
  const yr = m.spec.y_range
  switch (i % 6) {
    case 0: m.alpha.value = a0 + wave * (a1 - a0); break
    case 1: m.beta.value = b0 + wave * (b1 - b0); break
    case 2: m.basis.value = kinds[Math.floor(i / 6) % kinds.length]; break
    case 3: m.degree.value = 1 + (i % (m.spec.max_weights - 1)); m.centres.value = m.degree.value; break
    case 4: tap(m, xr[0] + wave * (xr[1] - xr[0]), yr[0] + (1 - wave) * (yr[1] - yr[0])); break
    default: tap(m, Array.from(m.points.data.x).at(-1) ?? 0, Array.from(m.points.data.y).at(-1) ?? 0)
  }
}

const models = {points, demo, bands, readout, basis, degree, centres, alpha, beta, spec}
window.jaxscratch = window.jaxscratch ?? {}
window.jaxscratch.blr = {
  makeBasis, basisSize, design, fit, predict,
  move: (i) => move(models, i),
}
if (action === "tap") tap(models, cb_obj.x, cb_obj.y)
else if (action === "demo") {
  points.data = {x: Array.from(demo.data.x), y: Array.from(demo.data.y)}
  redraw(models)
} else if (action === "clear") {
  points.data = {x: [], y: []}
  redraw(models)
} else redraw(models)
