"""The conversation engine: one step of a conversation, the same for every channel.

`step_state(ctx, state, msg, timing) -> (state, replies)`: the state is stored per (channel,
address) by bot/dialog/service.py. A flow is plain Python: each step has an `ask` (its
question: message keys with options) and a `handle` (validate the answer, then move on or
re-ask with a helpful message). Replies are message keys and parameters, never text:
messages/ renders them per channel at send time. The options last shown are kept with the
state, so "2" (or the option's words) answers them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialog import words
from messages.catalog import LOCALES
from messages.text import fold
from messages.words import translate
from models.conversations.service import kept_data
from models.messaging.tables import OutboxMessage
from models.protection import DataProtector
from models.settings import Settings
from models.vocab import Source

MAX_TEXT = 2000
RESUME_AFTER = timedelta(minutes=15)
SENSITIVE_IDLE = timedelta(minutes=30)
CONVERSATION_IDLE = timedelta(days=3)
HISTORY = 12

ERROR = "dialog.error"
RESUME = "dialog.resume"
CALL_COMMUNE = "dialog.call_commune"
EXPIRED_SENSITIVE = "dialog.expired.sensitive"
EXPIRED_CONVERSATION = "dialog.expired.conversation"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Opt:
    """One numbered option: a label key (translated at send time) or a ready label."""

    value: str
    key: str | None = None
    label: str | None = None

    def as_param(self) -> dict[str, str]:
        """The form kept in outbox params and conversation data."""
        if self.key is not None:
            return {"key": self.key, "value": self.value}
        return {"label": self.label or self.value, "value": self.value}


def opt(key: str, value: str | None = None) -> Opt:
    """An option labelled by message `key`; its value is `value` (default: the key)."""
    return Opt(value=value or key, key=key)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send back: a key, its parameters and its options."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    options: tuple[Opt, ...] = ()
    request_contact: bool = False
    request_location: bool = False


@dataclass
class State:
    """Where a conversation is; stored per (channel, address)."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    locale: str = "vi"
    person_id: int | None = None  # who is writing
    beneficiary_id: int | None = None  # whom they act for (themselves or a beneficiary)
    failures: int = 0

    def reset(self) -> None:
        """Leave any flow; what outlives flows (consent, a registration sent) stays."""
        self.flow = self.step = None
        self.failures = 0
        self.data = kept_data(self.data)


@dataclass(frozen=True, slots=True)
class Msg:
    """The inbound message as a step sees it."""

    text: str
    folded: str
    choice: str | None = None  # the value of the option answered, if any
    phone: str | None = None  # shared with Telegram's button
    location: tuple[float, float] | None = None


@dataclass
class Ctx:
    """What a step may use besides the state: the session, keys, time and where it is."""

    session: AsyncSession
    settings: Settings
    protector: DataProtector
    now: datetime
    channel: str
    address: str
    resumed: bool = False
    queued: list[OutboxMessage] = field(default_factory=list)  # notices a step enqueued

    @property
    def source(self) -> Source:
        """Where a record made in this conversation comes from."""
        return Source.SMS if self.channel == "sms" else Source.BOT

    @property
    def actor(self) -> str:
        """How this conversation signs the audit log."""
        return f"bot:{self.channel}"

    @property
    def chat(self) -> bool:
        """A messenger with room for a menu after each answer (not SMS)."""
        return self.channel != "sms"


@dataclass(frozen=True)
class Timing:
    """How long the conversation was idle and what expired meanwhile."""

    new: bool = False
    idle: timedelta = timedelta(0)
    expired: bool = False  # a flow was left unfinished for three days
    sensitive_expired: bool = False
    stale: bool = False  # three idle days, in a flow or not


