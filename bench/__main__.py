"""`make bench`: run the benchmarks and print their figures (`python -m bench --help`)."""

from __future__ import annotations

import argparse
import asyncio

from bench import admin, campaign, dispatch, imports, load, memory, results, webhook
from bench.common import databases, show


def main() -> None:
    """Parse the arguments and run the chosen benchmarks."""
    parser = argparse.ArgumentParser(description="ansinh benchmarks")
    parser.add_argument(
        "which", nargs="*", default=["import"],
        help="import, campaign, dispatch, memory, admin, results, load",
    )  # fmt: skip
    parser.add_argument("--db", choices=["sqlite", "postgresql"], help="only this database")
    parser.add_argument("--rows", type=int, default=100_000, help="rows to import")
    parser.add_argument("--people", type=int, default=1_000_000, help="campaign recipients")
    parser.add_argument("--rounds", type=int, default=1, help="times to repeat each measure")
    parser.add_argument("--messages", type=int, default=20_000, help="messages to dispatch")
    parser.add_argument("--provider", choices=["sms", "telegram"], default="sms")
    parser.add_argument(
        "--latency", type=float, nargs="+", default=[0.0, 0.1], help="provider seconds"
    )
    parser.add_argument("--profile", action="store_true", help="profile the dispatcher")
    parser.add_argument("--batch", type=int, default=dispatch.BATCH_SIZE, help="claim size")
    parser.add_argument("--concurrency", type=int, default=dispatch.CONCURRENCY)
    parser.add_argument("--watch", type=float, default=30.0, help="memory: seconds watched")
    parser.add_argument("--seconds", type=float, default=60.0, help="load: seconds of traffic")
    parser.add_argument("--senders", type=int, default=500, help="load: concurrent senders")
    parser.add_argument("--campaign", type=int, default=100_000, help="load: campaign size")
    parser.add_argument("--users", type=int, default=200, help="webhook: people talking at once")
    parser.add_argument(
        "--think", type=float, nargs=2, default=[2.0, 6.0], help="webhook: seconds between turns"
    )
    parser.add_argument(
        "--results-rows", type=int, nargs="+", default=[2_000, 20_000], help="results: file rows"
    )
    args = parser.parse_args()
    kinds = databases(args.db)
    if "import" in args.which:
        show("Import of beneficiary lists", asyncio.run(imports.run(kinds, args.rows)))
    if "campaign" in args.which:
        on = databases(args.db or "postgresql")
        show("Campaign enqueue", asyncio.run(campaign.run(on, args.people, args.rounds)))
    if "dispatch" in args.which:
        figures = asyncio.run(
            dispatch.run(
                kinds, args.messages, provider=args.provider, delays=args.latency,
                profile=args.profile, batch=args.batch, concurrency=args.concurrency,
            )
        )  # fmt: skip
        show("Dispatch through the real adapters", figures)
    if "memory" in args.which:
        on = databases(args.db or "postgresql")
        latency = args.latency[-1]
        figures = asyncio.run(memory.run(on, args.people, args.watch, latency))
        show("Worker memory", figures)
    if "admin" in args.which:
        figures = asyncio.run(admin.run(databases(args.db or "postgresql"), args.rows, args.people))
        show("Admin: payment lists, report, preview", figures)
    if "webhook" in args.which:
        options = webhook.Options(
            args.users, args.seconds if args.seconds != 60.0 else 30.0, think=tuple(args.think)
        )
        show("Conversations through the Telegram webhook", asyncio.run(webhook.run(kinds, options)))
    if "results" in args.which:
        figures = asyncio.run(results.run(kinds, args.results_rows))
        show("Bank results file: apply and tell each payee", figures)
    if "load" in args.which:
        asyncio.run(load.run(load.Options(args.seconds, args.senders, args.campaign)))


if __name__ == "__main__":
    main()
