"""``slicer.dicomDatabase`` and what Slicer's DICOM module does when it loads a series, as far as the module uses them.

``fileForInstance(sopInstanceUID)`` answers the file an instance was imported from (ctkDICOMDatabase);
``importFolder`` indexes every DICOM file under a folder by its SOP Instance UID (Add DICOM Data, imported in place);
``loadSeries`` puts a series in the scene as Slicer's DICOMScalarVolumePlugin does: one scalar volume whose
``DICOM.instanceUIDs`` attribute lists the instance UIDs of its slices, space-separated. The voxels are read with the
engine's DICOM reader (the harness has no GDCM/DCMTK reader) and written as NRRD for Slicer's own volume reader.
"""

from __future__ import annotations

from pathlib import Path

import pydicom


class DICOMDatabase:
    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def importFolder(self, folder: Path) -> list[str]:
        """Index the DICOM files under ``folder``; their SOP Instance UIDs."""
        uids = []
        for path in sorted(Path(folder).rglob("*")):
            if not path.is_file():
                continue
            try:
                header = pydicom.dcmread(path, stop_before_pixels=True)
            except pydicom.errors.InvalidDicomError:
                continue
            self.files[str(header.SOPInstanceUID)] = str(path)
            uids.append(str(header.SOPInstanceUID))
        return uids

    def fileForInstance(self, sopInstanceUID: str) -> str:
        """The file of the instance ('' when the database does not hold it)."""
        return self.files.get(sopInstanceUID, "")

    def loadSeries(self, folder: Path, scene, name: str, workFolder: Path):
        """The series under ``folder`` as a volume node, with its instances in this database."""
        from reinforcedvl.io import read_image, write_volume
        from scene_helpers import load_volume_node

        self.importFolder(folder)
        volume = read_image([Path(folder)])
        node = load_volume_node(scene, write_volume(volume, Path(workFolder) / f"{name}.nrrd"), name)
        uids = [str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID) for path in volume.source.paths]
        node.SetAttribute("DICOM.instanceUIDs", " ".join(uids))
        return node
