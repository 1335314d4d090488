"""glassml.stats: statistics and probability from first principles (Inventory area ST).

Descriptive statistics, distributions with pdf/cdf/sampling/MLE, probability rules and
conjugate Bayesian updates, information theory, hypothesis tests, confidence intervals
(analytic and bootstrap), correlation, sampling and power analysis, density estimation and
Gaussian mixtures. scipy.special supplies special functions; scipy.stats is only the test
oracle.
"""

from .conjugate import BetaBernoulli, GammaPoisson, NormalNormal
from .continuous import Beta, Exponential, Gamma, Normal, Uniform
from .correlation import CorrelationResult, covariance, kendalltau, pearsonr, rankdata, spearmanr
from .density import GaussianKDE, histogram_density
from .descriptive import (
    DescribeResult,
    ModeResult,
    data_range,
    describe,
    iqr,
    kurtosis,
    mean,
    median,
    mode,
    quantile,
    skewness,
    std,
    variance,
)
from .discrete import Bernoulli, Binomial, Categorical, Multinomial, Poisson
from .hypothesis_tests import (
    Chi2ContingencyResult,
    FOnewayResult,
    TestResult,
    chi2_contingency,
    chisquare,
    f_oneway,
    proportions_ztest,
    ttest_1samp,
    ttest_ind,
    ttest_rel,
    ztest,
)
from .information import cross_entropy, entropy, js_divergence, kl_divergence, mutual_information
from .intervals import (
    BootstrapResult,
    ConfidenceInterval,
    bootstrap,
    bootstrap_se,
    proportion_interval,
    t_interval,
    z_interval,
)
from .ks import KSResult, kolmogorov_sf, ks_2samp, kstest
from .mixture import GaussianMixture
from .normality import shapiro
from .probability import (
    bayes_rule,
    conditional_probability,
    diagnostic_posterior,
    expectation,
    marginal,
    posterior,
    total_probability,
)
from .probability import (
    variance as discrete_variance,
)
from .sampling import (
    bootstrap_sample,
    clt_simulation,
    reservoir_sample,
    simple_random_sample,
    stratified_sample,
    ttest_power,
    ttest_sample_size,
)

__all__ = [
    "BetaBernoulli",
    "GammaPoisson",
    "NormalNormal",
    "Beta",
    "Exponential",
    "Gamma",
    "Normal",
    "Uniform",
    "Bernoulli",
    "Binomial",
    "Categorical",
    "Multinomial",
    "Poisson",
    "CorrelationResult",
    "covariance",
    "kendalltau",
    "pearsonr",
    "rankdata",
    "spearmanr",
    "GaussianKDE",
    "histogram_density",
    "DescribeResult",
    "ModeResult",
    "data_range",
    "describe",
    "iqr",
    "kurtosis",
    "mean",
    "median",
    "mode",
    "quantile",
    "skewness",
    "std",
    "variance",
    "Chi2ContingencyResult",
    "FOnewayResult",
    "TestResult",
    "chi2_contingency",
    "chisquare",
    "f_oneway",
    "proportions_ztest",
    "ttest_1samp",
    "ttest_ind",
    "ttest_rel",
    "ztest",
    "cross_entropy",
    "entropy",
    "js_divergence",
    "kl_divergence",
    "mutual_information",
    "BootstrapResult",
    "ConfidenceInterval",
    "bootstrap",
    "bootstrap_se",
    "proportion_interval",
    "t_interval",
    "z_interval",
    "KSResult",
    "kolmogorov_sf",
    "ks_2samp",
    "kstest",
    "GaussianMixture",
    "shapiro",
    "bayes_rule",
    "conditional_probability",
    "diagnostic_posterior",
    "expectation",
    "marginal",
    "posterior",
    "total_probability",
    "discrete_variance",
    "bootstrap_sample",
    "clt_simulation",
    "reservoir_sample",
    "simple_random_sample",
    "stratified_sample",
    "ttest_power",
    "ttest_sample_size",
]
