"""The baseline of the webhook benchmark: a bare python-telegram-bot echo bot.

An `Application` with one `MessageHandler` answering each text with itself, fed by a Starlette
webhook under uvicorn as python-telegram-bot's custom-webhook example does (updates processed
concurrently; python-telegram-bot's default HTTPX request for sending).

With `--durable DATABASE_URL` it first writes what every turn of a bot that keeps the
conversation issue's promises must write (`bench/durable_turn.py`), and records the result of
its reply after the send: the floor under any implementation of the issue.

`python -m bench.telegram_echo --port 8123 --api-url http://127.0.0.1:9000/bot --token T --secret S`
"""

from __future__ import annotations

import argparse
import asyncio
import hmac

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.durable_turn import DurableTurns


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a text with the same text."""
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


async def durable_echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the turn and queue the reply, send it, record its result."""
    message = update.message
    if message is None or message.text is None:
        return
    turns: DurableTurns = context.bot_data["durable"]
    address = f"telegram:{message.chat_id}"
    outbox_id = await turns.keep(str(update.update_id), address, message.text)
    if outbox_id is None:  # seen before
        return
    sent = await message.reply_text(message.text)
    turns.sent(outbox_id, str(sent.message_id))


async def serve(
    port: int, api_url: str, token: str, secret: str, durable: str | None = None
) -> None:
    """Serve the echo bot's webhook on loopback `port` until stopped (with `durable`, the
    database URL of a migrated ansinh database, each turn is recorded there first)."""
    application = (
        Application.builder()
        .token(token)
        .base_url(api_url)
        .updater(None)
        .concurrent_updates(True)
        .build()
    )
    turns = DurableTurns(durable) if durable else None
    application.bot_data["durable"] = turns
    application.add_handler(MessageHandler(filters.TEXT, durable_echo if turns else echo))

    async def webhook(request: Request) -> Response:
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not hmac.compare_digest(given, secret):
            return Response(status_code=401)
        update = Update.de_json(data=await request.json(), bot=application.bot)
        await application.update_queue.put(update)
        return Response()

    async def health(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(
        routes=[
            Route("/webhooks/telegram", webhook, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ]
    )
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    async with application:
        await application.start()
        await server.serve()
        await application.stop()
    if turns is not None:
        await turns.close()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(description="a bare python-telegram-bot echo bot")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--durable", help="record each turn in this migrated database first")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.api_url, args.token, args.secret, args.durable))


if __name__ == "__main__":
    main()
