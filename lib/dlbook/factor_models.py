"""Linear factor models (Deep Learning book, §13): x = W h + b + noise, with a factorial prior on h.

Probabilistic PCA (§13.1, eq. 13.5) and factor analysis (eqs. 13.3–13.4) have Gaussian factors and differ only
in the noise; independent component analysis (§13.2) needs non-Gaussian factors and recovers them up to
permutation and scale; slow feature analysis (§13.3) asks features of a time series to change slowly, which is a
generalised eigenproblem; sparse coding (§13.4) infers factors under a Laplace prior by minimising
``λ‖h‖₁ + β‖x − Wh‖²`` (eq. 13.18), here with ISTA. Everything uses numpy and scipy only, so the demos can run
in the browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dlbook.checks import as_array, check_int, check_positive
from dlbook.pca import fit_pca
from dlbook.regularization import soft_threshold


def _data(X: np.ndarray, min_rows: int = 2) -> np.ndarray:
    X = as_array(X, "X", ndim=2)
    if X.shape[0] < min_rows:
        raise ValueError(f"X must have at least {min_rows} rows (examples); got shape {X.shape}")
    return X


def _covariance(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and the maximum-likelihood covariance (divisor m) of the rows of X."""
    mu = X.mean(axis=0)
    Xc = X - mu
    return mu, Xc.T @ Xc / len(X)


@dataclass(frozen=True)
class LinearGaussianModel:
    """``x = W h + b + noise`` with ``h ~ N(0, I)`` and noise ``N(0, diag(psi))``: the model distribution of x
    is ``N(b, W Wᵀ + diag(psi))`` (eq. 13.4; PPCA has all ``psi`` equal, eq. 13.5)."""

    mean: np.ndarray
    W: np.ndarray
    psi: np.ndarray

    @property
    def covariance(self) -> np.ndarray:
        return self.W @ self.W.T + np.diag(self.psi)

    def log_likelihood(self, X: np.ndarray) -> float:
        """Mean log density of the rows of ``X`` under ``N(b, WWᵀ + diag(psi))``."""
        X = as_array(X, "X", ndim=2)
        C = self.covariance
        L = np.linalg.cholesky(C)
        Z = np.linalg.solve(L, (X - self.mean).T)
        logdet = 2 * np.log(np.diag(L)).sum()
        return float(-0.5 * (np.sum(Z**2, axis=0).mean() + logdet + len(self.mean) * np.log(2 * np.pi)))

    def posterior_mean(self, X: np.ndarray) -> np.ndarray:
        """``E[h | x] = Wᵀ (WWᵀ + Ψ)⁻¹ (x − b)`` for each row of ``X``: the factors' best linear estimate."""
        X = as_array(X, "X", ndim=2)
        return np.linalg.solve(self.covariance, (X - self.mean).T).T @ self.W


def ppca_fit(X: np.ndarray, q: int) -> LinearGaussianModel:
    """Maximum-likelihood probabilistic PCA with ``q`` factors, Tipping and Bishop's closed form (§13.1).

    With ``λ₁ ≥ … ≥ λ_d`` the eigenvalues of the sample covariance and ``U_q`` the leading eigenvectors,
    ``σ² = mean(λ_{q+1}, …, λ_d)`` (the variance PCA throws away, per discarded direction) and
    ``W = U_q (Λ_q − σ² I)^{1/2}`` (up to a rotation of the factors). Needs ``q < d``.
    """
    X = _data(X)
    d = X.shape[1]
    q = check_int(q, "q", low=1, high=d - 1)
    pca = fit_pca(X, q)                          # eigenvectors of the scatter XᵀX, largest first
    lam = pca.eigenvalues / len(X)               # eigenvalues of the covariance
    sigma2 = float(lam[q:].mean())
    W = pca.components * np.sqrt(np.clip(lam[:q] - sigma2, 0.0, None))
    return LinearGaussianModel(pca.mean, W, np.full(d, sigma2))


