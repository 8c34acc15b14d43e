"""Point and describe: Markups nodes as the worker's spatial prompts, and the prompts kept with each finding.

Two point lists say where to look: the positive one ("this lesion", green) and the negative one ("not this", red);
a Markups ROI limits the search to its box. The points are read in world RAS millimetres (transforms applied), as
the engine expects them (:mod:`reinforcedvl.spatial.prompts`), and the prompts a finding was asked with are kept on
its report node, so the report, a reloaded scene and the feedback record all know them.

Example:
    >>> positive = promptNode(slicer.mrmlScene, PromptRole.POSITIVE)  # doctest: +SKIP
    >>> positive.AddControlPoint(-52.0, 31.5, -110.0)  # doctest: +SKIP
    >>> spatialPromptsFromNodes(positive, None, None)  # doctest: +SKIP
    {'points': [{'ras': [-52.0, 31.5, -110.0], 'positive': True}], 'box': None}
"""

from __future__ import annotations

import json
from enum import Enum

import slicer

from .finding_nodes import FindingNodes

__all__ = [
    "PromptRole",
    "SPATIAL_PROMPTS_ATTRIBUTE",
    "promptNode",
    "spatialPromptsFromNodes",
    "recordSpatialPrompts",
    "spatialPromptsOf",
]

SPATIAL_PROMPTS_ATTRIBUTE = "ReinforcedVL.spatialPrompts"
"""Report-node attribute: the prompts the finding was asked with, as JSON (absent: the description alone)."""
_ROLE_ATTRIBUTE = "ReinforcedVL.promptRole"


class PromptRole(Enum):
    """The three prompt nodes: their class, name and colour."""

    POSITIVE = ("vtkMRMLMarkupsFiducialNode", "ReinforcedVL lesion points", (0.2, 0.85, 0.3))
    NEGATIVE = ("vtkMRMLMarkupsFiducialNode", "ReinforcedVL not-this points", (0.95, 0.25, 0.2))
    BOX = ("vtkMRMLMarkupsROINode", "ReinforcedVL search box", (0.3, 0.6, 1.0))

    @property
    def nodeClass(self) -> str:
        return self.value[0]


def promptNode(scene: slicer.vtkMRMLScene, role: PromptRole, create: bool = True):
    """The scene's prompt node for ``role`` (found by its attribute); a new, coloured one when there is none and
    ``create`` is true, else None."""
    nodes = scene.GetNodesByClass(role.nodeClass)
    for index in range(nodes.GetNumberOfItems()):
        node = nodes.GetItemAsObject(index)
        if node.GetAttribute(_ROLE_ATTRIBUTE) == role.name:
            return node
    if not create:
        return None
    node = scene.AddNewNodeByClass(role.nodeClass, role.value[1])
    node.SetAttribute(_ROLE_ATTRIBUTE, role.name)
    node.CreateDefaultDisplayNodes()
    display = node.GetDisplayNode()
    if display is not None:
        display.SetSelectedColor(*role.value[2])
        display.SetColor(*role.value[2])
    return node


def spatialPromptsFromNodes(positiveNode, negativeNode, boxNode) -> dict | None:
    """The prompts the nodes hold, in the worker's form (``SpatialPrompts.to_dict``), None when they hold none.

    Only placed control points count (a point being placed is not yet a prompt); the ROI counts once placed, by its
    axis-aligned bounds in world RAS (a rotated ROI gives the box around it).
    """
    points = []
    for node, positive in ((positiveNode, True), (negativeNode, False)):
        if node is None:
            continue
        for index in range(node.GetNumberOfControlPoints()):
            if node.GetNthControlPointPositionStatus(index) != node.PositionDefined:
                continue
            ras = [0.0, 0.0, 0.0]
            node.GetNthControlPointPositionWorld(index, ras)
            points.append({"ras": [round(float(x), 3) for x in ras], "positive": positive})
    box = None
    if boxNode is not None and boxNode.GetNumberOfDefinedControlPoints() > 0:
        bounds = [0.0] * 6
        boxNode.GetRASBounds(bounds)
        if all(bounds[2 * axis + 1] > bounds[2 * axis] for axis in range(3)):
            box = {
                "corner_a_ras": [round(float(bounds[2 * axis]), 3) for axis in range(3)],
                "corner_b_ras": [round(float(bounds[2 * axis + 1]), 3) for axis in range(3)],
            }
    if not points and box is None:
        return None
    return {"points": points, "box": box}


def recordSpatialPrompts(finding: FindingNodes, prompts: dict | None) -> None:
    """Keep on the finding's report node the prompts it was asked with (saved with the scene)."""
    finding.reportNode.SetAttribute(SPATIAL_PROMPTS_ATTRIBUTE, json.dumps(prompts) if prompts else None)


def spatialPromptsOf(finding: FindingNodes) -> dict | None:
    """The prompts the finding was asked with, None when it was asked with the description alone."""
    text = finding.reportNode.GetAttribute(SPATIAL_PROMPTS_ATTRIBUTE)
    return json.loads(text) if text else None
