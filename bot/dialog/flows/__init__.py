"""The flows of the dialog; importing this package registers every step and entry."""

from bot.dialog.flows import (
    account,
    atm,
    help,
    identify,
    menu,
    mydata,
    payment,
    phone,
    register,
    start,
    status,
    who,
)

__all__ = [
    "account",
    "atm",
    "help",
    "identify",
    "menu",
    "mydata",
    "payment",
    "phone",
    "register",
    "start",
    "status",
    "who",
]
