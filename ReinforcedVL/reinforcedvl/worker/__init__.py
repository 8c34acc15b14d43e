"""The inference worker: a local process that keeps the model on its device across prompts.

Slicer (or any caller) starts it with :class:`.client.WorkerClient`, sends it volumes as files and finding
descriptions as JSON lines (:mod:`.protocol`), and reads progress, results and errors back. The client and the
protocol import no torch, so the caller's process stays light and survives a crash of the worker.
"""
