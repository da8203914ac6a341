"""The mono speaker turns' 2-means and silhouettes (NumPy) give scikit-learn's answers.

scikit-learn is no longer imported at run time (its import was 37 % of a batch
worker's start); :func:`analyzer.speech.diarize.two_voices` writes its Lloyd
iterations, distances and silhouettes out. This holds them to scikit-learn's own
on many weighted point sets, and checks that analysing a mono recording's turns
does not import scikit-learn.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from analyzer.speech import diarize


def _sklearn_two_voices(x: np.ndarray, w: np.ndarray, min_weight: float
                        ) -> tuple[np.ndarray, np.ndarray, float]:
    """The former implementation, on scikit-learn (the reference)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import pairwise_distances, silhouette_samples

    def silhouette(d: np.ndarray, labels: np.ndarray) -> float:
        counts = np.bincount(labels, minlength=2)
        if (counts == 0).any():
            return 0.0
        sil = np.ones(len(labels)) if len(labels) < 3 else silhouette_samples(
            d, labels, metric="precomputed")
        sil[counts[labels] == 1] = 1.0
        return float(np.average(sil, weights=w))

    d = pairwise_distances(x)
    best = None
    for a, b in diarize.seedings(x, w, d):  # the same seedings, on scikit-learn's distances
        km = KMeans(n_clusters=2, init=x[[a, b]], n_init=1, max_iter=30, tol=0.0)
        labels = km.fit_predict(x, sample_weight=w)
        sil = silhouette(d, labels)
        fits = min(float(w[labels == k].sum()) for k in (0, 1)) >= min_weight
        if best is None or (fits, sil) > (best[1], best[0]):
            best = (sil, fits, labels, km.cluster_centers_)
    assert best is not None
    return best[2], best[3], best[0]


@pytest.mark.parametrize("seed", range(40))
def test_two_voices_matches_scikit_learn(seed: int) -> None:
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    apart = rng.uniform(0.0, 3.0)  # from one voice to two far apart
    x = np.concatenate([rng.normal(0.0, 1.0, (n // 2, 14)),
                        rng.normal(apart, 1.0, (n - n // 2, 14))])
    w = rng.uniform(0.3, 8.0, n)
    min_weight = float(rng.choice([0.0, 3.0, 20.0]))
    labels, centres, sil = diarize.two_voices(x, w, min_weight)
    ref_labels, ref_centres, ref_sil = _sklearn_two_voices(x, w, min_weight)
    assert np.array_equal(labels, ref_labels)
    np.testing.assert_allclose(centres, ref_centres, rtol=1e-9, atol=1e-9)
    assert sil == pytest.approx(ref_sil, abs=1e-9)


def test_an_empty_cluster_takes_the_farthest_row() -> None:
    x = np.array([[0.0, 0.0], [0.0, 0.0], [5.0, 5.0], [6.0, 5.0]])
    labels, centres = diarize._two_means(x, np.ones(4), x[[0, 1]])  # both seeds alike
    assert set(labels) == {0, 1}
    assert labels[0] == labels[1] and labels[2] == labels[3] != labels[0]


def test_mono_turns_do_not_import_scikit_learn() -> None:
    code = ("import sys, numpy as np\n"
            "from analyzer.speech.diarize import two_voices\n"
            "rng = np.random.default_rng(0)\n"
            "two_voices(rng.normal(size=(12, 14)), np.ones(12))\n"
            "assert 'sklearn' not in sys.modules, 'sklearn imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
