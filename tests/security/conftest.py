"""The fake providers, served for the API tests."""

from tests.fakes.fixtures import (  # noqa: F401 (fixtures)
    fake_sms_gateway,
    fake_telegram,
    fake_twilio,
    fake_zalo,
    fake_zns,
    sms_gateway_board,
    telegram_board,
    twilio_board,
    zalo_board,
    zns_board,
)