def factor_analysis(X: np.ndarray, k: int, iters: int = 500, tol: float = 1e-10,
                    seed: int = 0) -> LinearGaussianModel:
    """Maximum-likelihood factor analysis with ``k`` factors by EM (§13.1, eqs. 13.3–13.4).

    E-step: the posterior of ``h`` given ``x`` is Gaussian with ``E[h|x] = β(x − b)``, ``β = Wᵀ(WWᵀ + Ψ)⁻¹``.
    M-step (in terms of the sample covariance S): ``W ← S βᵀ (I − βW + β S βᵀ)⁻¹`` and
    ``Ψ ← diag(S − W β S)``. Stops when the log-likelihood gains less than ``tol``.
    """
    X = _data(X)
    d = X.shape[1]
    k = check_int(k, "k", low=1, high=d)
    iters = check_int(iters, "iters", low=1)
    tol = check_positive(tol, "tol", allow_zero=True)
    mu, S = _covariance(X)
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((d, k)) * np.sqrt(np.diag(S).mean() / k)
    psi = np.maximum(np.diag(S).copy(), 1e-12)
    old = -np.inf
    for _ in range(iters):
        beta = np.linalg.solve(W @ W.T + np.diag(psi), W).T          # Wᵀ (WWᵀ + Ψ)⁻¹, shape (k, d)
        Ehh = np.eye(k) - beta @ W + beta @ S @ beta.T              # average E[h hᵀ | x] over the data
        W = S @ beta.T @ np.linalg.inv(Ehh)
        psi = np.maximum(np.diag(S - W @ beta @ S), 1e-12)
        ll = LinearGaussianModel(mu, W, psi).log_likelihood(X)
        if ll - old < tol:
            break
        old = ll
    return LinearGaussianModel(mu, W, psi)


@dataclass(frozen=True)
class ICA:
    """A fitted ICA model: sources ``s = U (x − mean)`` and ``x ≈ A s + mean`` (mixing ``A``, unmixing ``U``)."""

    mean: np.ndarray
    unmixing: np.ndarray
    mixing: np.ndarray
    n_iter: int

    def transform(self, X: np.ndarray) -> np.ndarray:
        """The recovered sources of each row of ``X``, shape (m, k); each has unit variance on the training data."""
        X = as_array(X, "X", ndim=2)
        return (X - self.mean) @ self.unmixing.T


