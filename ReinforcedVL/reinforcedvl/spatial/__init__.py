"""Spatial prompts: points and a box in RAS millimetres that say where to look (the description says what to
outline), the windows they need, the geometry between the grids, and the lesions they choose."""

from .prompts import NEAR_POINT_MM, PromptBox, PromptPoint, SpatialPrompts

__all__ = ["NEAR_POINT_MM", "PromptBox", "PromptPoint", "SpatialPrompts"]
