"""The models on this computer: where they live (:mod:`.registry`, the one list of installed models), how one is
read and saved (:mod:`.checkpoint`), and how one is downloaded, imported or deleted (:mod:`.downloads`)."""
