"""Rendering every key on every channel in both languages, and the channel rules."""

from __future__ import annotations

import asyncio
import html
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from messages import keys
from messages.catalog import LOCALES
from messages.keyspec import MessageClass, UnknownMessage
from messages.layout import utf16_len
from messages.render import (
    Choice,
    InvalidParam,
    MissingParam,
    NoZnsTemplate,
    UnknownChannel,
    render,
    render_text,
)
from messages.sms import is_gsm7
from messages.text import fold
from tests.messages.helpers import worst_params

RENDERED = sorted(k for k, m in keys.REGISTRY.items() if m.cls is not MessageClass.LABEL)
ZNS = {key: f"tpl-{index}" for index, key in enumerate(RENDERED)}
ONE_SMS = keys.of_class(MessageClass.NOTICE, MessageClass.PROBLEM, MessageClass.REPLY)
SAFETY = {"vi": "mã PIN", "en": "PIN"}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("key", RENDERED)
def test_every_key_renders_on_every_channel(key: str, locale: str) -> None:
    params = keys.sample_params(key)
    for channel in ("telegram", "zalo", "sandbox", "sms", "zns"):
        rendered = render(key, params, locale=locale, channel=channel, zns_templates=ZNS)
        assert rendered.text.strip() and "{" not in rendered.text, (channel, rendered.text)
        assert (rendered.channel, rendered.key, rendered.locale) == (channel, key, locale)
    assert render(key, params, locale=locale, channel="telegram").parse_mode == "HTML"
    assert is_gsm7(render(key, params, locale=locale, channel="sms").text)
    zns = render(key, params, locale=locale, channel="zns", zns_templates=ZNS)
    assert zns.template_id == ZNS[key] and set(zns.template_data) == keys.get(key).param_names
    assert all(isinstance(v, str) for v in zns.template_data.values())
    assert render_text(key, params, locale=locale)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("entry", ONE_SMS, ids=lambda e: e.key)
def test_standard_messages_fit_one_gsm7_sms(entry: keys.MessageKey, locale: str) -> None:
    for params in worst_params(entry.key):
        rendered = render(entry.key, params, locale=locale, channel="sms")
        assert rendered.encoding == "GSM-7"
        assert rendered.segments == 1, f"{len(rendered.text)} characters: {rendered.text!r}"


def test_languages_differ_and_unknown_locale_falls_back_to_vietnamese() -> None:
    params = {"code": "482913", "minutes": 10}
    vi = render_text("notice.verification_code", params, locale="vi")
    assert "mã xác nhận" in vi and "482913" in vi
    assert "confirmation code" in render_text("notice.verification_code", params, locale="en")
    assert render_text("notice.verification_code", params, locale="fr") == vi
    assert render("reply.unknown", {}, locale="xx", channel="zalo").locale == "vi"


