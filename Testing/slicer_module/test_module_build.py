"""The module's CMakeLists.txt installs every helper script and every panel resource (a file left out would be
missing from the built extension without any error)."""

from __future__ import annotations

from scene_helpers import MODULE_FOLDER, REPOSITORY


def test_every_lib_script_and_panel_resource_is_listed():
    cmake = (MODULE_FOLDER / "CMakeLists.txt").read_text(encoding="utf-8")
    scripts = sorted(path.name for path in (MODULE_FOLDER / "ReinforcedVLLib").glob("*.py"))
    assert len(scripts) >= 15
    assert [name for name in scripts if f"${{MODULE_NAME}}Lib/{name}" not in cmake] == []
    resources = sorted(
        path.relative_to(REPOSITORY / "Resources").as_posix()
        for folder in ("UI", "Icons")
        for path in (REPOSITORY / "Resources" / folder).iterdir()
    )
    listed = cmake.replace("${MODULE_NAME}", "ReinforcedVL")
    assert "UI/ReinforcedVL.ui" in resources
    assert [resource for resource in resources if f"  {resource}\n" not in listed] == []
    assert "slicer_add_python_unittest(SCRIPT ${MODULE_NAME}.py)" in cmake
