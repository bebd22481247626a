"""The fake providers, served for the fault tests."""

from tests.fakes.fixtures import (  # noqa: F401 (fixtures)
    fake_telegram,
    fake_zalo,
    telegram_board,
    zalo_board,
)
