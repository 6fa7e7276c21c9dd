"""`hcc estimate OWNER.TABLE[:PARTITION]`: compression ratio per type, from the warehouse.

Oracle: DBMS_COMPRESSION.GET_COMPRESSION_RATIO on a sample (it builds scratch tables, so it
takes a while on large objects); embedded: a real compression of a sample. The rows sampled are
the ones the warehouse reports having used (the embedded one caps a segment's sample); when it
does not report them (Oracle), only the number asked is shown, as asked.
"""

from __future__ import annotations

import argparse

from hcc_operators.cli.common import (
    add_config_dir,
    add_connection,
    add_json,
    connected,
    parse_object,
    warehouse_spec,
)
from hcc_operators.cli.exit_codes import OK, PROBLEM, CliError
from hcc_operators.cli.output import Output
from hcc_operators.core.errors import ConfigError, ObjectNotFound
from hcc_operators.core.int_bounds import whole_number
from hcc_operators.core.models import ESTIMATED_TYPES, CompressionType
from hcc_operators.core.sample_rows import (
    ALL_ROWS,
    MAX_SAMPLE_ROWS,
    check_sample_rows,
    describe,
)
from hcc_operators.core.units import format_bytes


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "estimate",
        help="estimated compression ratio per type",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("object", metavar="OWNER.TABLE[:PARTITION]")
    parser.add_argument(
        "--sample-rows",
        type=_sample_rows,
        help=f"rows to sample: {describe()}; default advisor.yaml defaults.sample_rows",
    )
    add_connection(parser)
    add_config_dir(parser)
    add_json(parser)
    parser.set_defaults(run=run)


def _sample_rows(text: str) -> int:
    # The rule both warehouses apply (core.sample_rows), so what the help offers is accepted.
    try:
        return check_sample_rows(whole_number(text, ALL_ROWS, MAX_SAMPLE_ROWS))
    except (ValueError, ConfigError):
        raise argparse.ArgumentTypeError(f"{text!r} is not {describe()}") from None


def run(args: argparse.Namespace, out: Output) -> int:
    ref = parse_object(args.object)
    defaults = warehouse_spec(args).advisor.defaults
    sample_rows = args.sample_rows if args.sample_rows is not None else defaults.sample_rows
    with connected(args, repository=False) as wh:
        try:
            seg = wh.segment(ref)
        except ObjectNotFound as err:
            raise CliError(f"{ref.label}: {err}", PROBLEM) from None
        if seg is None:
            raise CliError(f"{ref.label} does not exist in the dictionary", PROBLEM)
        ratios = {
            ctype: wh.estimate_ratio(
                ref,
                ctype,
                sample_rows=sample_rows,
                scratch_tablespace=defaults.scratch_tablespace,
            )
            for ctype in ESTIMATED_TYPES
        }
        sampled = wh.estimate_sample_rows(ref, sample_rows=sample_rows)
    # A compressed segment's size says nothing about its uncompressed size, so sizes after
    # compression are only predicted from an uncompressed one.
    plain = seg.compression is CompressionType.NONE
    rows = [
        {
            "compression": ctype.value,
            "ratio": round(ratio, 2),
            "estimated_bytes": int(seg.bytes / ratio) if plain and ratio > 0 else None,
        }
        for ctype, ratio in ratios.items()
    ]
    if args.json:
        out.json(
            {
                "object": ref.label,
                "bytes": seg.bytes,
                "compression": seg.compression.value,
                "sample_rows_requested": sample_rows,
                # None: the database does not say how many rows it sampled.
                "sample_rows": sampled,
                "estimates": rows,
            }
        )
        return OK
    out.line(
        f"{ref.label}: {format_bytes(seg.bytes)}, now {seg.compression.value}; {_sample(sampled, sample_rows)}"
    )
    out.table(
        ("compression", "ratio", "estimated size"),
        [
            (r["compression"], f"{r['ratio']:.2f}x", format_bytes(r["estimated_bytes"]))
            for r in rows
        ],
    )
    return OK


def _sample(sampled: int | None, requested: int) -> str:
    asked = "all rows" if requested == ALL_ROWS else f"{requested:,} rows"
    if sampled is None:
        return f"{asked} asked (the database does not report how many it sampled)"
    return f"sample of {sampled:,} rows ({asked} asked)"
