"""Claims of the spectral page (docs/spectral.md), recomputed independently: plain loops of the
torch-form updates, numpy's polynomial roots and matrix powers, not gdnotes.spectral itself.
The example's quoted numbers are read from a run of the example in this process."""

from __future__ import annotations

import numpy as np
import pytest
from exampletools import Example

import gdnotes as gd
from gdnotes.outputs import parse_shown


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Example("spectral", tmp_path_factory.mktemp("spectral"))


def _loop(lr, lam, beta, steps, nesterov=False, e0=1.0):
    """torch's SGD (buffer u₁ = g₁) on f = λe²/2, one component, by hand."""
    e, u, path = float(e0), 0.0, [float(e0)]
    for _ in range(steps):
        g = lam * e
        u = beta * u + g
        e = e - lr * (g + beta * u if nesterov else u)
        path.append(e)
    return np.array(path)


def _np_roots(lr, lam, beta, nesterov=False):
    a = (1 + beta) * (1 - lr * lam) if nesterov else 1 + beta - lr * lam
    b = beta * (1 - lr * lam) if nesterov else beta
    return np.roots([1.0, -a, b])


SETTINGS = [(0.5, 0.8), (0.1, 0.9), (1.2, 0.3), (0.05, 0.0), (1.9, 0.5)]
CURVES = np.array([1e-3, 0.02, 0.3, 1.0, 1.6])


@pytest.mark.parametrize(("lr", "beta", "nesterov"),
                         [(lr, b, n) for lr, b in SETTINGS for n in (False, True) if b or not n])
def test_runs_follow_the_closed_form_and_its_envelope(lr, beta, nesterov):
    steps = 200
    closed = gd.component_errors(lr, CURVES, beta, steps, nesterov=nesterov)
    c1, c2, r1, r2 = gd.component_modes(lr, CURVES, beta, nesterov=nesterov)
    t = np.arange(steps + 1)[:, None]
    envelope = np.abs(c1) * np.abs(r1) ** t + np.abs(c2) * np.abs(r2) ** t
    for i, lam in enumerate(CURVES):
        run = _loop(lr, lam, beta, steps, nesterov)
        if not np.all(np.isfinite(run)) or np.abs(run).max() > 1e30:
            continue  # diverging settings: the closed form holds too, but not to 1e-10
        scale = np.abs(run).max()
        np.testing.assert_allclose(closed[:, i], run, rtol=0, atol=1e-10 * scale)
        assert np.all(np.abs(run) <= envelope[:, i] * (1 + 1e-9) + 1e-12 * scale)
        # and the long-run factor is the largest root modulus, numpy's
        radius = np.abs(_np_roots(lr, lam, beta, nesterov)).max()
        assert gd.spectral_radius(lr, lam, beta, nesterov=nesterov) == pytest.approx(radius)
        # "shrinks at its spectral radius": the peaks of |e_t| five hundred steps apart differ
        # by radius⁵⁰⁰ (up to the slow drift of a polynomial factor near a repeated root)
        long = np.abs(_loop(lr, lam, beta, 1000, nesterov))
        late, early = long[900:].max(), long[400:501].max()
        if late > 1e-250:
            assert np.log(late / early) / 500 == pytest.approx(np.log(radius), rel=0.02, abs=2e-3)
        # companion-matrix power applied to (e₁, e₀) gives e_t, the matrix the page writes
        A = gd.iteration_matrix(lr, lam, beta, nesterov=nesterov)
        state = np.linalg.matrix_power(A, 50) @ np.array([run[1], run[0]])
        assert state[0] == pytest.approx(run[51], abs=1e-10 * scale)


def test_the_examples_runs_are_their_closed_forms(ex):
    assert ex.raw("closed_gap") < 1e-12
    assert ex.raw("closed_gap") <= float(parse_shown(ex.text("closed_gap")))


