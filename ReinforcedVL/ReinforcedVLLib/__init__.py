"""Slicer-side helpers of the ReinforcedVL module, one concern per file.

They work on MRML nodes and scenes (which the ``slicer-core`` wheel provides outside the Slicer application, so
they are tested without it) and never import torch: inference runs in the worker process
(:mod:`reinforcedvl.worker`).
"""
