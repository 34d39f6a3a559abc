"""Linear algebra from scratch (§2.5–2.11) against numpy.linalg, with bad-input cases.

Tolerances: 1e-12 relative for norms and determinants (a few floating-point
operations), 1e-10 for the SVD and everything built on it (iterative rotations).
"""

import numpy as np
import pytest

from dlbook.linalg import (svd_condition_number, definiteness, determinant, frobenius_norm, low_rank_approximation,
                           lp_norm, matrix_rank, pinv, svd)

RNG = np.random.default_rng(0)
SHAPES = [(1, 1), (5, 3), (3, 5), (7, 7), (12, 4), (2, 9)]


def _rank_deficient(m: int, n: int, r: int) -> np.ndarray:
    return RNG.standard_normal((m, r)) @ RNG.standard_normal((r, n))


@pytest.mark.parametrize("p", [1, 1.5, 2, 3, np.inf])
def test_lp_norm_matches_numpy(p: float) -> None:
    x = RNG.standard_normal(9)
    assert lp_norm(x, p) == pytest.approx(np.linalg.norm(x, p), rel=1e-12)
    assert lp_norm(np.zeros(4), p) == 0.0


def test_norms_stay_finite_at_extreme_scales() -> None:
    big = np.array([3e300, 4e300])
    assert lp_norm(big, 2) == pytest.approx(5e300, rel=1e-12)  # the naive sqrt(sum(x²)) overflows to inf
    tiny = np.array([3e-300, 4e-300])
    assert lp_norm(tiny, 2) == pytest.approx(5e-300, rel=1e-12)  # the naive one underflows to 0
    A = RNG.standard_normal((4, 6))
    assert frobenius_norm(A) == pytest.approx(np.linalg.norm(A, "fro"), rel=1e-12)
    assert frobenius_norm(A) == pytest.approx(np.sqrt(np.trace(A.T @ A)), rel=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
def test_svd_matches_numpy(shape: tuple[int, int]) -> None:
    A = RNG.standard_normal(shape)
    U, s, Vt = svd(A)
    k = min(shape)
    assert U.shape == (shape[0], k) and s.shape == (k,) and Vt.shape == (k, shape[1])
    np.testing.assert_allclose(s, np.linalg.svd(A, compute_uv=False), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose((U * s) @ Vt, A, atol=1e-10)
    np.testing.assert_allclose(U.T @ U, np.eye(k), atol=1e-10)
    np.testing.assert_allclose(Vt @ Vt.T, np.eye(k), atol=1e-10)
    # singular vectors agree with numpy's up to sign (the random singular values are distinct)
    Un, _, Vtn = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(np.abs(np.sum(U * Un, axis=0)), 1.0, atol=1e-8)
    np.testing.assert_allclose(np.abs(np.sum(Vt * Vtn, axis=1)), 1.0, atol=1e-8)


def test_svd_of_rank_deficient_and_zero_matrices() -> None:
    A = _rank_deficient(8, 6, 2)
    U, s, Vt = svd(A)
    np.testing.assert_allclose(s, np.linalg.svd(A, compute_uv=False), atol=1e-12 * s[0])
    np.testing.assert_allclose(U.T @ U, np.eye(6), atol=1e-10)  # completed columns are orthonormal too
    np.testing.assert_allclose((U * s) @ Vt, A, atol=1e-10)
    U, s, Vt = svd(np.zeros((3, 2)))
    assert np.all(s == 0) and np.allclose(U.T @ U, np.eye(2))


@pytest.mark.parametrize("shape, r", [((6, 4), 4), ((4, 6), 4), ((7, 5), 2), ((3, 8), 1), ((5, 5), 3)])
def test_pinv_and_rank_match_numpy(shape: tuple[int, int], r: int) -> None:
    A = _rank_deficient(*shape, r)
    np.testing.assert_allclose(pinv(A), np.linalg.pinv(A), atol=1e-10)
    assert matrix_rank(A) == np.linalg.matrix_rank(A) == r
    Ap = pinv(A)  # the four Penrose conditions
    np.testing.assert_allclose(A @ Ap @ A, A, atol=1e-10)
    np.testing.assert_allclose(Ap @ A @ Ap, Ap, atol=1e-10)
    np.testing.assert_allclose((A @ Ap).T, A @ Ap, atol=1e-10)
    np.testing.assert_allclose((Ap @ A).T, Ap @ A, atol=1e-10)


def test_pinv_gives_least_squares_and_minimum_norm_solutions() -> None:
    tall, y = RNG.standard_normal((10, 3)), RNG.standard_normal(10)
    np.testing.assert_allclose(pinv(tall) @ y, np.linalg.lstsq(tall, y, rcond=None)[0], atol=1e-10)
    wide, b = RNG.standard_normal((2, 5)), RNG.standard_normal(2)
    x = pinv(wide) @ b
    np.testing.assert_allclose(wide @ x, b, atol=1e-10)
    null = np.linalg.svd(wide)[2][2:]  # any other solution x + Nz is longer
    for z in RNG.standard_normal((5, 3)):
        assert np.linalg.norm(x + null.T @ z) > np.linalg.norm(x)
    np.testing.assert_allclose(pinv(np.zeros((2, 3))), np.zeros((3, 2)))


@pytest.mark.parametrize("k", [0, 1, 3, 5])
def test_low_rank_error_is_eckart_young(k: int) -> None:
    A = RNG.standard_normal((9, 5))
    A_k, err = low_rank_approximation(A, k)
    s = np.linalg.svd(A, compute_uv=False)
    assert err == pytest.approx(np.sqrt(np.sum(s[k:] ** 2)), rel=1e-10, abs=1e-12)
    assert err == pytest.approx(np.linalg.norm(A - A_k, "fro"), rel=1e-9, abs=1e-10)
    assert np.linalg.matrix_rank(A_k) == k
    # a random rank-k matrix is never closer
    for _ in range(5):
        B = _rank_deficient(9, 5, k) if k else np.zeros_like(A)
        assert np.linalg.norm(A - B, "fro") >= err - 1e-12


@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_determinant_and_condition_number_match_numpy(n: int) -> None:
    A = RNG.standard_normal((n, n))
    assert determinant(A) == pytest.approx(np.linalg.det(A), rel=1e-10)
    assert svd_condition_number(A) == pytest.approx(np.linalg.cond(A), rel=1e-9)
    assert determinant(_rank_deficient(4, 4, 2)) == pytest.approx(0.0, abs=1e-10)
    assert svd_condition_number(np.ones((3, 3))) == np.inf or svd_condition_number(np.ones((3, 3))) > 1e15
    rect = RNG.standard_normal((6, 3))
    assert svd_condition_number(rect) == pytest.approx(np.linalg.cond(rect), rel=1e-9)


def test_definiteness_agrees_with_cholesky_and_closed_forms() -> None:
    B = RNG.standard_normal((5, 5))
    pd = B @ B.T + 0.1 * np.eye(5)
    np.linalg.cholesky(pd)  # the oracle: Cholesky succeeds only for positive definite matrices
    assert definiteness(pd) == "positive definite"
    assert definiteness(-pd) == "negative definite"
    psd = _rank_deficient(5, 2, 2)
    psd = psd @ psd.T
    with pytest.raises(np.linalg.LinAlgError):
        np.linalg.cholesky(psd - 1e-9 * np.eye(5))
    assert definiteness(psd) == "positive semidefinite"
    assert definiteness(-psd) == "negative semidefinite"
    assert definiteness(np.diag([1.0, -1.0])) == "indefinite"


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="p must be >= 1"):
        lp_norm(np.ones(3), 0.5)
    with pytest.raises(ValueError, match="x must be 1-D"):
        lp_norm(np.ones((2, 2)))
    with pytest.raises(ValueError, match="A must be 2-D"):
        svd(np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        pinv(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="numeric"):
        frobenius_norm([["a", "b"]])
    with pytest.raises(ValueError, match="k must be in \\[0, 3\\]"):
        low_rank_approximation(np.ones((3, 4)), 4)
    with pytest.raises(ValueError, match="square"):
        determinant(np.ones((2, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        definiteness(np.array([[1.0, 2.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="rtol must be finite and > 0"):
        pinv(np.eye(2), rtol=-1.0)
    with pytest.raises(ValueError, match="rtol must be finite and > 0"):
        matrix_rank(np.eye(2), rtol=0.0)
    with pytest.raises(ValueError, match="max_sweeps must be"):
        svd(np.eye(2), max_sweeps=0)
    with pytest.raises(ValueError, match="square"):
        definiteness(np.ones((2, 3)))
    with pytest.raises(ValueError, match="square"):
        determinant(np.ones((3, 1)))


def test_rank_tolerance_and_zero_matrix() -> None:
    # closed forms: diag(1, 1e-6) has rank 2, or 1 once singular values below 1e-3 · s_max count as zero
    A = np.diag([1.0, 1e-6])
    assert matrix_rank(A) == 2 and matrix_rank(A, rtol=1e-3) == 1 == np.linalg.matrix_rank(A, rtol=1e-3)
    np.testing.assert_allclose(pinv(A, rtol=1e-3), np.diag([1.0, 0.0]))
    assert matrix_rank(np.zeros((3, 4))) == 0
    assert definiteness(np.zeros((3, 3))) == "positive semidefinite"  # every eigenvalue is 0


@pytest.mark.parametrize("scale", [1e-300, 1.0, 1e300])
def test_svd_of_a_matrix_with_a_vanishing_rotation_is_warning_free(scale: float) -> None:
    """Found by the property tests: this matrix made the Jacobi rotation overflow (a RuntimeWarning)."""
    import warnings

    M = np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        U, s, Vt = svd(M * scale)
    np.testing.assert_allclose(s / scale, np.linalg.svd(M, compute_uv=False), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(U @ np.diag(s) @ Vt / scale, M, atol=1e-12)


def test_svd_warns_when_the_sweeps_run_out() -> None:
    A = np.random.default_rng(3).standard_normal((6, 5))
    with pytest.warns(RuntimeWarning, match="did not converge"):
        svd(A, max_sweeps=1)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        svd(A)                                                 # the default converges silently


def test_rotation_is_orthogonal_and_turns_e1_to_the_angle() -> None:
    from dlbook.linalg import rotation

    for a in (0.0, 30.0, 90.0, -135.0):
        R = rotation(a)
        np.testing.assert_allclose(R.T @ R, np.eye(2), atol=1e-15)
        np.testing.assert_allclose(R[:, 0], [np.cos(np.deg2rad(a)), np.sin(np.deg2rad(a))], atol=1e-15)
        assert np.linalg.det(R) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="angle_deg must contain only finite"):
        rotation(np.inf)


def test_is_normal_separates_symmetric_and_rotations_from_shears() -> None:
    from dlbook.linalg import is_normal, rotation

    assert is_normal(np.array([[2.0, 1.0], [1.0, 3.0]])) and is_normal(rotation(37.0))
    assert not is_normal(np.array([[1.0, 1.0], [0.0, 1.0]]))
    with pytest.raises(ValueError, match="square"):
        is_normal(np.ones((2, 3)))


def test_determinant_magnitude_is_the_product_of_singular_values_and_the_area_scale() -> None:
    """§2.11 for a non-symmetric matrix: |det A| = Π σᵢ = area of the image of the unit square."""
    A = np.array([[1.0, 2.0], [-0.5, 0.7]])
    corners = A @ np.array([[0, 1, 1, 0], [0, 0, 1, 1]], dtype=float)
    x, y = corners
    area = 0.5 * abs(x @ np.roll(y, -1) - y @ np.roll(x, -1))   # the shoelace formula
    assert abs(determinant(A)) == pytest.approx(area, rel=1e-12)
    assert abs(determinant(A)) == pytest.approx(np.prod(svd(A)[1]), rel=1e-12)
    assert determinant(A) == pytest.approx(A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0], rel=1e-12)


def test_svd_compression_demo_rejects_an_inconsistent_svd() -> None:
    from dlbook.demos.linear_algebra import svd_compression_compute

    with pytest.raises(ValueError, match="expected an SVD"):
        svd_compression_compute(1, np.eye(3), np.ones(2), np.eye(3))
    U, s, Vt = np.linalg.svd(np.arange(12.0).reshape(3, 4), full_matrices=False)
    out = svd_compression_compute(1, U, s, Vt)
    assert np.isclose(out["error"], out["tail"]) and np.allclose(out["img"], np.arange(12.0).reshape(3, 4))