def test_quoted_rates_and_final_errors(ex):
    lr, beta, steps = ex.raw("eta"), ex.raw("beta"), ex.raw("steps")
    lams = np.geomspace(ex.raw("mu"), ex.raw("big_l"), ex.raw("n_components"))
    assert ex.raw("rate_slow_gd") == pytest.approx(1 - lr * lams[0])
    assert ex.raw("rate_fast_gd") == pytest.approx(abs(1 - lr * lams[-1]))
    for key, nesterov in (("hb", False), ("nag", True)):
        assert ex.raw(f"rate_slow_{key}") == pytest.approx(
            np.abs(_np_roots(lr, lams[0], beta, nesterov)).max())
        assert ex.raw(f"rate_fast_{key}") == pytest.approx(
            np.abs(_np_roots(lr, lams[-1], beta, nesterov)).max())
    for key, b, nesterov in (("gd", 0.0, False), ("hb", beta, False), ("nag", beta, True)):
        assert ex.raw(f"final_slow_{key}") == pytest.approx(
            abs(_loop(lr, lams[0], b, steps, nesterov)[-1]))
    # complex roots have modulus √β (heavy ball) and √(β(1-ηλ)) (Nesterov)
    assert ex.raw("rate_fast_hb") == pytest.approx(np.sqrt(beta))
    assert ex.raw("rate_fast_nag") == pytest.approx(np.sqrt(beta * (1 - lr * lams[-1])))
    # the under-damped band and the components in it
    low, high = (1 - np.sqrt(beta)) ** 2 / lr, (1 + np.sqrt(beta)) ** 2 / lr
    assert ex.raw("band_low") == pytest.approx(low)
    assert ex.raw("band_high") == pytest.approx(high)
    complex_roots = [np.iscomplexobj(_np_roots(lr, lam, beta)) and
                     abs(_np_roots(lr, lam, beta)[0].imag) > 0 for lam in lams]
    assert ex.raw("hb_under") == sum(complex_roots) == np.sum((lams > low) & (lams < high))
    assert ex.raw("hb_over") == len(lams) - sum(complex_roots)
    assert ex.raw("slow_root_approx") == pytest.approx(1 - lr * lams[0] / (1 - beta))


def test_caption_claims_momentum_speeds_flat_components_and_nesterov_steep_ones(ex):
    """"The heavy ball moves the flat ones about 1/(1-β) times faster" (within 10 %, for the
    over-damped components, where ηλ ≪ (1-√β)²), "makes the steep ones ring at √β", and
    "Nesterov damps the steep ones faster still"."""
    lr, beta = ex.raw("eta"), ex.raw("beta")
    lams = np.geomspace(ex.raw("mu"), ex.raw("big_l"), ex.raw("n_components"))
    kinds = gd.damping(lr, lams, beta)
    for lam, kind in zip(lams, kinds, strict=True):
        hb = np.abs(_np_roots(lr, lam, beta)).max()
        nag = np.abs(_np_roots(lr, lam, beta, True)).max()
        if kind == "over-damped":
            speedup = np.log(hb) / np.log(1 - lr * lam)
            assert speedup == pytest.approx(1 / (1 - beta), rel=0.1)
        else:
            assert kind == "under-damped"
            assert hb == pytest.approx(np.sqrt(beta))
            assert nag < hb
    assert ex.raw("final_slow_hb") < ex.raw("final_slow_gd")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_damping_classification_matches_the_roots(seed):
    rng = np.random.default_rng(seed)
    lr, beta, lam = rng.uniform(0.01, 4.5, 4000), rng.uniform(0, 0.999, 4000), 1.0
    kinds = gd.damping(lr, lam, beta)
    for k, e, b in zip(kinds, lr, beta, strict=True):
        roots = _np_roots(e, lam, b)
        disc = (1 + b - e) ** 2 - 4 * b
        if abs(disc) < 1e-9:
            continue
        if np.any(np.abs(roots.imag) > 0):
            assert k == "under-damped"
        elif roots.real.min() < 0:
            assert k == "sign-flipping", (e, b)
        else:
            assert k == "over-damped", (e, b)


def test_critical_damping_sits_on_the_discriminant_curve():
    beta = np.linspace(0.01, 0.99, 50)
    for edge in ((1 - np.sqrt(beta)) ** 2,):
        assert np.all(gd.damping(edge, 1.0, beta, tol=1e-9) == "critically damped")
        r = _np_roots(edge[10], 1.0, beta[10])
        assert r[0] == pytest.approx(r[1], abs=1e-6) and r[0].real == pytest.approx(
            np.sqrt(beta[10]), abs=1e-6)


