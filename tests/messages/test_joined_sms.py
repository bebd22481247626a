"""A turn's replies that fit one message together go as one (messages.reserved.join_replies)."""

from __future__ import annotations

from messages.reserved import JOINED, PARTS, join_replies, render_queued

SORRY = ("dialog.not_understood", {})  # 69 letters on SMS
ASK_CCCD = ("dialog.identify.ask_cccd_self", {})  # 56
WELCOME = ("dialog.start.welcome", {})  # 109


def _sms(key: str, params: dict[str, object]) -> str:
    return render_queued(key, params, locale="vi", channel="sms").text


def test_two_that_fit_become_one_in_their_order() -> None:
    ((key, params),) = join_replies([SORRY, ASK_CCCD], locale="vi", channel="sms")
    assert key == JOINED
    assert [part["key"] for part in params[PARTS]] == [SORRY[0], ASK_CCCD[0]]
    shown = render_queued(key, params, locale="vi", channel="sms")
    assert shown.text == f"{_sms(*SORRY)}\n{_sms(*ASK_CCCD)}"
    assert (shown.segments, shown.encoding, shown.key) == (1, "GSM-7", JOINED)


def test_what_would_not_fit_starts_a_new_sms() -> None:
    joined = join_replies([SORRY, ASK_CCCD, WELCOME], locale="vi", channel="sms")
    assert [key for key, _ in joined] == [JOINED, WELCOME[0]]
    assert joined[1] == (WELCOME[0], {})


def test_one_alone_is_left_as_it_is() -> None:
    assert join_replies([WELCOME], locale="vi", channel="sms") == [(WELCOME[0], {})]
    assert join_replies([WELCOME, SORRY], locale="vi", channel="sms") == [
        (WELCOME[0], {}),
        (SORRY[0], {}),
    ]


def test_options_stay_with_their_reply() -> None:
    menu = ("dialog.language.ask", {"_choices": [{"key": "dialog.opt.vi", "value": "vi"}]})
    ((key, params),) = join_replies([SORRY, menu], locale="en", channel="sms")
    shown = render_queued(key, params, locale="en", channel="sms")
    assert shown.text.endswith("1. Tieng Viet") and [c.value for c in shown.choices] == ["vi"]


def test_a_messenger_shows_an_answer_and_its_menu_as_one_message() -> None:
    menu = ("dialog.language.ask", {"_choices": [{"key": "dialog.opt.vi", "value": "vi"}]})
    ((key, params),) = join_replies([WELCOME, SORRY, menu], locale="vi", channel="telegram")
    shown = render_queued(key, params, locale="vi", channel="telegram")
    assert shown.text.startswith("Xin chào!") and shown.parse_mode == "HTML"
    assert shown.text.index("Xin lỗi") < shown.text.index("Xin chọn ngôn ngữ")
    assert [c.value for c in shown.choices] == ["vi"]  # the buttons of the last


def test_nothing_is_joined_after_options_or_on_other_channels() -> None:
    menu = ("dialog.language.ask", {"_choices": [{"key": "dialog.opt.vi", "value": "vi"}]})
    assert [k for k, _ in join_replies([menu, SORRY], locale="vi", channel="zalo")] == [
        menu[0],
        SORRY[0],
    ]
    assert join_replies([SORRY, ASK_CCCD], locale="vi", channel="zns") == [SORRY, ASK_CCCD]
