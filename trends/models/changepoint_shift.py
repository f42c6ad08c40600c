"""A shift, not memory: the check that gives a change the tempered search missed a second start.

The tempered search of :func:`trends.models.changepoint.detect_changepoints` divides the
likelihood by a serial-dependence factor estimated from the squared differences of the series
(:mod:`trends.models.changepoint_dependence`). A large level shift adds to those differences in
proportion to the lag, so when the search has not found it, the shift itself raises the factor
and can hide itself: a plain -50% step on 120 independent Poisson days (8 a day, then 4) was
missed in 0.53 of series (benchmarks/README.md, section 4o).

The check asks a model that *has* memory whether the best single split is a shift. It fits a
negative binomial regression with a latent Gaussian AR(1) log intensity
(:func:`trends.models.latent_ar.fit_latent_ar`) and a step at the date of the best single
change (the untempered negative binomial split), and reads the Wald ``z`` of the step. The
latent AR(1) term absorbs persistence, so a step that stands out at ``|z| >``
:data:`SHIFT_Z` is not explained by memory. The threshold is beyond the 1% critical value of
the supremum of a Wald statistic over the possible dates (about 3.6 for one change with 5%
trimming, Andrews 1993), because the date was chosen from the data. When the check passes, the
search starts again with the factor estimated inside the two segments of that split (at most
the factor from every pair), and its changes are kept if it finds any.

When one side of the split has no events, the step has no Wald ``z`` (its estimate runs to
minus infinity; the latent-AR fit refuses such a design): the check is then a likelihood-ratio
test of a step to or from a zero rate against no step, its signed root read as ``z``
(:func:`_zero_side_check`). Without it a short busy spell followed by months of zeros (14 days
at 5 a day, then 97 zero days) was reported as no change: the step itself raised the dependence
factor to 39. On sparse independent Poisson series (means 0.1, 0.3 and 1 a day, 111 and 245
days, 150 series each) the false detections were the same with and without it (0.007-0.047).

Measured on 200 series per cell (benchmarks/README.md, section 4o): false detection without a
change moved by at most 0.015 in every cell of the strong-dependence grid (latent AR 0.7,
INGARCH 0.7 and 0.9, Markov switching), and a -50% change on independent counts was found in
0.88-0.98 of series instead of 0.47-0.90.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from trends.errors import TrendsError

__all__ = ["SHIFT_Z", "ShiftCheck", "check_shift"]

#: ``|z|`` of the step in the latent-AR model above which a split counts as a shift.
SHIFT_Z = 4.0

#: Log-scale offset of the zero side in the likelihood-ratio check of a step to or from a zero
#: rate (a rate ``exp(-20)`` times the other side's: a zero count there has probability one to
#: about ``1e-9`` at 5 events a day).
_ZERO_OFFSET = 20.0


@dataclass(frozen=True)
class ShiftCheck:
    """The latent-AR check of the best single split.

    Attributes
    ----------
    position : int
        Index among the observed periods of the first period after the split.
    z : float
        Wald ``z`` of the step (``nan`` when the model could not be fitted).
    rho : float
        Fitted AR(1) coefficient of the latent log intensity.
    latent_sd : float
        Fitted stationary sd of the latent log intensity.
    passed : bool
        Whether ``|z|`` exceeds :data:`SHIFT_Z`.
    kind : str
        ``"wald"`` (the step's Wald ``z``) or ``"likelihood ratio"`` (a step to or from a zero
        rate, where no Wald ``z`` exists: the signed root of the likelihood-ratio statistic).
    """

    position: int
    z: float
    rho: float
    latent_sd: float
    passed: bool
    kind: str = "wald"

    def sentence(self, date_words: str) -> str:
        """The methods sentence about the check.

        Parameters
        ----------
        date_words : str
            The date of the split, in words.

        Returns
        -------
        str
            The words.
        """
        if not math.isfinite(self.z):
            return (
                "The check for a shift hidden by the dependence factor could not be made (the "
                "latent AR(1) model did not fit)."
            )
        if self.kind == "likelihood ratio":
            head = (
                "One side of the best single split (at "
                f"{date_words}) has no events, so a step there has no Wald z; a likelihood-ratio "
                "test of a step to or from a zero rate against a negative binomial model with a "
                f"latent AR(1) log intensity and no step gave the equivalent z = {self.z:.1f}"
            )
        else:
            head = (
                "A negative binomial model with a latent AR(1) log intensity (AR coefficient "
                f"{self.rho:.2f}) and a step from {date_words} (the best single split) gave z = "
                f"{self.z:.1f} for the step"
            )
        if self.passed:
            return (
                f"{head}, beyond +/-{SHIFT_Z:g}: memory does not explain that shift, so the "
                "search started again with the dependence factor estimated inside the two "
                "segments of the split."
            )
        return f"{head}, within +/-{SHIFT_Z:g}: no second start."


def check_shift(y: np.ndarray, positions: np.ndarray, n_total: int, split: int) -> ShiftCheck:
    """Fit the latent-AR model with a step at ``split`` and test the step.

    Parameters
    ----------
    y : numpy.ndarray
        Observed counts in time order.
    positions : numpy.ndarray
        Position of each observed count in the full series (unreported periods are left out
        of ``y`` but keep their place in time).
    n_total : int
        Length of the full series.
    split : int
        Index in ``y`` of the first observed period after the split.

    Returns
    -------
    ShiftCheck
        ``z`` is ``nan`` (and the check fails) when the model cannot be fitted.
    """
    from trends.models.latent_ar import fit_latent_ar  # a heavy fit, only when needed

    full = np.full(int(n_total), np.nan)
    full[positions] = y
    step = (np.arange(int(n_total)) >= int(positions[split])).astype(float)
    design = np.column_stack([np.ones(int(n_total)), step])
    before, after = float(np.sum(y[:split])), float(np.sum(y[split:]))
    if (before == 0) != (after == 0):  # a step to or from a zero rate: no Wald z exists
        return _zero_side_check(full, step, int(split), rise=before == 0)
    try:
        with warnings.catch_warnings():  # the check's own fit: its warnings are not the user's
            warnings.simplefilter("ignore")
            fit = fit_latent_ar(full, design, names=["level", "step"])
        z = float(fit.params["step"] / fit.bse["step"])
        rho, sd = float(fit.rho), float(fit.latent_sd)
    except (TrendsError, ValueError, FloatingPointError, np.linalg.LinAlgError):
        z, rho, sd = math.nan, math.nan, math.nan
    passed = bool(math.isfinite(z) and abs(z) > SHIFT_Z)
    return ShiftCheck(int(split), z, rho, sd, passed)


def _zero_side_check(full: np.ndarray, step: np.ndarray, split: int, rise: bool) -> ShiftCheck:
    """The check of a split with no events on one side: a likelihood-ratio test.

    The step's Wald ``z`` does not exist there (its estimate runs to minus infinity). Its
    supremum likelihood is approached by holding the zero side's rate at ``exp(-20)`` times the
    other side's (an offset: its zeros then have probability one to rounding, and the latent
    process runs through both sides); against it the model without a step on the whole window,
    whose latent AR(1) may explain the zeros as a long dip. ``z`` is the signed root of the likelihood-ratio statistic, which is compared with
    :data:`SHIFT_Z` like a Wald ``z`` (its square against ``SHIFT_Z ** 2`` on one degree of
    freedom).
    """
    from trends.models.latent_ar import fit_latent_ar  # a heavy fit, only when needed

    zero_side = step == (0.0 if rise else 1.0)
    ones = np.ones((full.size, 1))
    try:
        with warnings.catch_warnings():  # the check's own fits: their warnings are not the user's
            warnings.simplefilter("ignore")
            # the limit of a step to a zero rate: the zero side's rate held at exp(-ZERO_OFFSET)
            # of the other's, where a zero count has probability one to rounding
            off = np.where(zero_side, -_ZERO_OFFSET, 0.0)
            with_step = fit_latent_ar(full, ones, names=["level"], offset=off)
            without = fit_latent_ar(full, ones, names=["level"])
    except (TrendsError, ValueError, FloatingPointError, np.linalg.LinAlgError):
        return ShiftCheck(split, math.nan, math.nan, math.nan, False, kind="likelihood ratio")
    lr = max(2.0 * (float(with_step.loglik) - float(without.loglik)), 0.0)
    z = math.sqrt(lr) if rise else -math.sqrt(lr)
    return ShiftCheck(
        split, z, float(with_step.rho), float(with_step.latent_sd), abs(z) > SHIFT_Z,
        kind="likelihood ratio",
    )  # fmt: skip
