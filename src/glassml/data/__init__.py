"""glassml.data: datasets, mini-batch loading and splits (``torch.utils.data``).

Inventory: OP-02, OP-03, OP-22.
"""

from .dataloader import DataLoader, default_collate
from .dataset import Dataset, Subset, TensorDataset, random_split, train_val_test_split

__all__ = [
    "Dataset",
    "TensorDataset",
    "Subset",
    "DataLoader",
    "default_collate",
    "random_split",
    "train_val_test_split",
]
