"""What a translation must keep of its original, and how Persian, Arabic and Sorani are written.

Every catalog keeps every placeholder and tag of its msgid; every letter keeps the English
letter's structure; the right-to-left languages write their own digits, letters and ZWNJ.
"""

from __future__ import annotations

import gettext
import re
from collections import Counter
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, I18n

TRANSLATED = [language for language in LANGUAGES if language != "en"]
RTL = ["fa", "ckb", "ar"]

# {name}, {count:,}, %(name)s, %s: what .format or % fills in.
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*(?:![rsa])?(?::[^{}]*)?\}|%(?:\([A-Za-z_]\w*\))?[sdif]")
TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Plural forms are compared on the numbers a person can meet: this covers every class of
# every rule we ship (Arabic's n % 100 classes repeat after 100).
NUMBERS = range(0, 1000)


def catalog(language: str) -> Catalog:
    with (LOCALES_DIR / language / "LC_MESSAGES" / "bot.po").open("rb") as source:
        return read_po(source, locale=language)


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(text))


def tags(text: str) -> Counter[str]:
    return Counter(TAG.findall(text))


def forms(message: Message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def numbers_per_form(messages: Catalog) -> list[set[int]]:
    """Which n each plural form is used for, by the catalog's own Plural-Forms rule."""
    rule = gettext.c2py(messages.plural_expr)
    reached: list[set[int]] = [set() for _ in range(messages.num_plurals)]
    for n in NUMBERS:
        reached[rule(n)].add(n)
    return reached


def count_placeholder(plural: str) -> str | None:
    """The placeholder ngettext's number fills: {count}, or the plural's only placeholder."""
    found = set(placeholders(plural))
    if "{count}" in found:
        return "{count}"
    return found.pop() if len(found) == 1 else None


def losses(messages: Catalog) -> Iterator[str]:
    """Every placeholder or tag a translation drops, adds or changes, one line each."""
    reached = numbers_per_form(messages)
    for message in messages:
        if not message.id:
            continue
        if isinstance(message.id, str):
            singular = plural = message.id
        else:
            singular, plural = message.id
        number = count_placeholder(plural)
        for index, form in enumerate(forms(message)):
            # A form used for one number only (Arabic's zero, one and two; the singular of
            # German or Sorani) may say that number in words («توقيعان») instead of {count};
            # every other form is read for many numbers and must show which one.
            in_words = isinstance(message.id, tuple) and len(reached[index]) == 1
            expected, got = placeholders(plural), placeholders(form)
            for name in sorted(set(expected) | set(got)):
                if in_words and name == number and got[name] <= expected[name]:
                    continue
                if got[name] < expected[name]:
                    yield f"{singular!r} form {index}: {name} lost"
                elif got[name] > expected[name]:
                    yield f"{singular!r} form {index}: {name} added"
            original = singular if index == 0 and in_words else plural
            if tags(form) != tags(original):
                kept, wanted = sorted(tags(form)), sorted(tags(original))
                yield f"{singular!r} form {index}: tags {kept} != {wanted}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_catalog_keeps_every_placeholder_and_tag(language: str) -> None:
    assert list(losses(catalog(language))) == []


def test_a_lost_placeholder_or_tag_is_found_and_a_number_in_words_is_not() -> None:
    def one(language: str, msgid: str | tuple[str, str], string: str | tuple[str, ...]) -> list:
        messages = Catalog(locale=language)
        messages.add(msgid, string)
        return list(losses(messages))

    assert one("de", "Hello {name}", "Hallo") == ["'Hello {name}' form 0: {name} lost"]
    assert one("de", "<b>Stop</b>", "Halt") == ["'<b>Stop</b>' form 0: tags [] != ['</b>', '<b>']"]
    assert one("de", 'Open <a href="{link}">it</a>', "<a href='{link}'>Öffnen</a>") != []
    people = ("{count} person, #D{number}", "{count} people, #D{number}")
    arabic = ("لا أحد #D{number}", "شخص واحد #D{number}", "شخصان #D{number}")
    many = ("{count} أشخاص #D{number}", "{count} شخص #D{number}", "{count} شخصًا #D{number}")
    assert one("ar", people, arabic + many) == []
    assert one("ar", people, ("لا أحد", *arabic[1:], *many)) == [
        "'{count} person, #D{number}' form 0: {number} lost"
    ]
    assert one("ar", people, (*arabic, "أشخاص #D{number}", *many[1:])) == [
        "'{count} person, #D{number}' form 3: {count} lost"
    ]
    # Russian's first form is also 21, 31, …: it must show the number.
    russian = ("один #D{number}", "{count} человека #D{number}", "{count} человек #D{number}")
    assert one("ru", people, russian) == ["'{count} person, #D{number}' form 0: {count} lost"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_plural_form_tacks_the_number_on_in_brackets(language: str) -> None:
    """«وقّع شخص واحد حتى الآن (1)»: a form that says the number in words drops {count}."""
    tacked = []
    for message in catalog(language):
        number = count_placeholder(message.id[1]) if isinstance(message.id, tuple) else None
        if number:
            bracketed = re.compile(r"\(\s*" + re.escape(number) + r"\s*\)")
            tacked += [form for form in forms(message) if bracketed.search(form)]
    assert tacked == []


def test_arabic_plurals_read_as_arabic_counts() -> None:
    t = I18n("en").get("ar")
    singular, plural = "{count} person has signed.", "{count} people have signed."

    def said(n: int) -> str:
        return t.ngettext(singular, plural, n).format(count=t.number(n))

    assert said(0) == "لم يوقّع أحد."
    assert said(1) == "وقّع شخص واحد."
    assert said(2) == "وقّع شخصان."
    assert said(3) == "وقّع 3 أشخاص."
    assert said(10) == "وقّع 10 أشخاص."
    assert said(11) == "وقّع 11 شخصًا."
    assert said(99) == "وقّع 99 شخصًا."
    assert said(100) == "وقّع 100 شخص."
    assert said(103) == "وقّع 103 أشخاص."


# -------------------------------------------------------------------- letters


def letter(language: str) -> str:
    return (LOCALES_DIR / language / "letter.html").read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [part for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]


@pytest.mark.parametrize("language", TRANSLATED)
def test_each_letter_keeps_the_english_structure(language: str) -> None:
    """The note in italics, then the English letter's paragraphs, tags and signatories."""
    english = paragraphs(letter("en"))
    note, *body = paragraphs(letter(language))
    assert re.fullmatch(r"<i>[^<>]+</i>", note), language
    assert len(body) == len(english), (language, len(body), len(english))
    assert [tags(part) for part in body] == [tags(part) for part in english]
    assert len(body[-1].splitlines()) == len(english[-1].splitlines())


@pytest.mark.parametrize("language", RTL)
def test_rtl_letters_name_people_and_the_party_in_their_own_script_first(language: str) -> None:
    """«مریم نمازی (Maryam Namazie)»: the reader's script, then the Latin spelling."""
    english = paragraphs(letter("en"))
    body = paragraphs(letter(language))[1:]
    for latin, line in zip(english[-1].splitlines(), body[-1].splitlines(), strict=True):
        native = re.fullmatch(r"([\u0600-\u06FF\u200c ]+) \((.+)\)", line)
        assert native and native.group(2) == latin, (language, line)
    text = "\n".join(body)
    for name in ("Worker-communist Party of Iran", "New Channel"):
        assert re.search(r"[\u0600-\u06FF»] \(" + name + r"\)", text), (language, name)
        assert not re.search(name + r"\s*\(", text), (language, name)


# One word per term in each language, so that a reader meets the same thing under the same
# name: the English word (in a msgid, placeholders aside) and what every form of its
# translation must say.
TERMS = {
    "moderator": r"\bmoderators?\b",
    "signature": r"\bsignatures?\b",
    "channel": r"\bchannel\b",
    "withdraw": r"\bwithdr(?:aw|ew|awn)\b",
    "chat": r"\bchats?\b",
}
GLOSSARY = {
    "fa": {
        "moderator": "ناظر",
        "signature": "امضا",
        "channel": "کانال",
        "withdraw": "پس (?:گرفت|می‌گیر|بگیر)",
        "chat": "گفتگو",
    },
    "ar": {
        "moderator": "مشرف",
        "signature": "توقيع",
        "channel": "قناة",
        "withdraw": "سحب",
        "chat": "محادثة",
    },
    "ckb": {
        "moderator": "سەرپەرشتیار",
        "signature": "واژۆ",
        "channel": "کەناڵ",
        "withdraw": "کشا|کشێن",
        "chat": "چات",
    },
}
# Words a reader took wrongly: «رد شدن» for "Skip" reads "being rejected"; «مکالمه» beside
# «گفتگو» (the chat) read "delete this conversation from the conversation".
MISREAD = {"fa": ["رد شدن", "رد شوید", "مکالمه"]}


@pytest.mark.parametrize("language", RTL)
def test_rtl_catalogs_keep_one_word_per_term(language: str) -> None:
    off = []
    for message in catalog(language):
        if not message.id:
            continue
        english = message.id if isinstance(message.id, str) else message.id[0]
        prose = PLACEHOLDER.sub("", english)
        for term, pattern in TERMS.items():
            if re.search(pattern, prose, re.IGNORECASE):
                word = GLOSSARY[language][term]
                off += [(term, form) for form in forms(message) if not re.search(word, form)]
        for misread in MISREAD.get(language, []):
            off += [(misread, form) for form in forms(message) if misread in form]
    assert off == []


# ------------------------------------------------------ how the RTL languages are written


def texts(language: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every msgstr form and the letter."""
    for message in catalog(language):
        if message.id:
            where = message.id if isinstance(message.id, str) else message.id[0]
            for form in forms(message):
                yield where, form
    yield "letter.html", letter(language)


# Common words that take a zero-width non-joiner (U+200C). Joined pronoun endings are the
# standard spelling after most words (پیامتان, حسابتان), so only words whose stem joining hides
# are listed; the general rules below catch the rest.
ZWNJ_WORDS = [
    "می‌خواهم", "می‌خواهید", "می‌توانید", "می‌توان", "می‌تواند", "می‌شود", "می‌شوند",
    "می‌کند", "می‌کنند", "می‌کنید", "می‌دهد", "می‌گیرید", "می‌ماند", "می‌رسد", "می‌فرستید",
    "می‌نویسید", "می‌دانید", "می‌دانند", "می‌شناسید", "می‌آید", "می‌آیند",
    "نمی‌توان", "نمی‌تواند", "نمی‌توانید", "نمی‌خواهید", "نمی‌شود", "نمی‌دهد", "نمی‌پذیرند",
    "آن‌ها", "این‌ها", "پیام‌ها", "پیام‌های", "نامه‌ها", "نامه‌های", "کارت‌ها", "کارت‌های",
    "دکمه‌ها", "دکمه‌های", "فایل‌ها", "گزارش‌ها", "امضاکننده‌ها",
    "ثبت‌نام", "ثبت‌شان", "پیام‌هایتان", "حساب‌هایتان", "خانوادگی‌تان",
    "فرستاده‌اید", "کرده‌اید", "کرده‌اند", "کرده‌ام", "شده‌اند", "نکرده‌اید",
    "دست‌کم", "بین‌المللی", "بی‌درنگ", "هیچ‌کس", "تأییدشده‌ای", "توده‌ای", "دومرحله‌ای",
    "پیش‌تر", "قدیمی‌تر", "کوتاه‌تر", "به‌روزرسانی", "برگشت‌پذیر", "توهین‌آمیز",
]  # fmt: skip
ZWNJ = "\u200c"
LETTER = r"[\u0600-\u06FF]"
NOT_IN_WORD = r"(?![\u0600-\u06FF\u200c])"
NOT_AFTER_WORD = r"(?<![\u0600-\u06FF\u200c])"
ZWNJ_RULES = [
    # می / نمی written apart: «می خواهم»
    (re.compile(NOT_AFTER_WORD + r"(ن?می) (" + LETTER + r"+)"), r"\1" + ZWNJ + r"\2"),
    # a plural or verb ending written apart: «نامه ها», «کرده اند»
    (
        re.compile(r"(" + LETTER + r"+) (ها|های|هایی|اند|اید|ایم)" + NOT_IN_WORD),
        r"\1" + ZWNJ + r"\2",
    ),
    # ‌ها / ‌های glued to a silent h: «نامهها»
    (re.compile(r"(" + LETTER + r"+ه)(ها|های)" + NOT_IN_WORD), r"\1" + ZWNJ + r"\2"),
    # ‌ای after a silent h written apart: «نامه ای»
    (re.compile(r"(" + LETTER + r"+ه) (ای)" + NOT_IN_WORD), r"\1" + ZWNJ + r"\2"),
    # a perfect ending glued to its participle: «کردهاند», «فرستادهاید»
    (re.compile(r"(" + LETTER + r"+[دت]ه)(اند|اید|ایم)" + NOT_IN_WORD), r"\1" + ZWNJ + r"\2"),
]


def misspelt_zwnj(text: str) -> list[str]:
    """Each wrong spelling found, with the right one: «ثبتشان → ثبت‌شان»."""
    found: dict[int, str] = {}
    for word in ZWNJ_WORDS:
        for wrong in {word.replace(ZWNJ, ""), word.replace(ZWNJ, " ")}:
            pattern = NOT_AFTER_WORD + re.escape(wrong) + NOT_IN_WORD
            for match in re.finditer(pattern, text):
                found[match.start()] = f"{match.group()} → {word}"
    for rule, fix in ZWNJ_RULES:
        for match in rule.finditer(text):
            found.setdefault(match.start(), f"{match.group()} → {match.expand(fix)}")
    return [found[start] for start in sorted(found)]


def test_misspelt_zwnj_is_found() -> None:
    assert all(ZWNJ in word for word in ZWNJ_WORDS)
    assert list(misspelt_zwnj("زمان ثبتشان")) == ["ثبتشان → ثبت‌شان"]
    assert list(misspelt_zwnj("نامه ها را می خواهم")) == [
        "نامه ها → نامه‌ها",
        "می خواهم → می‌خواهم",
    ]
    assert list(misspelt_zwnj("او کردهاند")) == ["کردهاند → کرده‌اند"]
    assert list(misspelt_zwnj("می‌خواهم نامه‌ها را در میدان ببینم؛ اتهام")) == []


def test_persian_writes_its_zero_width_non_joiners() -> None:
    wrong = sorted(
        f"{where[:50]!r}: {finding}"
        for where, text in texts("fa")
        for finding in misspelt_zwnj(text)
    )
    assert wrong == []


@pytest.mark.parametrize("language", ["fa", "ckb"])
def test_persian_and_sorani_use_their_own_yeh_and_kaf(language: str) -> None:
    """Arabic ي and ك look alike but do not match ی and ک in a search."""
    wrong = [where for where, text in texts(language) if re.search("[يك]", text)]
    assert wrong == []


# The digits each language writes by default (CLDR, as the bot's numbers use them).
DIGITS = {"fa": "۰-۹", "ckb": "٠-٩", "ar": "0-9"}
ANY_DIGIT = "0-9٠-٩۰-۹"


@pytest.mark.parametrize("language", RTL)
def test_rtl_texts_write_the_digits_their_numbers_use(language: str) -> None:
    """«۴۸ ساعت» in Persian, «٤٨ کاتژمێر» in Sorani, «48 ساعة» in Arabic: the same digits
    as the numbers the bot fills in. References (M12, #S{number}) and placeholders aside."""
    wrong = []
    for where, text in texts(language):
        prose = re.sub(r"\{\w+\}|[A-Za-z]+\d+|#[MSD]", "", text)
        foreign = re.findall(f"[{ANY_DIGIT}]", re.sub(f"[{DIGITS[language]}]", "", prose))
        if foreign:
            wrong.append((where[:50], "".join(foreign)))
    assert wrong == []


@pytest.mark.parametrize("language", RTL)
def test_rtl_texts_use_their_own_punctuation(language: str) -> None:
    """، ؛ ؟ and « »: a Latin comma, semicolon, question mark or quote reads wrong in RTL."""
    wrong = []
    for where, text in texts(language):
        prose = re.sub(r"\{\w+\}|<[^<>]*>|https?://\S+|\([A-Za-z][^()]*\)", "", text)
        if re.search(r"[,;?\"“”]", prose):
            wrong.append(where[:50])
    assert wrong == []
