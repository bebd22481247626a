"""Conversation replies (the dialog engine adds its own in a module beside this one)."""

from __future__ import annotations

from messages.keyspec import MessageClass, define

REPLY = MessageClass.REPLY

define("reply.unknown", REPLY, "The message was not understood; send MENU to see the menu.")
define("reply.menu_hint", REPLY, "How to answer a numbered menu; MENU goes back to the start.")
define(
    "reply.opted_out",
    REPLY,
    "Answer to STOP / HUY / TU CHOI: no more campaigns here, payment notices still; how to undo.",
)
define(
    "reply.opted_in",
    REPLY,
    "Answer to START / DK: messages to this address resume; how to stop again.",
)
