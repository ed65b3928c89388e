"""Run the demo parts in order, keep what finished, and write the report after each part."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import jax

from jaxscratch._io import remove_temporaries, write_json, write_text
from jaxscratch._shared import lookup
from jaxscratch.errors import JaxscratchError
from jaxscratch.pipeline import bivariate, blr, mnist, mvn
from jaxscratch.report import Section, environment, read_section, render_html, section_to_dict
from jaxscratch.report.live.page import live_html

PartProgress = Callable[[int, int], None]


class Part(NamedTuple):
    """One demo part: its folder name, title, and ``run(out, key, seed, quick, progress)``.

    ``run`` draws from ``key`` only; ``seed`` (the one ``key`` was made from) is written into
    the commands and files the part records, never turned into a key.
    """

    key: str
    title: str
    run: Callable[[Path, jax.Array, int, bool, PartProgress | None], Section]


def _mvn(
    out: Path, key: jax.Array, seed: int, quick: bool, progress: PartProgress | None
) -> Section:
    return mvn.run(out, key, n=100_000 if quick else 1_000_000, seed=seed, progress=progress)


def _bivariate(
    out: Path, key: jax.Array, seed: int, quick: bool, progress: PartProgress | None
) -> Section:
    sizes = {"n": 2_000, "frames": 12, "n_anim": 500} if quick else {}
    return bivariate.run(out, key, seed=seed, progress=progress, **sizes)


def _blr(
    out: Path, key: jax.Array, seed: int, quick: bool, progress: PartProgress | None
) -> Section:
    sizes = {"warmup": 200, "samples": 300, "chains": 2, "n_seq": 8} if quick else {}
    return blr.run(out, key, seed=seed, progress=progress, extras=not quick, **sizes)


def _mnist(
    out: Path, key: jax.Array, seed: int, quick: bool, progress: PartProgress | None
) -> Section:
    return mnist.run(out, key, quick=quick, progress=progress, log=_log)  # prints no seed


def _log(message: str) -> None:
    print(message, file=sys.stderr)


INTRO = (
    "jaxscratch solves four classic probabilistic machine-learning tasks from scratch in JAX: "
    "the bivariate normal pictured and animated, multivariate-normal sampling from uniform "
    "bits, a two-hidden-layer network trained on MNIST-format images, and Bayesian linear "
    "regression sampled with BlackJAX. This page was written by `jaxscratch demo`; every "
    "section ends with the commands that reproduce it. Images are embedded: the page needs "
    "no network."
)

PARTS: tuple[Part, ...] = (
    Part("bivariate", "Bivariate normal: figures and animation", _bivariate),
    Part("mvn", "MVN sampling from uniform bits", _mvn),
    Part("mnist", "MNIST: width search, training, test metrics", _mnist),
    Part("blr", "Bayesian linear regression", _blr),
)


def _check_parts(names: list[str] | None) -> tuple[Part, ...]:
    if not names:
        return PARTS
    known = {p.key: p for p in PARTS}
    return tuple(lookup(known, n, "demo part") for n in names)


def write_report(out: Path, sections: list[Section], interactive: bool = True) -> Path:
    """Render ``report.html`` (self-contained) from the finished sections; ``interactive``
    gives each section that has one its live panel (``report.live``)."""
    render = live_html if interactive else _static_html
    page = render(out, sections, title="jaxscratch report", intro=INTRO,
                  environment=environment())  # fmt: skip
    return write_text(out / "report.html", page)


def _static_html(out: Path, sections: list[Section], **kwargs) -> str:
    return render_html(sections, base=out, **kwargs)


def rebuild_report(out: Path, interactive: bool = True) -> Path:
    """Rewrite ``report.html`` of a demo folder from the parts that finished there."""
    sections = [s for p in PARTS if (s := _finished(out, p)) is not None]
    if not sections:
        raise JaxscratchError(
            f"{out} holds no finished demo part (no */section.json); run "
            f"`jaxscratch demo --out {out}` first, or give the folder it wrote"
        )
    return write_report(out, sections, interactive)


def _finished(
    out: Path, part: Part, log: Callable[[str], None] = lambda _: None
) -> Section | None:
    """The part's recorded section, or None when it has not finished or its record is
    unreadable (then ``log`` says so, and the part is run again)."""
    done = out / part.key / "section.json"
    if not done.is_file():
        return None
    try:
        return read_section(done, fix=f"the demo runs the {part.key} part again")
    except JaxscratchError as err:  # the one loader's refusal: redo the part, say why
        log(f"redoing: {err}")
        return None


def finished_parts(out: Path) -> list[str]:
    """The parts whose sections are recorded in ``out``: what an interrupted demo keeps."""
    return [p.key for p in PARTS if (out / p.key / "section.json").is_file()]


def run_demo(
    out: Path,
    key: jax.Array,
    *,
    seed: int = 0,
    quick: bool = False,
    parts: list[str] | None = None,
    resume: bool = True,
    progress: Callable[[Part], PartProgress | None] = lambda part: None,
    on_reuse: Callable[[Part], None] = lambda part: None,
    interactive: bool = True,
) -> Path:
    """Run every part (or those named) and return the path of ``report.html``.

    Each part draws from its own subkey of ``key`` (one per part, whichever parts run), and
    ``seed``, the seed ``key`` was made from, appears in the commands the report prints. A part
    that finished before (its ``section.json`` exists) is reused when ``resume``. The report
    holds every finished part in the folder and is rewritten after each part, so an interrupted
    run keeps what it did; ``interactive`` adds the live panels (``report.live``).
    """
    selected = _check_parts(parts)
    out.mkdir(parents=True, exist_ok=True)
    key_of = dict(zip((p.key for p in PARTS), jax.random.split(key, len(PARTS)), strict=True))
    remove_temporaries(out, ["report.html"])  # what a killed writer left
    for part in selected:
        remove_temporaries(out / part.key, ["section.json"])
        if resume and _finished(out, part, _log) is not None:
            on_reuse(part)
        else:
            section = part.run(out / part.key, key_of[part.key], seed, quick, progress(part))
            write_json(out / part.key / "section.json", section_to_dict(section))
        write_report(out, [s for p in PARTS if (s := _finished(out, p)) is not None], interactive)
    return out / "report.html"
