// The live MVN panel (report/live/mvn.py): looks up the library's reconstruction of the demo's
// sample at the chosen d and n and draws it. Nothing is computed here but the lookup.
//
// This file is the body of one Bokeh CustomJS. Its args are in scope: `table` (ns, and per d:
// the z-scores at every n, flat (k, m), their maxima and the Bonferroni threshold), the sliders
// `d_slider` and `n_slider` (an index into ns), the sources `src` (z_mean, z_cov, path), the
// bound `bounds`, the marker `n_span`, the z figure `zfig` and the `readout` Div.

const field = (m, k) => (m instanceof Map ? m.get(k) : m[k]) // Bokeh hands dicts over as Maps

function view(d, i) {
  // the numbers shown for dimension d at the i-th stored sample size
  const t = field(table, "per_d")[d - 1]
  const m = field(t, "m")
  const z = Array.from(field(t, "z").slice(i * m, (i + 1) * m))
  const maxMean = field(t, "max_mean")[i]
  const maxCov = field(t, "max_cov")[i]
  const threshold = field(t, "threshold")
  const maxAbs = Math.max(maxMean, maxCov)
  return {
    d, n: field(table, "ns")[i], zMean: z.slice(0, d), zCov: z.slice(d), maxMean, maxCov,
    maxAbs, threshold, consistent: maxAbs <= threshold,
  }
}

function readoutHtml(v) {
  const verdict = v.consistent ? "consistent with the truth" : "NOT consistent with the truth"
  return (
    `<p class="mvn-live">d = ${v.d}: ${v.zMean.length + v.zCov.length} quantities ` +
    `(${v.d} mean + ${v.zCov.length} covariance entries); at n = ` +
    `<b class="mvn-n">${v.n.toLocaleString("en")}</b> the largest |z| is ` +
    `<b class="mvn-max">${v.maxAbs.toFixed(2)}</b> (mean ${v.maxMean.toFixed(2)}, covariance ` +
    `${v.maxCov.toFixed(2)}) against the bound <span class="mvn-bound">` +
    `${v.threshold.toFixed(2)}</span>. Verdict: <b class="mvn-verdict">${verdict}</b>.</p>`
  )
}

function redraw() {
  const d = d_slider.value
  const v = view(d, n_slider.value)
  const t = field(table, "per_d")[d - 1]
  const ns = Array.from(field(table, "ns"))
  field(src, "z_mean").data = { i: v.zMean.map((_, j) => j), z: v.zMean }
  field(src, "z_cov").data = { i: v.zCov.map((_, j) => d + j), z: v.zCov }
  field(src, "path").data = {
    n: ns,
    mean: Array.from(field(t, "max_mean")),
    cov: Array.from(field(t, "max_cov")),
    bound: ns.map(() => v.threshold),
  }
  bounds[0].location = v.threshold
  bounds[1].location = -v.threshold
  n_span.location = v.n
  // headroom above the bound for the legends along the top
  const top = Math.max(v.threshold, ...v.zMean.map(Math.abs), ...v.zCov.map(Math.abs))
  zfig.y_range.setv({ start: -1.1 * top, end: 1.6 * top })
  const highest = Math.max(v.threshold, ...field(t, "max_mean"), ...field(t, "max_cov"))
  path.y_range.setv({ start: 0, end: 1.3 * highest })
  n_slider.title = `n = ${v.n.toLocaleString("en")} of ${ns[ns.length - 1].toLocaleString("en")}`
  showText(readout, readoutHtml(v))
}

window.jaxscratch = window.jaxscratch || {}
window.jaxscratch.mvn = { view, redraw }
redraw()
