"""Clustering: k-means (Lloyd, k-means++, restarts, the elbow helper), mini-batch k-means,
agglomerative clustering with single/complete/average/Ward linkage (SciPy-format linkage
matrices and dendrogram data) and DBSCAN.

Inventory: NC-01, NC-02, NC-03, NC-06, NC-07; claims CL-053..CL-055.
"""

from ._agglomerative import AgglomerativeClustering, cut_tree, dendrogram_data, linkage_tree
from ._dbscan import DBSCAN
from ._elbow import ElbowResult, elbow
from ._kmeans import KMeans, kmeans_plusplus
from ._minibatch_kmeans import MiniBatchKMeans

__all__ = [
    "DBSCAN",
    "AgglomerativeClustering",
    "ElbowResult",
    "KMeans",
    "MiniBatchKMeans",
    "cut_tree",
    "dendrogram_data",
    "elbow",
    "kmeans_plusplus",
    "linkage_tree",
]