def whiten(X: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project the centred rows of ``X`` onto the top ``k`` principal directions and scale them to unit variance.

    Returns ``(Z, K, mean)`` with ``Z = (X − mean) Kᵀ`` and ``cov(Z) = I``.
    """
    X = _data(X)
    k = check_int(k, "k", low=1, high=X.shape[1])
    pca = fit_pca(X, k)
    lam = pca.eigenvalues[:k] / len(X)
    if lam[-1] <= 1e-12 * lam[0]:
        raise ValueError(f"X has fewer than k={k} directions with non-zero variance; lower k")
    K = (pca.components / np.sqrt(lam)).T
    return (X - pca.mean) @ K.T, K, pca.mean


def _symmetric_decorrelation(W: np.ndarray) -> np.ndarray:
    """``(W Wᵀ)^{-1/2} W``: the orthogonal matrix closest to W."""
    s, V = np.linalg.eigh(W @ W.T)
    return V @ np.diag(1.0 / np.sqrt(s)) @ V.T @ W


def fastica(X: np.ndarray, k: int, iters: int = 200, tol: float = 1e-6, seed: int = 0,
            w_init: np.ndarray | None = None) -> ICA:
    """FastICA (Hyvärinen's fixed point, symmetric version, contrast ``log cosh``) on the whitened data (§13.2).

    After whitening, the unmixing matrix ``W`` is orthogonal. Each iteration moves every row towards a
    maximum of non-Gaussianity, ``wᵢ ← E[z g(wᵢᵀz)] − E[g′(wᵢᵀz)] wᵢ`` with ``g = tanh``, then makes the rows
    orthonormal again. Gaussian sources have no such maximum: that is why ICA needs non-Gaussian factors.
    """
    Z, K, mean = whiten(X, k)
    iters = check_int(iters, "iters", low=1)
    tol = check_positive(tol, "tol")
    if w_init is None:
        w_init = np.random.default_rng(seed).standard_normal((Z.shape[1], Z.shape[1]))
    W = _symmetric_decorrelation(as_array(w_init, "w_init", ndim=2))
    if W.shape != (Z.shape[1], Z.shape[1]):
        raise ValueError(f"w_init must have shape ({k}, {k}); got {W.shape}")
    for it in range(1, iters + 1):
        G = np.tanh(Z @ W.T)                                     # g(wᵢᵀz) for every example and row
        W_new = _symmetric_decorrelation(G.T @ Z / len(Z) - np.diag((1 - G**2).mean(axis=0)) @ W)
        converged = np.max(np.abs(np.abs(np.sum(W_new * W, axis=1)) - 1)) < tol
        W = W_new
        if converged:
            break
    U = W @ K
    return ICA(mean, U, np.linalg.pinv(U), it)


@dataclass(frozen=True)
class SFA:
    """Linear slow feature analysis: features ``f(x) = (x − mean) @ W``, slowest first, and their slowness
    ``E[(f(x⁽ᵗ⁺¹⁾) − f(x⁽ᵗ⁾))²]`` (the generalised eigenvalues)."""

    mean: np.ndarray
    W: np.ndarray
    slowness: np.ndarray

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = as_array(X, "X", ndim=2)
        return (X - self.mean) @ self.W


def sfa(X: np.ndarray, k: int) -> SFA:
    """Linear slow feature analysis of a time series (rows of ``X`` in time order) (§13.3, eqs. 13.8–13.10).

    Minimise ``E[(f⁽ᵗ⁺¹⁾ − f⁽ᵗ⁾)²]`` for ``f = wᵀ(x − mean)`` subject to zero mean, unit variance and
    decorrelation: with ``B`` the covariance of x and ``A`` the second moment of its differences (not centred),
    that is the generalised eigenproblem ``A w = λ B w``, smallest ``λ`` first, with ``wᵀ B w = 1``. It is solved
    by whitening with ``B^{-1/2}`` and then an ordinary symmetric eigenproblem.
    """
    X = _data(X, min_rows=3)
    k = check_int(k, "k", low=1, high=X.shape[1])
    mu, B = _covariance(X)
    dX = np.diff(X, axis=0)
    A = dX.T @ dX / len(dX)
    s, V = np.linalg.eigh(B)
    if s[0] <= 1e-12 * s[-1]:
        raise ValueError("the covariance of X is singular; remove redundant columns (or reduce them with PCA)")
    B_inv_half = V @ np.diag(1 / np.sqrt(s)) @ V.T
    lam, Q = np.linalg.eigh(B_inv_half @ A @ B_inv_half)       # ascending: slowest first
    W = B_inv_half @ Q[:, :k]
    W = W * np.sign(W[np.argmax(np.abs(W), axis=0), np.arange(k)])
    return SFA(mu, W, lam[:k])


def sparse_code_ista(X: np.ndarray, D: np.ndarray, lam: float, beta: float = 1.0, iters: int = 500,
                     h0: np.ndarray | None = None, accelerate: bool = False, tol: float = 0.0) -> np.ndarray:
    """Sparse codes ``h* = argmin_h λ‖h‖₁ + β‖x − D h‖²₂`` (eq. 13.18) for each row x of ``X``, by ISTA.

    ISTA alternates a gradient step on the smooth part, ``h ← h + 2βη Dᵀ(x − Dh)``, with the soft threshold
    of size ``ηλ`` (the proximal step of the ``L¹`` term, §7.1.2); ``η = 1 / (2β‖D‖²₂)`` is one over the
    gradient's Lipschitz constant. ``D`` has one dictionary atom per column; ``h0`` warm-starts the codes.
    With ``accelerate`` it is FISTA (Beck and Teboulle, 2009): each step starts from the last code pushed
    further along its last move, by ``(t_k − 1)/t_{k+1}`` of it with ``t_{k+1} = (1 + √(1 + 4t_k²))/2`` (a
    fraction that grows towards 1), which brings the objective's worst-case error after k steps from O(1/k)
    down to O(1/k²). The objective can rise between FISTA steps; the momentum restarts (``t = 1``) whenever it
    points uphill, where the step undoes part of the last move (O'Donoghue and Candès, 2015). Iterating stops
    early once a step moves the code it starts from by no more than ``tol``: that step is zero exactly at a
    minimiser, but it bounds only the step, and on a badly conditioned problem the code can be much farther
    than ``tol`` from the minimiser. Returns the codes, shape (m, k) (a restart is decided for all rows at once).
    """
    X = as_array(X, "X", ndim=(1, 2))
    single = X.ndim == 1
    X = np.atleast_2d(X)
    D = as_array(D, "D", ndim=2)
    if D.shape[0] != X.shape[1]:
        raise ValueError(f"D must have one row per input dimension ({X.shape[1]}); got shape {D.shape}")
    lam = check_positive(lam, "lam", allow_zero=True)
    beta = check_positive(beta, "beta")
    iters = check_int(iters, "iters", low=1)
    tol = check_positive(tol, "tol", allow_zero=True)
    step = 1.0 / (2 * beta * np.linalg.norm(D, 2) ** 2)
    H = np.zeros((len(X), D.shape[1])) if h0 is None else np.atleast_2d(as_array(h0, "h0")).copy()
    if H.shape != (len(X), D.shape[1]):
        raise ValueError(f"h0 must have shape {(len(X), D.shape[1])}; got {H.shape}")
    Z, t = H, 1.0  # Z: where the next step starts (H itself for plain ISTA)
    for _ in range(iters):
        H_next = soft_threshold(Z + 2 * beta * step * (X - Z @ D.T) @ D, step * lam)
        moved = np.max(np.abs(H_next - Z))
        if accelerate:
            if np.sum((Z - H_next) * (H_next - H)) > 0:  # the momentum points uphill: restart it
                t = 1.0
            t_next = (1 + np.sqrt(1 + 4 * t * t)) / 2
            Z, t = H_next + (t - 1) / t_next * (H_next - H), t_next
        else:
            Z = H_next
        H = H_next
        if moved <= tol:
            break
    return H[0] if single else H


def sparse_code_path(x: np.ndarray, D: np.ndarray, lams: np.ndarray, beta: float = 1.0, iters: int = 20_000,
                     tol: float = 1e-10) -> np.ndarray:
    """Sparse codes of one input ``x`` (eq. 13.18) for every penalty in ``lams``, shape (len(lams), k).

    The penalties are solved from the largest down, each by FISTA (:func:`sparse_code_ista` with ``accelerate``)
    started from the code of the one before: nearby penalties have nearby codes, so each solve starts close to
    its answer (a *continuation* path). Each stops once a step moves its code by no more than ``tol`` (see
    :func:`sparse_code_ista` for what that does and does not bound).
    """
    x = as_array(x, "x", ndim=1)
    lams = as_array(lams, "lams", ndim=1)
    if lams.size == 0 or np.any(lams < 0):
        raise ValueError(f"lams must be a non-empty list of penalties >= 0; got {lams}")
    codes = np.zeros((len(lams), as_array(D, "D", ndim=2).shape[1]))
    h = None
    for i in np.argsort(-lams, kind="stable"):
        h = codes[i] = sparse_code_ista(x, D, float(lams[i]), beta, iters=iters, h0=h, accelerate=True, tol=tol)
    return codes


def _square_filters(F: np.ndarray) -> tuple[np.ndarray, int]:
    F = as_array(F, "F", ndim=2)
    side = int(round(np.sqrt(F.shape[1])))
    if side * side != F.shape[1]:
        raise ValueError(f"each row of F must be a square filter (side² entries); got {F.shape[1]} entries")
    if np.any(np.all(F == 0, axis=1)):
        raise ValueError("F has an all-zero row; every filter needs some weight")
    return F, side


def spectral_peak_share(F: np.ndarray) -> np.ndarray:
    """For each square filter (a row of ``F``), the share of its spectral energy ``|FFT|²`` at its strongest
    spatial frequency and that frequency's mirror image: near 1 for a pure oriented grating, small for noise
    (used to read ICA filters of image patches as oriented edges, §13.2)."""
    F, side = _square_filters(F)
    power = (np.abs(np.fft.fft2(F.reshape(-1, side, side))) ** 2).reshape(len(F), -1)
    return np.minimum(2 * power.max(axis=1) / power.sum(axis=1), 1.0)


def spatial_spread(F: np.ndarray, mass: float = 0.8) -> np.ndarray:
    """For each filter (a row of ``F``), the fewest pixels that hold a share ``mass`` of its squared weight:
    small for a localised filter, large for one spread over the whole patch."""
    F, _ = _square_filters(F)
    mass = check_positive(mass, "mass")
    if mass > 1:
        raise ValueError(f"mass must be in (0, 1]; got {mass}")
    w = np.sort((F / np.linalg.norm(F, axis=1, keepdims=True)) ** 2, axis=1)[:, ::-1]
    return np.argmax(np.cumsum(w, axis=1) >= mass * (1 - 1e-12), axis=1) + 1