Ask = Callable[[Ctx, State], Awaitable[list[Reply]]]
Handle = Callable[[Ctx, State, Msg], Awaitable[list[Reply]]]
Entry = Callable[[Ctx, State, str], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Step:
    """One step of a flow."""

    ask: Ask
    handle: Handle
    sensitive: bool = False  # holds an ID, account number or code: expires after 30 idle minutes
    free_text: bool = False  # any text is an answer: shortcuts (TT, ATM…) are not read here
    max_failures: int | None = None  # then suggest calling the commune office


STEPS: dict[tuple[str, str], Step] = {}
ENTRIES: dict[str, Entry] = {}


def step(
    flow: str,
    name: str,
    *,
    ask: Ask,
    sensitive: bool = False,
    free_text: bool = False,
    max_failures: int | None = None,
) -> Callable[[Handle], Handle]:
    """Register the decorated function as the handler of step `name` of `flow`."""

    def register(handle: Handle) -> Handle:
        STEPS[(flow, name)] = Step(ask, handle, sensitive, free_text, max_failures)
        return handle

    return register


def entry(name: str) -> Callable[[Entry], Entry]:
    """Register the decorated function as the way into `name` (menu, shortcut, global word)."""

    def register(function: Entry) -> Entry:
        ENTRIES[name] = function
        return function

    return register


# --- moving between steps -----------------------------------------------------------------
async def goto(ctx: Ctx, st: State, flow: str, name: str) -> list[Reply]:
    """Move to a step (remembering the current one for BACK) and ask its question."""
    if st.flow and st.step and (st.flow, st.step) != (flow, name):
        history = st.data.setdefault("_back", [])
        history.append([st.flow, st.step])
        del history[:-HISTORY]
    st.flow, st.step, st.failures = flow, name, 0
    return await STEPS[(flow, name)].ask(ctx, st)


async def ask_again(ctx: Ctx, st: State) -> list[Reply]:
    """The current step's question again (the menu when there is none)."""
    current = STEPS.get((st.flow or "", st.step or ""))
    if current is None:
        return await menu(ctx, st)
    return await current.ask(ctx, st)


async def go_back(ctx: Ctx, st: State) -> list[Reply]:
    """The previous step's question, or the menu."""
    history = st.data.get("_back") or []
    while history:
        flow, name = history.pop()
        if (flow, name) in STEPS:
            st.flow, st.step, st.failures = flow, name, 0
            return await STEPS[(flow, name)].ask(ctx, st)
    return await menu(ctx, st)


async def retry(
    ctx: Ctx, st: State, key: str, params: Mapping[str, Any] | None = None
) -> list[Reply]:
    """Explain what is wrong and ask again; too many failures suggest calling the commune."""
    if ctx.resumed:  # after a long pause the person may not remember the question
        return [Reply(RESUME), *await ask_again(ctx, st)]
    st.failures += 1
    current = STEPS.get((st.flow or "", st.step or ""))
    problem = Reply(key, dict(params or {}))
    if current is not None and current.max_failures and st.failures >= current.max_failures:
        return [problem, *await finish(ctx, st, [Reply(CALL_COMMUNE)])]
    asked = await ask_again(ctx, st)
    questions = [i for i, reply in enumerate(asked) if reply.options]
    # the question again, without what introduced it ("Welcome!", what consent covers)
    return [problem, *asked[questions[-1] :]] if questions else [problem]


async def menu(ctx: Ctx, st: State) -> list[Reply]:
    """Leave any flow and show the main menu."""
    st.reset()
    return await ENTRIES["menu"](ctx, st, "")


async def finish(ctx: Ctx, st: State, replies: list[Reply]) -> list[Reply]:
    """End the flow; messengers also get the menu back (SMS saves the extra message)."""
    st.reset()
    if not ctx.chat:
        return replies
    return [*replies, *await ENTRIES["menu"](ctx, st, "")]


# --- reading what was sent ----------------------------------------------------------------
def make_msg(
    text: str | None, phone: str | None = None, location: tuple[float, float] | None = None
) -> Msg:
    """A message cleaned of control characters and cut to a workable length."""
    clean = _CONTROL.sub(" ", unicodedata.normalize("NFC", text or ""))[:MAX_TEXT].strip()
    return Msg(clean, words.normalize(clean), phone=phone, location=location)


def _labels(option: Mapping[str, str]) -> set[str]:
    key = option.get("key")
    if key is None:
        return {fold(option.get("label", ""))}
    found = set()
    for locale in LOCALES:
        for sms in (False, True):
            found.add(fold(translate(key, locale=locale, sms=sms)))
    return found


def resolve(st: State, msg: Msg) -> str | None:
    """The value of the offered option the message answers: by number or by its label."""
    offered = st.data.get("_offered") or []
    number = msg.text.rstrip(".)")
    if number.isdecimal() and len(number) <= 3:
        index = int(number)
        return offered[index - 1]["value"] if 1 <= index <= len(offered) else None
    if not msg.folded:
        return None
    asking = "?" in msg.text  # "Có?": a question back, not an answer to a yes/no question
    for option in offered:
        if asking and option["value"] in (words.YES, words.NO):
            continue
        if msg.folded in _labels(option) or msg.folded == fold(option["value"]):
            return str(option["value"])
    said = words.yes_or_no(msg.text, msg.folded)  # "vâng ạ" answers a yes/no question
    if said is not None and any(option["value"] == said for option in offered):
        return said
    return None


def remember_options(st: State, replies: list[Reply], *, same_step: bool) -> None:
    """Keep the options of the last menu shown, so a number answers it.

    An answer without a menu (an FAQ text, "wrong code") keeps the step's menu in force.
    """
    offered = [r.options for r in replies if r.options]
    if offered:
        st.data["_offered"] = [o.as_param() for o in offered[-1]]
    elif not same_step:
        st.data["_offered"] = []


# --- one turn -----------------------------------------------------------------------------
async def _global(ctx: Ctx, st: State, word: str) -> list[Reply]:
    if word == words.MENU:
        return await menu(ctx, st)
    if word == words.BACK:
        return await go_back(ctx, st)
    if word in (words.VIETNAMESE, words.ENGLISH):
        return await ENTRIES["set_language"](ctx, st, word)
    return await ENTRIES[word](ctx, st, "")


async def _dispatch(ctx: Ctx, st: State, msg: Msg) -> list[Reply]:
    current = STEPS.get((st.flow or "", st.step or ""))
    choice = resolve(st, msg) if current is not None else None
    word = words.global_word(msg.folded)
    if word is not None and choice is None:  # an option shown ("English") answers its menu
        return await _global(ctx, st, word)
    if choice is None and (current is None or not current.free_text):
        found = words.shortcut(msg.text, st.data.get("registration_id"))
        if found is not None:
            return await ENTRIES[found[0]](ctx, st, found[1])
    if msg.location is not None and st.flow != "atm":  # a location always asks for ATMs
        return await ENTRIES["atm_near"](ctx, st, f"{msg.location[0]},{msg.location[1]}")
    if current is None:
        return await menu(ctx, st)
    return await current.handle(ctx, st, replace(msg, choice=choice))


def is_sensitive(st: State) -> bool:
    """Whether the state holds or asks for an ID, account number or code."""
    current = STEPS.get((st.flow or "", st.step or ""))
    if current is not None and current.sensitive:
        return True
    return any(key.endswith("_enc") for key in st.data)


async def step_state(ctx: Ctx, st: State, msg: Msg, timing: Timing) -> tuple[State, list[Reply]]:
    """One turn: apply expiries, read global words and shortcuts, run the current step."""
    prefix: list[Reply] = []
    if timing.expired:
        st.reset()
        prefix.append(Reply(EXPIRED_CONVERSATION))
    elif timing.sensitive_expired:
        st.reset()
        prefix.append(Reply(EXPIRED_SENSITIVE))
    ctx.resumed = timing.idle >= RESUME_AFTER and not prefix
    where = (st.flow, st.step)
    if timing.new and not _answers_directly(msg):
        replies = await ENTRIES["start"](ctx, st, "")
    else:
        replies = await _dispatch(ctx, st, msg)
    remember_options(st, replies, same_step=where == (st.flow, st.step) and st.flow is not None)
    return st, prefix + replies


def _answers_directly(msg: Msg) -> bool:
    """A first message that asks for something at once (ATM Na Sầm, HELP) skips the welcome."""
    return (
        words.global_word(msg.folded) not in (None, words.MENU)
        or words.shortcut(msg.text) is not None
        or msg.location is not None
    )
