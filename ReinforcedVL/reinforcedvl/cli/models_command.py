"""``reinforcedvl models``: list installed and published models (without loading any), download, import, delete.

``reinforcedvl models`` (or ``models list``) lists; ``models download ID`` fetches a published model (resuming an
interrupted transfer, checking its SHA-256); ``models import PATH`` installs a checkpoint folder or a ``.zip`` of one
(for sites without internet access); ``models delete ID`` removes a downloaded or imported model; ``models seal PATH``
records the checksums of a checkpoint folder written before checkpoints carried them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from ..model_store.checkpoint_files import seal_checkpoint
from ..model_store.downloads import delete_model, download_model, import_model, manifest_entry, read_manifest
from ..model_store.registry import installed_models, user_models_folder

__all__ = ["add_parser", "run", "run_download", "run_import", "run_delete", "run_seal"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list, download, import or delete models",
        description=f"List, download, import or delete models. Models are installed in {user_models_folder()}.",
    )
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="installed and published models (the default)").set_defaults(run=run)
    download = actions.add_parser("download", help="download a published model and check its SHA-256")
    download.add_argument("model_id", metavar="ID", help="a model id from 'reinforcedvl models'")
    download.set_defaults(run=run_download)
    importing = actions.add_parser("import", help="install a checkpoint folder or a .zip of one")
    importing.add_argument("source", metavar="PATH", type=Path, help="checkpoint folder, or .zip of one")
    importing.add_argument("--replace", action="store_true", help="replace an installed model of the same id")
    importing.set_defaults(run=run_import)
    delete = actions.add_parser("delete", help="delete a downloaded or imported model")
    delete.add_argument("model_id", metavar="ID")
    delete.set_defaults(run=run_delete)
    seal = actions.add_parser(
        "seal",
        help="record the SHA-256 of a checkpoint folder you trust (one written by an older ReinforcedVL)",
        description="Write the integrity record (SHA-256 of the weights and of the settings) into a checkpoint "
        "folder's config.json. Every load checks the files against it. Only for a copy you trust as it is.",
    )
    seal.add_argument("folder", metavar="PATH", type=Path, help="checkpoint folder (config.json + model.safetensors)")
    seal.set_defaults(run=run_seal)


def run(args: argparse.Namespace) -> int:
    models = installed_models()
    if not models:
        print("No model is installed.")
    for model_id, checkpoint in sorted(models.items()):
        print(f"{model_id}\t{checkpoint.identity.version}\t{checkpoint.folder}")
    published = [entry for entry in read_manifest() if entry.model_id not in models]
    if published:
        print("\nPublished, not installed ('reinforcedvl models download ID'):")
    for entry in published:
        megabytes = entry.size_bytes / 1e6
        print(f"{entry.model_id}\t{entry.version}\t{megabytes:.0f} MB\t{entry.licence}\t{'/'.join(entry.modalities)}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    entry = manifest_entry(args.model_id)
    with tqdm(total=entry.size_bytes, unit="B", unit_scale=True, desc=entry.model_id, file=sys.stderr) as bar:
        installed = download_model(entry, progress=lambda done, total: bar.update(done - bar.n))
    print(f"Installed {installed.model_id} {installed.version} in {installed.folder}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    installed = import_model(args.source, replace=args.replace)
    print(f"Installed {installed.model_id} {installed.version} in {installed.folder}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    print(f"Deleted {delete_model(args.model_id)}")
    return 0


def run_seal(args: argparse.Namespace) -> int:
    record = seal_checkpoint(args.folder)
    print(f"Recorded the checksums of {args.folder} (weights SHA-256 {record['weights_sha256']}).")
    return 0
