"""A Telegram bot for solidarity campaigns: an open letter, signatures and messages."""
