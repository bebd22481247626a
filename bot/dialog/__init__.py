"""The dialog: one conversation engine for Telegram, Zalo and SMS (entry: bot.dialog.service)."""