@pytest.mark.parametrize("beta", [0.2, 0.6, 0.9])
def test_only_under_damped_runs_cross_zero(beta):
    """Over-damped and critically damped runs from rest stay positive; under-damped ones change
    sign; sign-flipping ones end up alternating sign at every step (once the larger negative
    root dominates)."""
    crit = (1 - np.sqrt(beta)) ** 2
    for step in np.linspace(0.02, 1.0, 12) * crit:
        assert np.all(_loop(step, 1.0, beta, 400) > 0), step
    for step in np.linspace(crit * 1.05, 0.98 * (1 + np.sqrt(beta)) ** 2, 12):
        assert np.any(_loop(step, 1.0, beta, 2000)[1:] < 0), step
    lo, hi = (1 + np.sqrt(beta)) ** 2, 2 * (1 + beta)  # between the lens and divergence
    for step in lo + (hi - lo) * np.linspace(0.2, 0.8, 5):
        e = _loop(step, 1.0, beta, 400)[-50:]
        assert np.all(np.abs(e) > 1e-250)
        assert np.all(np.sign(e[1:]) != np.sign(e[:-1])), step


@pytest.mark.parametrize("beta", [0.3, 0.6, 0.9])
def test_critical_damping_is_the_fastest_of_the_runs_that_never_cross_zero(beta):
    crit = (1 - np.sqrt(beta)) ** 2
    steps = np.linspace(0.01, 1.0, 60) * crit
    radius = [np.abs(_np_roots(s, 1.0, beta)).max() for s in steps]
    assert np.all(np.diff(radius) < 0)
    assert radius[-1] == pytest.approx(np.sqrt(beta), abs=1e-4)


def test_divergence_edge_is_two_one_plus_beta():
    beta = np.linspace(0, 0.99, 30)
    assert np.all(gd.spectral_radius(2 * (1 + beta) * 0.999, 1.0, beta) < 1)
    assert np.all(gd.spectral_radius(2 * (1 + beta) * 1.001, 1.0, beta) > 1)


def test_regime_samples_and_their_runs(ex):
    beta, steps = ex.raw("sample_beta"), ex.raw("sample_steps")
    crit = (1 - np.sqrt(beta)) ** 2
    assert ex.raw("eta_critical") == pytest.approx(crit)
    assert gd.damping(ex.raw("eta_over"), 1.0, beta) == "over-damped"
    assert gd.damping(ex.raw("eta_under"), 1.0, beta) == "under-damped"
    assert gd.damping(crit, 1.0, beta, tol=1e-9) == "critically damped"
    runs = {k: _loop(ex.raw(f"eta_{k}"), 1.0, beta, steps) for k in ("over", "critical", "under")}
    assert np.all(runs["over"] > 0) and np.all(runs["critical"] > 0)
    assert runs["critical"][-1] < runs["over"][-1]  # "settles faster"
    assert ex.raw("changes_under") == np.sum(np.diff(np.sign(runs["under"])) != 0) > 0
    assert ex.raw("undershoot_under") == pytest.approx(-runs["under"].min())


@pytest.mark.parametrize("nudge", [1 + 1e-9, 1 - 1e-9])
def test_quoted_counts_survive_a_nudged_start_and_momentum(ex, nudge):
    beta = ex.raw("sample_beta") * nudge
    under = _loop(ex.raw("eta_under") * nudge, 1.0, beta, ex.raw("sample_steps"), e0=nudge)
    assert np.sum(np.diff(np.sign(under)) != 0) == ex.raw("changes_under")
    assert f"{-under.min() / nudge:.2f}" == ex.text("undershoot_under")  # relative to e₀