def test_money_notice_in_each_channel() -> None:
    params = {"amount": 500_000, "period": "2026-11", "account": "1234567890", "date": "2026-11-10"}
    key = "notice.payment_credited"
    telegram = render(key, params, locale="vi", channel="telegram").text
    assert "<b>500.000 đ</b>" in telegram and "11/2026" in telegram and "****7890" in telegram
    assert "1234567890" not in telegram
    sms = render(key, params, locale="vi", channel="sms")
    assert "500.000 d " in sms.text and "đ" not in sms.text
    assert (sms.encoding, sms.segments) == ("GSM-7", 1)
    en = render(key, params, locale="en", channel="zalo").text
    assert "500,000 VND" in en and "10/11/2026" in en
    zns = render(key, params, locale="vi", channel="zns", zns_templates={key: "301"})
    assert zns.template_data == {
        "amount": "500.000",
        "period": "11/2026",
        "account": "****7890",
        "date": "10/11/2026",
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_safety_line_follows_every_safety_message(locale: str) -> None:
    for entry in keys.REGISTRY.values():
        if entry.safety:
            for channel in ("telegram", "zalo", "sms"):
                text = render(
                    entry.key, keys.sample_params(entry.key), locale=locale, channel=channel
                )
                assert fold(SAFETY[locale]) in fold(text.text), (entry.key, channel)


def test_telegram_escapes_user_text() -> None:
    params = {"beneficiary": "<b>Lâm</b> & <script>", "date": "2026-11-30"}
    text = render("notice.proxy_expiring", params, locale="vi", channel="telegram").text
    assert "&lt;b&gt;Lâm&lt;/b&gt; &amp; &lt;script&gt;" in text
    assert "<script>" not in text
    plain = render("notice.proxy_expiring", params, locale="vi", channel="zalo").text
    assert "<b>Lâm</b> & <script>" in plain


def test_labels_are_translated_and_free_text_is_kept() -> None:
    params = {"reason": "registration.reason.duplicate"}
    assert "already registered" in render_text("notice.registration_rejected", params, locale="en")
    params = {"reason": "thiếu <giấy tờ>"}
    text = render("notice.registration_rejected", params, locale="vi", channel="telegram").text
    assert "thiếu &lt;giấy tờ&gt;" in text


def test_sms_prefers_short_label_variants() -> None:
    params = {"method": "method.mobile_money", "code": "HS-1"}
    full = render_text("notice.method_confirmed", params, locale="vi")
    sms = render("notice.method_confirmed", params, locale="vi", channel="sms").text
    assert "Viettel Money" in full and "Viettel" not in sms and "Mobile Money" in sms


def test_choices_from_option_keys() -> None:
    options: list[Choice | str] = ["choice.yes", "choice.no", Choice("Ngân hàng <khác>", "other")]
    params = {"suggestion": "0321234567"}
    tg = render("id.phone.old_format", params, locale="vi", channel="telegram", choices=options)
    assert tg.choices == (
        Choice("Có", "choice.yes"),
        Choice("Không", "choice.no"),
        Choice("Ngân hàng <khác>", "other"),
    )
    assert tg.text.endswith("\n\n1. Có\n2. Không\n3. Ngân hàng &lt;khác&gt;")
    zalo = render("id.phone.old_format", params, locale="en", channel="zalo", choices=options)
    assert zalo.text.endswith("\n\n1. Yes\n2. No\n3. Ngân hàng <khác>")
    sms = render("id.phone.old_format", params, locale="vi", channel="sms", choices=options)
    assert sms.text.endswith("?\n1. Co\n2. Khong\n3. Ngan hang <khac>")
    assert render_text("reply.menu_hint", {}, locale="en", choices=["choice.yes"]).endswith(
        "1. Yes"
    )


def test_telegram_buttons_are_passed_through() -> None:
    rendered = render("id.phone.empty", {}, locale="vi", channel="telegram", request_contact=True)
    assert rendered.request_contact and not rendered.request_location


def _valid_html(text: str) -> bool:
    entities_ok = all(m in ("&lt;", "&gt;", "&amp;") for m in re.findall(r"&[^;\s]*;?", text))
    tags = re.findall(r"</?b>", text)
    balanced = tags == ["<b>", "</b>"] * (len(tags) // 2)
    return entities_ok and balanced and "<" not in re.sub(r"</?b>", "", text)


@pytest.mark.parametrize("unit", ["a", "<&>", "😀", "ệ"])
def test_telegram_truncates_safely(unit: str) -> None:
    long_text = (unit * 5000)[:5000]
    rendered = render("campaign.text", {"text": long_text}, locale="vi", channel="telegram")
    assert utf16_len(rendered.text) <= 4096
    assert _valid_html(rendered.text)
    assert rendered.text.endswith("…\nNhắn TU CHOI để không nhận tin tuyên truyền.")


def test_telegram_truncation_keeps_markup_balanced_inside_bold_values() -> None:
    params = {"code": "9" * 5000, "minutes": 10}
    text = render("notice.verification_code", params, locale="en", channel="telegram").text
    assert utf16_len(text) <= 4096 and _valid_html(text)
    assert html.unescape(text).count("9") > 3900 and utf16_len(text) > 4090


def test_zalo_truncates_to_2000_and_keeps_choices() -> None:
    options = ["choice.yes", "choice.no"]
    rendered = render(
        "campaign.text", {"text": "x" * 3000}, locale="en", channel="zalo", choices=options
    )
    assert len(rendered.text) <= 2000
    assert rendered.text.endswith("…\nSend STOP to stop these messages.\n\n1. Yes\n2. No")
    assert render("campaign.text", {"text": "x" * 3000}, locale="en", channel="sandbox").text


def test_long_sms_counts_its_segments() -> None:
    rendered = render("campaign.text", {"text": "Thông báo " * 40}, locale="vi", channel="sms")
    assert rendered.encoding == "GSM-7" and rendered.segments == 3


def test_missing_param_names_the_key() -> None:
    with pytest.raises(MissingParam) as caught:
        render(
            "notice.cash_payout", {"date": "2026-11-10", "amount": 1}, locale="vi", channel="sms"
        )
    assert isinstance(caught.value, KeyError)
    assert caught.value.name == "place" and "notice.cash_payout" in str(caught.value)
    with pytest.raises(MissingParam):
        render_text("id.cccd.length", {"got": None}, locale="en")


def test_invalid_param_says_which() -> None:
    params = {"amount": "lots", "period": "2026-11", "account": "1234", "date": "2026-11-10"}
    with pytest.raises(InvalidParam, match="'amount'"):
        render("notice.payment_credited", params, locale="vi", channel="zalo")


def test_other_errors() -> None:
    with pytest.raises(UnknownMessage):
        render("notice.nothing", {}, locale="vi", channel="zalo")
    with pytest.raises(UnknownChannel):
        render("reply.unknown", {}, locale="vi", channel="fax")
    with pytest.raises(NoZnsTemplate, match=r"reply\.unknown"):
        render("reply.unknown", {}, locale="vi", channel="zns", zns_templates={})
    with pytest.raises(UnknownMessage):
        render("reply.unknown", {}, locale="vi", channel="zalo", choices=["choice.maybe"])


def _expected() -> dict[str, str]:
    params = keys.sample_params("notice.payment_credited")
    return {loc: render_text("notice.payment_credited", params, locale=loc) for loc in LOCALES}


def test_no_process_global_locale_across_threads() -> None:
    expected = _expected()
    params = keys.sample_params("notice.payment_credited")
    jobs = [LOCALES[i % 2] for i in range(400)]

    def one(locale: str) -> tuple[str, str]:
        return locale, render_text("notice.payment_credited", params, locale=locale)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for locale, text in pool.map(one, jobs):
            assert text == expected[locale]


async def test_no_process_global_locale_across_tasks() -> None:
    expected = _expected()
    params = keys.sample_params("notice.payment_credited")

    async def one(locale: str) -> tuple[str, str]:
        await asyncio.sleep(0)
        first = render_text("notice.payment_credited", params, locale=locale)
        await asyncio.sleep(0)
        return locale, first

    results = await asyncio.gather(*(one(LOCALES[i % 2]) for i in range(200)))
    assert all(text == expected[locale] for locale, text in results)


def test_the_longest_values_are_cut_first() -> None:
    params = {"operator": "O" * 1500, "address": "A" * 3000}
    text = render("notice.atm_new", params, locale="vi", channel="zalo").text
    assert len(text) <= 2000
    assert "O" * 500 in text and "A…" in text and text.count("…") >= 1
    assert fold("Cảnh giác lừa đảo") in fold(text)


def test_too_many_choices_are_cut_at_the_end() -> None:
    options = [Choice(f"Lựa chọn số {n} " + "x" * 40, str(n)) for n in range(200)]
    rendered = render("reply.menu_hint", {}, locale="vi", channel="zalo", choices=options)
    assert len(rendered.text) <= 2000 and rendered.text.endswith("…")
    assert len(rendered.choices) == 200
