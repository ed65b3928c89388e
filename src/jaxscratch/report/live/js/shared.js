// Shared by every panel (assets.script puts it before the panel's own code): three ways around
// Bokeh work that a move does not need; the page looks the same with or without them.
//
// showText(div, html): the new text of a readout Div, shown without a Bokeh relayout. Setting
// `div.text` makes Bokeh re-render the Div and re-lay out its whole root: every plot of the
// panel measured again (tick labels, legends, CSS values) and repainted, ~30-60 ms a move. The
// readouts have a fixed width and height, so the text is stored on the model silently (what a
// later render shows, and what the tests read) and written into the Div's element in place.
function showText(div, html) {
  if (div.text === html) return
  const view = Bokeh.index.all_views().find((v) => v.model === div)
  if (view == null || view.markup_el == null) {
    div.text = html // not on screen yet: the ordinary way
    return
  }
  div.setv({text: html}, {silent: true})
  view.markup_el.innerHTML = html
}

// Bokeh 3.9 rewrites the position stylesheet of every renderer (glyphs, axes, grids, legends)
// on every paint, mostly with the text it already has; the browser re-parses each one and
// restyles the page (~40 sheets and ~10 ms a move here). Writing only a changed text gives the
// same styles without that work. Installed once per page, by whichever panel runs first.
function writeOnlyChangedStyles() {
  const sheet = Bokeh.require("core/dom").InlineStyleSheet.prototype
  if (sheet.writesOnlyChanges) return
  const write = sheet._update
  sheet._update = function (css) {
    if (this.el.textContent !== css) write.call(this, css)
  }
  sheet.writesOnlyChanges = true
}
writeOnlyChangedStyles()

// Bokeh 3.9 reads a CSS variable (--bk-line-color, --bk-text-font, ...) with getComputedStyle
// before it uses any visual property: ~800 reads a move here, each making the browser bring
// the styles up to date after the stylesheets the paint has just written. This page defines no
// such variable, at load or later, so each visual's answer is kept after its first read: the
// same values, without the style work.
function rememberCssVariables() {
  const visual = Bokeh.require("core/visuals/visual").VisualProperties.prototype
  if (visual.remembersCssVariables) return
  const read = visual._get_css_value
  visual._get_css_value = function (name) {
    const known = (this.cssVariables = this.cssVariables || new Map())
    if (!known.has(name)) known.set(name, read.call(this, name))
    return known.get(name)
  }
  visual.remembersCssVariables = true
}
rememberCssVariables()
