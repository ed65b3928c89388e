// Shared by every panel (assets.script puts it before the panel's own code).
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
