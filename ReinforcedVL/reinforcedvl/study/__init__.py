"""The jobs behind the command line and the worker: a study's files in, its result files out.

* :mod:`.segment_job`: ``reinforcedvl segment`` (volume -> findings -> files and ``result.json``);
* :mod:`.finding_files`: one finding's label map, Slicer segmentation and evidence map;
* :mod:`.result_document`: the JSON entry of one finding (in ``result.json`` and the worker's ``finding.json``);
* :mod:`.report_job`: ``reinforcedvl report`` (a volume and masks already made -> grounded report, DICOM SR/SEG).
"""
