"""``reinforcedvl feedback add|list|show|export|delete|check``: the feedback store from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..feedback.layout import DATABASE_FILE, RECORDS_FOLDER, default_store_folder
from ..feedback.records import MAX_RATING, FeedbackAction
from ..plain_text import printable, printable_json
from .arguments import modality_choice

if TYPE_CHECKING:
    from ..feedback.store import FeedbackStore

__all__ = ["add_parser", "run"]


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"feedback store folder (default {default_store_folder()})",
    )
    parser = subparsers.add_parser(
        "feedback",
        help="keep, inspect and export feedback on the model's answers",
        description="The feedback store: accepted, rejected and corrected answers kept as de-identified training "
        "records (SQLite plus image files; see docs/feedback.md).",
    )
    actions = parser.add_subparsers(dest="feedback_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", parents=[common], help="store one judgement of an answer")
    add.add_argument("images", nargs="+", metavar="IMAGE", help="the study's channel(s): volume files or DICOM folder")
    add.add_argument("--action", required=True, choices=[a.value for a in FeedbackAction])
    add.add_argument("--prompt", required=True, metavar="TEXT", help="the finding description the model answered")
    add.add_argument("--model-mask", type=Path, help="the model's label map (lesions.nii.gz of 'segment')")
    add.add_argument("--corrected-mask", type=Path, help="the corrected label map (required with --action correct)")
    add.add_argument("--model-id", required=True)
    add.add_argument("--model-version", required=True)
    add.add_argument("--rating", type=_rating, help=f"1 (useless) to {MAX_RATING} (perfect)")
    add.add_argument("--comment", default="")
    add.add_argument("--annotator", default="", help="who judged (a login or pseudonym)")
    add.add_argument("--modality", default="auto", type=modality_choice, help="auto, CT or MR")
    add.add_argument(
        "--patient",
        help="the patient's identifier, only ever stored as a keyed hash (default: DICOM Patient ID, else a hash of "
        "the voxels)",
    )
    listing = actions.add_parser("list", parents=[common], help="list the records, oldest first")
    listing.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    show = actions.add_parser("show", parents=[common], help="show one record as JSON")
    show.add_argument("record_id", metavar="ID", help="record id, or its first six or more digits")
    export = actions.add_parser("export", parents=[common], help="write a training manifest, split by patient")
    export.add_argument("--out", required=True, type=Path, metavar="DIR", help="export folder (the data root)")
    export.add_argument("--dev-fraction", type=float, default=0.2, help="share of patients held out (default 0.2)")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export in DIR")
    export.add_argument(
        "--skip-damaged",
        action="store_true",
        help="leave out records whose files are missing or damaged (listed in DIR/export.json) instead of refusing",
    )
    delete = actions.add_parser("delete", parents=[common], help="delete a record and its files")
    delete.add_argument("record_id", metavar="ID", help="record id, or its first six or more digits")
    actions.add_parser("check", parents=[common], help="check that every row has its files and every file its row")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..feedback.database import FeedbackStoreError
    from ..feedback.store import FeedbackStore

    folder = args.store.expanduser() if args.store is not None else default_store_folder()
    if args.feedback_action != "add" and not folder.is_file() and not (folder / DATABASE_FILE).is_file():
        lost = (folder / RECORDS_FOLDER).is_dir() and any((folder / RECORDS_FOLDER).iterdir())
        raise FeedbackStoreError(
            f"{folder} holds no feedback store (no {DATABASE_FILE}). "
            + (
                f"Its {RECORDS_FOLDER}/ folder holds records' files: the database was lost; restore it from a backup."
                if lost
                else "Check the --store folder; a store is made by the first 'reinforcedvl feedback add' or by "
                "Slicer's feedback buttons."
            )
        )
    store = FeedbackStore(folder)
    if store.rolled_back:
        print(f"Rolled back {len(store.rolled_back)} interrupted write(s) (no record had been stored for them).")
    return _ACTIONS[args.feedback_action](store, args)


def _rating(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_RATING:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rating: use a whole number from 1 to {MAX_RATING}")
    return int(text)


def _add(store: FeedbackStore, args: argparse.Namespace) -> int:
    from ..feedback.records import FeedbackSubmission

    record = store.add(
        FeedbackSubmission.from_files(
            FeedbackAction(args.action),
            args.images,
            args.prompt,
            args.model_id,
            args.model_version,
            model_mask_file=args.model_mask,
            corrected_mask_file=args.corrected_mask,
            rating=args.rating,
            comment=args.comment,
            annotator=args.annotator,
            modality=None if args.modality is None else args.modality.value,
            patient=args.patient,
        )
    )
    dice = "n/a" if record.dice is None else f"{record.dice:.3f}"
    print(f"Stored {record.action.value} of {record.prompt!r} as record {record.record_id} (Dice {dice}).")
    return 0


def _list(store: FeedbackStore, args: argparse.Namespace) -> int:
    records = store.records()
    if args.json:
        for record in records:
            print(printable_json(json.dumps(record.to_dict(), ensure_ascii=False)))
        return 0
    print(f"{'id':12}  {'stored (UTC)':19}  {'action':7}  {'rating':6}  {'Dice':5}  {'patient':8}  model / prompt")
    for r in records:
        dice = "-" if r.dice is None else f"{r.dice:.3f}"
        rating = "-" if r.rating is None else str(r.rating)
        model = f"{r.model_id} {r.model_version}"
        columns = (r.record_id[:12], r.created_at[:19], f"{r.action.value:7}", f"{rating:6}", f"{dice:5}")
        print("  ".join(columns) + printable(f"  {r.patient_key[:8]}  {model} / {r.prompt}"))
    print(printable(f"{len(records)} record(s) in {store.folder}"))
    return 0


def _show(store: FeedbackStore, args: argparse.Namespace) -> int:
    record = store.get(args.record_id)
    print(printable_json(json.dumps({**record.to_dict(), "store": str(store.folder)}, indent=2, ensure_ascii=False)))
    return 0


def _export(store: FeedbackStore, args: argparse.Namespace) -> int:
    from ..feedback.export import export_feedback

    export = export_feedback(
        store, args.out, dev_fraction=args.dev_fraction, overwrite=args.overwrite, skip_damaged=args.skip_damaged
    )
    for record_id, problem in export.damaged.items():
        print(printable(f"warning: record {record_id} left out: {problem}"), file=sys.stderr)
    text = (
        f"Wrote {export.manifest} (data root {export.folder}): {export.triplets['train']} train triplet(s) from "
        f"{export.patients['train']} patient(s), {export.triplets['dev']} held-out triplet(s) from "
        f"{export.patients['dev']} patient(s); {export.left_out['without_final_mask']} record(s) without a final mask "
        "(rejected) left out"
        + (f"; {len(export.damaged)} damaged record(s) left out (listed in export.json)." if export.damaged else ".")
    )
    print(printable(text))
    return 0


def _delete(store: FeedbackStore, args: argparse.Namespace) -> int:
    record = store.delete(args.record_id)
    print(f"Deleted record {record.record_id} ({record.action.value} of {record.prompt!r}) and its files.")
    return 0


def _check(store: FeedbackStore, args: argparse.Namespace) -> int:
    result = store.check()
    print(printable("\n".join(result.summary_lines()), allowed="\n"))
    if result.store_damaged:
        return 2
    return 0 if result.consistent else 1


_ACTIONS = {"add": _add, "list": _list, "show": _show, "export": _export, "delete": _delete, "check": _check}
