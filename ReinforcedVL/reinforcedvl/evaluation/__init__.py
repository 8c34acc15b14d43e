"""Evaluation of a model on a manifest's held-out split: segmentation, detection and existence metrics."""
