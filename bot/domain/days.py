"""The day the bot dates things by: the UTC day, for every record and every reader.

A signature, a decision, a message, a link's counts and a letter's version each carry a day,
never a time (see README, 'Privacy: what is stored'). One clock for all of them: with the
host's local day for some and UTC for others, the hours where the two agree would date a
record more finely.
"""

from __future__ import annotations

import datetime as dt


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()
