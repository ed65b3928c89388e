"""``jaxscratch report RUN_DIR``: rewrites a finished demo folder's page, live or static."""

from harness import live_report


def test_report_rewrites_the_live_page_and_prints_its_size(cli, tmp_path):
    page = live_report(tmp_path)
    page.unlink()
    code, out, err = cli("report", "--interactive", tmp_path)
    assert code == 0, err
    assert f"report: {page}" in out and "report size:" in out and "(limit 12 MB)" in out
    html = page.read_text()
    assert "live-bv-main" in html and "live-mvn-pathfig" in html and "Live panel" in html
    assert "<script src=" not in html and "cdn.bokeh.org" not in html  # everything inlined
    code, _, _ = cli("report", "--static", tmp_path)
    static = page.read_text()
    assert code == 0 and "Live panel" not in static and "Bokeh" not in static
    assert "The bivariate normal" in static


def test_report_of_a_folder_without_parts_is_one_line_error(cli, tmp_path):
    code, _, err = cli("report", tmp_path)
    assert code == 2 and "no finished demo part" in err and "jaxscratch demo --out" in err
    assert len(err.strip().splitlines()) == 1
