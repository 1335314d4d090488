"""Dimensionality reduction and matrix factorisation (inventory area DR).

PCA (covariance eigendecomposition, SVD, randomized SVD), TruncatedSVD, the randomized SVD
itself, rank-k approximation and SVD image compression, NMF (topic modelling), matrix
factorisation of ratings for recommendation (ALS and SGD) and exact t-SNE.

Inventory: DR-01 .. DR-07, DR-09, DR-10 (DR-08, the autoencoder, lives with the generative
models).
"""

from ._kernel_pca import KernelPCA
from ._low_rank import ImageCompression, compress_image, low_rank_approximation
from ._matrix_factorization import MatrixFactorization
from ._nmf import NMF, beta_divergence, initialize_nmf
from ._pca import PCA
from ._svd import randomized_range_finder, randomized_svd, svd_flip
from ._truncated_svd import TruncatedSVD
from ._tsne import TSNE, joint_probabilities

__all__ = [
    "KernelPCA",
    "TSNE",
    "joint_probabilities",
    "MatrixFactorization",
    "NMF",
    "beta_divergence",
    "initialize_nmf",
    "ImageCompression",
    "compress_image",
    "low_rank_approximation",
    "PCA",
    "TruncatedSVD",
    "randomized_range_finder",
    "randomized_svd",
    "svd_flip",
]
