"""Training triplets (image, mask, description): the manifest format and the builders that make manifests from
the shared data sets."""
