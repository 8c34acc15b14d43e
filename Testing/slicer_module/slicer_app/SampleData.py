"""``SampleData``: the Sample Data module's registration call, recording the sources a module registers."""

from __future__ import annotations


class SampleDataLogic:
    sources: list[dict] = []

    @classmethod
    def registerCustomSampleDataSource(cls, **source) -> None:
        cls.sources.append(source)
