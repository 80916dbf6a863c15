"""Numbered schema migrations, applied in order at start-up, each in its own transaction."""

from __future__ import annotations

# Each entry is one migration: a tuple of SQL statements. Append; never edit a landed one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: people, known only by the keyed hash of their Telegram id, and their language choice.
    (
        """
        CREATE TABLE people (
            person_key TEXT PRIMARY KEY,
            language TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
    ),
    # 2: signatures; raw ids kept only while someone must be told something; message ids
    # for /clear (48 hours at most); PTB conversation states and drafts (while in progress).
    (
        """
        CREATE TABLE signatures (
            id INTEGER PRIMARY KEY,
            person_key TEXT NOT NULL UNIQUE,
            listing TEXT NOT NULL CHECK (listing IN ('name', 'initial', 'anonymous')),
            name TEXT,
            country TEXT,
            language TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            submitted_on TEXT NOT NULL,
            decided_on TEXT
        )
        """,
        "CREATE INDEX signatures_by_status ON signatures (status, id)",
        """
        CREATE TABLE contacts (
            person_key TEXT PRIMARY KEY,
            telegram_id INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE chat_log (
            person_key TEXT NOT NULL,
            message_id INTEGER NOT NULL,
            sent_at INTEGER NOT NULL,
            PRIMARY KEY (person_key, message_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE conversation_states (
            name TEXT NOT NULL,
            key TEXT NOT NULL,
            state TEXT NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (name, key)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE conversation_drafts (
            user_id INTEGER PRIMARY KEY,
            data TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        )
        """,
    ),
    # 3: solidarity messages, and the send times behind the daily limit (24 hours at most).
    (
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            person_key TEXT NOT NULL,
            kind TEXT NOT NULL
                CHECK (kind IN ('text', 'photo', 'voice', 'video', 'video_note')),
            text TEXT,
            file_id TEXT,
            listing TEXT NOT NULL CHECK (listing IN ('name', 'initial', 'anonymous')),
            name TEXT,
            country TEXT,
            language TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            submitted_on TEXT NOT NULL,
            decided_on TEXT
        )
        """,
        "CREATE INDEX messages_by_person ON messages (person_key, status)",
        "CREATE INDEX messages_by_status ON messages (status, id)",
        """
        CREATE TABLE send_log (
            person_key TEXT NOT NULL,
            sent_at INTEGER NOT NULL
        )
        """,
        "CREATE INDEX send_log_by_person ON send_log (person_key, sent_at)",
    ),
    # 4: moderation and delivery: digests of signatures for the moderators, the audit log,
    # bans, the outbox of everything the bot sends on its own, and the campaign's state.
    (
        """
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            created_at INTEGER NOT NULL
        )
        """,
        "ALTER TABLE signatures ADD COLUMN digest_id INTEGER REFERENCES digests (id)",
        "ALTER TABLE signatures ADD COLUMN published_on TEXT",
        "CREATE INDEX signatures_by_digest ON signatures (digest_id)",
        "ALTER TABLE messages ADD COLUMN post_link TEXT",
        """
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            item_kind TEXT NOT NULL CHECK (item_kind IN ('signature', 'message', 'person')),
            item_id INTEGER NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT,
            moderator_id INTEGER NOT NULL,
            moderator_name TEXT NOT NULL,
            decided_at INTEGER NOT NULL
        )
        """,
        "CREATE INDEX audit_by_item ON audit_log (item_kind, item_id)",
        """
        CREATE TABLE banned (
            person_key TEXT PRIMARY KEY,
            banned_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            chat TEXT NOT NULL,
            person_key TEXT,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sent', 'dropped', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            not_before REAL NOT NULL DEFAULT 0,
            sent_message_id INTEGER
        )
        """,
        "CREATE INDEX outbox_queue ON outbox (status, not_before, id)",
        """
        CREATE TABLE campaign_state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID
        """,
    ),
    # 5: ids of updates already handled, so one delivered twice is handled once.
    (
        """
        CREATE TABLE seen_updates (
            update_id INTEGER PRIMARY KEY,
            seen_at INTEGER NOT NULL
        )
        """,
    ),
    # 6: nothing dates a person's act more finely than the day: the times that did are
    # rounded down to the start of their UTC day, and closed outbox items keep no time.
    (
        "UPDATE digests SET created_at = created_at - created_at % 86400",
        "UPDATE audit_log SET decided_at = decided_at - decided_at % 86400",
        "UPDATE people SET created_at = created_at - created_at % 86400, "
        "updated_at = updated_at - updated_at % 86400",
        "UPDATE banned SET banned_at = banned_at - banned_at % 86400",
        "UPDATE outbox SET not_before = 0 WHERE status != 'queued'",
    ),
    # 7: what each card and post shows, so that /withdraw and /forget can reach it; the bot's
    # own messages in private chats, kept past 48 hours (without a time) so that /clear can
    # blank what it can no longer delete.
    (
        """
        CREATE TABLE shown (
            outbox_id INTEGER NOT NULL,
            chat TEXT NOT NULL,
            item_kind TEXT NOT NULL CHECK (item_kind IN ('S', 'M', 'D')),
            item_id INTEGER NOT NULL,
            message_id INTEGER
        )
        """,
        "CREATE INDEX shown_by_item ON shown (item_kind, item_id)",
        "CREATE INDEX shown_by_outbox ON shown (outbox_id)",
        "CREATE INDEX shown_by_post ON shown (chat, message_id)",
        "ALTER TABLE chat_log ADD COLUMN mine INTEGER NOT NULL DEFAULT 0",
    ),
    # 8: the moderators' open questions to an author, by the author's key: the message asked
    # about, the card the answers go under, and the outbox item whose sent message the author
    # replies to (the question's text is not kept). A question closes with its message: at the
    # decision, and when the message is withdrawn or forgotten (the triggers say so once for
    # every path that decides or deletes a message).
    (
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            person_key TEXT NOT NULL,
            message_id INTEGER NOT NULL,
            card_message_id INTEGER NOT NULL,
            outbox_id INTEGER NOT NULL
        )
        """,
        "CREATE INDEX questions_by_person ON questions (person_key)",
        "CREATE INDEX questions_by_message ON questions (message_id)",
        """
        CREATE TRIGGER questions_close_at_decision AFTER UPDATE OF status ON messages
        WHEN NEW.status != 'pending'
        BEGIN DELETE FROM questions WHERE message_id = NEW.id; END
        """,
        """
        CREATE TRIGGER questions_close_at_removal AFTER DELETE ON messages
        BEGIN DELETE FROM questions WHERE message_id = OLD.id; END
        """,
    ),
    # 9: named links (`?start=s-NAME`) and, per link and day, how many started, read on and
    # signed: counts only, never who (which link a person came by is held in memory only).
    (
        """
        CREATE TABLE links (
            name TEXT PRIMARY KEY,
            created TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE link_counts (
            name TEXT NOT NULL REFERENCES links (name) ON DELETE CASCADE,
            day TEXT NOT NULL,
            started INTEGER NOT NULL DEFAULT 0,
            read INTEGER NOT NULL DEFAULT 0,
            signed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (name, day)
        )
        """,
    ),
    # 10: which text each signature was given under: the language and the version (a hash of
    # the normalised text) of the letter its signer was shown when they confirmed (NULL: signed
    # before versions were recorded), and the version of which they were last told that the
    # text had changed. Every version of each language's letter the bot has seen at start, its
    # (public) text kept to show signers what changed; `current` marks the one in use.
    (
        "ALTER TABLE signatures ADD COLUMN letter_language TEXT",
        "ALTER TABLE signatures ADD COLUMN letter_version TEXT",
        "ALTER TABLE signatures ADD COLUMN letter_told TEXT",
        """
        CREATE TABLE letter_versions (
            id INTEGER PRIMARY KEY,
            language TEXT NOT NULL,
            version TEXT NOT NULL,
            text TEXT NOT NULL,
            seen_on TEXT NOT NULL,
            current INTEGER NOT NULL DEFAULT 0,
            UNIQUE (language, version)
        )
        """,
    ),
)
