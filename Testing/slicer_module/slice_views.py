"""Slicer's own slice views, offscreen, on a ``slicer-core`` scene: what a Slicer user sees, as RGB arrays.

Each view is a ``vtkMRMLSliceLogic`` (the layers: background volume, foreground volume at its opacity, label map,
resliced along the view's slice node) drawn into an offscreen render window, with Slicer's displayable managers on
top (segmentations drawn as outlines and fill in their segment colours by ``vtkMRMLSegmentationsDisplayableManager2D``).
This is how Slicer's slice widget draws; only the Qt widget around it is missing. Rendering needs OpenGL (VTK picks
EGL offscreen where there is no display).
"""

from __future__ import annotations

import numpy as np
import slicer
import vtk
from vtk.util.numpy_support import vtk_to_numpy

__all__ = ["SliceView", "prepareScene"]

_DISPLAYABLE_MANAGERS = ("vtkMRMLSegmentationsDisplayableManager2D",)


def prepareScene(scene: slicer.vtkMRMLScene) -> slicer.vtkMRMLApplicationLogic:
    """What Slicer's application sets up in a scene before views draw it: application logic, colour tables."""
    applicationLogic = slicer.vtkMRMLApplicationLogic()
    applicationLogic.SetMRMLScene(scene)
    colorLogic = slicer.vtkMRMLColorLogic()
    colorLogic.SetMRMLScene(scene)
    scene._reinforcedvlLogics = (applicationLogic, colorLogic)  # kept alive with the scene
    return applicationLogic


class SliceView:
    """One slice view (``layoutName`` Red, Yellow or Green) of ``scene``, ``size`` pixels square."""

    def __init__(self, scene, applicationLogic, layoutName: str = "Red", size: int = 256) -> None:
        self.logic = slicer.vtkMRMLSliceLogic()
        self.logic.SetMRMLApplicationLogic(applicationLogic)
        self.logic.SetMRMLScene(scene)
        self.sliceNode = self.logic.AddSliceNode(layoutName)
        self.sliceNode.SetDimensions(size, size, 1)
        self.compositeNode = self.logic.GetSliceCompositeNode()
        self.window = vtk.vtkRenderWindow()
        self.window.SetOffScreenRendering(1)
        self.window.SetSize(size, size)
        self.window.SetNumberOfLayers(2)
        imageRenderer = vtk.vtkRenderer()
        mapper = vtk.vtkImageMapper()
        mapper.SetColorWindow(255)
        mapper.SetColorLevel(127.5)
        self.mapper = mapper
        actor = vtk.vtkActor2D()
        actor.SetMapper(mapper)
        imageRenderer.AddViewProp(actor)
        self.window.AddRenderer(imageRenderer)
        overlayRenderer = vtk.vtkRenderer()
        overlayRenderer.SetLayer(1)
        overlayRenderer.InteractiveOff()
        self.window.AddRenderer(overlayRenderer)
        self.interactor = vtk.vtkRenderWindowInteractor()  # displayable managers need one, even offscreen
        self.interactor.SetRenderWindow(self.window)
        factory = slicer.vtkMRMLSliceViewDisplayableManagerFactory.GetInstance()
        factory.SetMRMLApplicationLogic(applicationLogic)
        for name in _DISPLAYABLE_MANAGERS:
            if not factory.IsDisplayableManagerRegistered(name):
                factory.RegisterDisplayableManager(name)
        self.managers = factory.InstantiateDisplayableManagers(overlayRenderer)
        self.managers.SetMRMLDisplayableNode(self.sliceNode)

    def show(self, background=None, foreground=None, foregroundOpacity: float | None = None) -> None:
        if background is not None:
            self.compositeNode.SetBackgroundVolumeID(background.GetID())
        if foreground is not None:
            self.compositeNode.SetForegroundVolumeID(foreground.GetID())
        if foregroundOpacity is not None:
            self.compositeNode.SetForegroundOpacity(foregroundOpacity)

    def fitToBackground(self) -> None:
        size = self.sliceNode.GetDimensions()
        self.logic.FitSliceToBackground()
        self.sliceNode.SetDimensions(*size)

    def render(self) -> np.ndarray:
        """The view as uint8 RGB, rows top to bottom."""
        self.mapper.SetInputConnection(self.logic.GetImageDataConnection())  # the logic rebuilds its pipeline
        self.managers.RequestRender()
        self.window.Render()
        grab = vtk.vtkWindowToImageFilter()
        grab.SetInput(self.window)
        grab.Update()
        image = grab.GetOutput()
        width, height, _ = image.GetDimensions()
        rgb = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(height, width, -1)[..., :3]
        return rgb[::-1].copy()

    def pixelOf(self, pointRAS) -> tuple[int, int]:
        """(row, column) of the view's pixel at ``pointRAS`` (which must lie in the view's plane)."""
        rasToXY = vtk.vtkMatrix4x4()
        rasToXY.DeepCopy(self.sliceNode.GetXYToRAS())
        rasToXY.Invert()
        x, y, _, _ = rasToXY.MultiplyPoint([*map(float, pointRAS), 1.0])
        height = self.sliceNode.GetDimensions()[1]
        return height - 1 - int(round(y)), int(round(x))
