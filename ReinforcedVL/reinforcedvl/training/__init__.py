"""Training: prepared studies, patch sampling with MONAI augmentation, losses, and the training loop."""