# ------------------------------------------------------------------------------ exercises
def test_exercise_answers(ex):
    step, beta, lr = ex.raw("ex_step"), ex.raw("beta"), ex.raw("eta")
    b = ex.raw("ex_beta_critical")
    assert b == pytest.approx((1 - np.sqrt(step)) ** 2)
    r = _np_roots(step, 1.0, b)
    assert abs(r[0] - r[1]) < 1e-6 and 0 < r[0].real < 1
    lam = ex.raw("ex_nesterov_lam")
    assert lam == pytest.approx(np.geomspace(ex.raw("mu"), ex.raw("big_l"),
                                             ex.raw("n_components"))[-2])
    roots = _np_roots(lr, lam, beta, nesterov=True)
    assert np.all(np.abs(roots.imag) > 0)  # "check first that its roots are complex"
    assert ex.raw("ex_nesterov_rate") == pytest.approx(np.abs(roots).max())
    assert ex.raw("rate_fast_nag") < ex.raw("ex_nesterov_rate") < np.sqrt(beta)
    # its answer is not already on the page: no quoted rate is within the box's tolerance
    quoted = [ex.raw(k) for k in ex.manifest["values"] if k.startswith("rate_")]
    assert all(abs(q - ex.raw("ex_nesterov_rate")) > 0.001 for q in quoted)
    # the Predict: the flattest component under β = 0.9, estimated from η/(1-β)
    b9, mu = ex.raw("ex_predict_beta"), ex.raw("mu")
    assert np.all(np.abs(_np_roots(lr, mu, b9).imag) == 0)  # "stays over-damped"
    assert lr * mu < (1 - np.sqrt(b9)) ** 2
    slow = np.abs(_np_roots(lr, mu, b9)).max()
    assert ex.raw("ex_slow_root") == pytest.approx(slow)
    estimate = ex.raw("ex_slow_root_estimate")
    assert estimate == pytest.approx(1 - lr * mu / (1 - b9))
    # the box (tol 0.0004) accepts the estimate and the exact root, and rejects gradient
    # descent's factor and the β = 0.8 root the page quotes above the exercise
    tol = 0.0004
    assert abs(float(ex.text("ex_slow_root")) - estimate) < tol
    assert abs((1 - lr * mu) - estimate) > tol
    assert abs(ex.raw("rate_slow_hb") - estimate) > tol


def test_over_damped_constants_have_the_signs_the_derivation_says():
    for lr, beta in [(0.001, 0.8), (0.02, 0.5), (0.1, 0.2)]:
        c1, c2, r1, r2 = gd.component_modes(lr, 1.0, beta)
        assert 1 > r1.real > r2.real > 0
        assert c1.real == pytest.approx(r1.real * (1 - r2.real) / (r1.real - r2.real))
        assert c2.real == pytest.approx(r2.real * (r1.real - 1) / (r1.real - r2.real))
        assert c1.real > 0 > c2.real


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1e4])
def test_polyak_tuning_puts_mu_and_l_on_the_edges_of_the_lens(kappa):
    """"Polyak's tuning is the choice that puts μ and L exactly on the two edges of the lens"."""
    mu, big_l = 1.0, kappa
    eta, beta, _ = gd.polyak_tuning(mu, big_l)
    assert eta * mu == pytest.approx((1 - np.sqrt(beta)) ** 2)
    assert eta * big_l == pytest.approx((1 + np.sqrt(beta)) ** 2)
    inside = np.geomspace(mu, big_l, 9)[1:-1]
    assert np.all(gd.damping(eta, inside, beta) == "under-damped")


def test_caption_share_removed_by_gradient_descent(ex):
    """The caption's "it has removed N % of the error" is 1 - |e_T| for the flattest component."""
    removed = 1 - ex.raw("final_slow_gd")
    assert f"{100 * removed:.0f} %" in ex.manifest["outputs"]["components"]["caption"]
    assert removed == pytest.approx(1 - (1 - ex.raw("eta") * ex.raw("mu")) ** ex.raw("steps"))


@pytest.mark.parametrize("beta", [0.1, 0.6, 0.95])
def test_critically_damped_run_from_rest_is_the_exercises_closed_form(beta):
    """The third exercise's aside: at ηλ = (1-√β)², e_t = e₀(1 + (1-√β)t)β^(t/2) > 0."""
    t = np.arange(301)
    run = _loop((1 - np.sqrt(beta)) ** 2, 1.0, beta, 300, e0=2.0)
    np.testing.assert_allclose(run, 2.0 * (1 + (1 - np.sqrt(beta)) * t) * beta ** (t / 2),
                               rtol=1e-9, atol=1e-300)
    assert np.all(run > 0)
