"""Parse one article's text into an :class:`Article`, or explain why not.

Pure functions only: text and a source name in, an ``Article`` out or a
``ParseError`` raised. No file I/O, no database, no click.

The format: optional blank lines, a date line that starts with the keyword
``date`` (any case, optionally followed by a colon), a date, then the body,
either on the same line or on the lines that follow. Paragraphs are separated
by blank lines; a line that only looks blank (a no-break space, a zero-width
space) is one, and is stored as an empty line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date


HEADLINE_MAX = 160


@dataclass(frozen=True)
class Article:
    source: str
    date: str  # ISO YYYY-MM-DD, the calendar date as written in the file
    headline: str
    body: str
    paragraphs: tuple[str, ...]

    @property
    def words(self) -> int:
        return len(self.body.split())


class ParseError(ValueError):
    """A file that is not a readable article. ``reason`` says why, for a person."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class DateError(ValueError):
    """A date that cannot be read as one unambiguous, real calendar date."""


# --- dates ------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# The weekday's names and the abbreviations people write ("Tues", "Thurs."), not any word that
# starts like one. It is checked against the date, and cut off before dateutil reads the rest
# (dateutil knows "Tue" but not "Tues").
_WEEKDAY = re.compile(
    r"(monday|mon|tuesday|tues|tue|wednesday|weds|wed|thursday|thurs|thur|thu|friday|fri|saturday|sat|sunday|sun)"
    r"\.?(?:\s*,\s*|\s+)",
    re.I,
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# A time only counts as part of the date when it has a colon, so that
# "2020-06-09 22 people were hurt" keeps "22" in the body.
_TIME = r"(?:(?:T|\s+|\s*,\s*)\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[ap]\.?m\.?)?)"
# Zones only after a time, and only in forms that cannot be the body's first word: "+0200",
# "-05:00", "Z", "UTC", "GMT+2", "CEST" (names in capitals: "est" is French for "is"). Hours
# alone ("+02") only glued to the time ("T10:30+02") or ending the line, so that
# "10:30 -12 degrees in Moscow" keeps "-12" in the body. The offset is checked (_check_zone).
_ZONE_NAME = (
    r"(?:(?i:utc|gmt)|(?-i:UT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|AKST|AKDT|HST|BST|WET|WEST|CET|CEST|EET|EEST"
    r"|MSK|IST|HKT|SGT|JST|KST|AWST|ACST|AEST|AEDT|NZST|NZDT))"
)
# After a zone, a comment naming it (RFC 2822: "+0200 (CEST)") or a zone's name in brackets
# (RFC 9557: "+02:00[Europe/Paris]"); not any word in brackets: "(AP)" begins a body.
_ZONE_COMMENT = (
    r"(?:\s*\((?-i:(?:[A-Z]{1,4}T|UTC|UT|MSK)(?:[+-]\d{1,2}(?::?\d{2})?)?|(?:[A-Z][a-z]+ ){1,4}Time)\)"
    r"|\[[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)*\])"
)
_ZONE = (
    r"(?:(?P<zone>[+-]\d{2}(?![\d:])|\s*[+-]\d{2}(?=\s*$)"
    rf"|\s*(?:(?-i:Z)|[+-]\d{{2}}:?\d{{2}}|{_ZONE_NAME}(?:[+-]\d{{1,2}}(?::?\d{{2}})?)?))"
    rf"(?P<comment>{_ZONE_COMMENT})?)"
)
_TIME_ZONE = rf"(?:{_TIME}{_ZONE}?)?"
# What may follow a date: the end of the line, a space, punctuation and a space, or a dash or
# an ellipsis glued to it ("2020-06-09—WASHINGTON", "2020-06-09…"), though not a dash before
# digits ("2020-06-09–10" is a range of days).
_END = r"(?=$|\s|[,;:.](?:\s|$)|[…—–](?!\d))"
_SEPARATORS_AFTER_DATE = frozenset(",;:.…—–")  # one glued to the date is dropped from the body's start

_DATE_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"\d{{4}}-\d{{1,2}}-\d{{1,2}}{_TIME_ZONE}{_END}", re.I)),
    ("compact", re.compile(rf"\d{{8}}(?:T\d{{4,6}}Z?)?{_END}", re.I)),
    ("ymd", re.compile(rf"\d{{4}}[/.]\d{{1,2}}[/.]\d{{1,2}}{_TIME_ZONE}{_END}", re.I)),
    ("numeric-dmy-or-mdy", re.compile(rf"\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{4}}{_TIME_ZONE}{_END}", re.I)),
    ("month-day-year",
     re.compile(rf"{_MONTH}(?:\s*|-){_DAY}(?:\s*,\s*|\s+|-)(?P<year>\d{{4}}){_TIME_ZONE}{_END}", re.I)),
    ("day-month-year", re.compile(rf"{_DAY}(?:[\s-]*|/){_MONTH}(?:[\s,-]*|/)\d{{4}}{_TIME_ZONE}{_END}", re.I)),
    # ctime, as Usenet and mbox headers write it: "Tue Jun  9 14:30:00 2020", "... UTC 2020".
    ("ctime", re.compile(rf"{_MONTH}\s+{_DAY}{_TIME}{_ZONE}?\s+\d{{4}}{_END}", re.I)),
]
_MONTH_YEAR_ONLY = re.compile(rf"{_MONTH}\s+\d{{4}}{_END}|\d{{4}}-\d{{1,2}}{_END}|\d{{4}}{_END}", re.I)
# "03/04/20", "09 Jun 20", "June 9, '20": told apart from an unreadable date, to say what to write.
_TWO_DIGIT_YEAR = re.compile(
    rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]|{_DAY}(?:[\s-]*|/){_MONTH}(?:[\s,-]*|/)"
    rf"|{_MONTH}(?:\s*|-){_DAY}(?:\s*,\s*|\s+|-))['’]?\d{{2}}{_TIME_ZONE}{_END}",
    re.I,
)


def match_date(text: str) -> tuple[str, int]:
    """Read a date at the start of ``text``.

    Returns the ISO date and how many characters of ``text`` it used, so the
    caller knows where the body begins. Raises ``DateError`` for text that is
    not one unambiguous real date.
    """
    for form, pattern in _DATE_FORMS:
        found = pattern.match(text)
        if found:
            return _to_iso(found, form, None), found.end()
    # No form begins with a weekday's name: they are tried again after one, so that the common
    # case, a date first, is tried once.
    weekday = _WEEKDAY.match(text)
    at = weekday.end() if weekday else 0
    for form, pattern in _DATE_FORMS if weekday else ():
        found = pattern.match(text, at)
        if found:
            return _to_iso(found, form, weekday), found.end()
    if _MONTH_YEAR_ONLY.match(text, at):
        raise DateError(f"date {_preview(text)} has no day; write a full date such as 2020-06-09")
    two_digits = _TWO_DIGIT_YEAR.match(text, at)
    if two_digits:
        raise DateError(f"date {text[:two_digits.end()]!r} has a two-digit year, which could be of any century:"
                        " write the year in full, or the date as YYYY-MM-DD")
    raise DateError(f"cannot read a date in {_preview(text)}")


def parse_date(text: str) -> str:
    """Turn one date, written any way this project accepts, into ISO ``YYYY-MM-DD``.

    The whole text must be the date. The calendar date is kept as written:
    a time or zone is read and checked but does not move the date.
    """
    stripped = text.strip()
    iso, used = match_date(stripped)
    if stripped[used:].strip(" ,;:."):
        raise DateError(f"cannot read a date in {_preview(stripped)}")
    return iso


_YEAR_OR_MONTH = re.compile(r"(\d{4})(?:-(\d{1,2}))?")


def parse_date_bound(text: str, *, end: bool = False) -> str:
    """A date range bound: a full date, or a year (``1987``) or month
    (``1987-03``) meaning its first day, or its last day when ``end`` is set."""
    stripped = text.strip()
    partial = _YEAR_OR_MONTH.fullmatch(stripped)
    if partial:
        year = int(partial.group(1))
        month = int(partial.group(2)) if partial.group(2) else None
        if not 1000 <= year <= 2999 or (month is not None and not 1 <= month <= 12):
            raise DateError(f"{stripped!r} is not a real date")
        if not end:
            return Date(year, month or 1, 1).isoformat()
        last_month = month or 12
        next_first = Date(year + (last_month == 12), last_month % 12 + 1, 1)
        return Date.fromordinal(next_first.toordinal() - 1).isoformat()
    if _MONTH_YEAR_ONLY.fullmatch(stripped):  # "March 1987": a month, written as a bound cannot take it
        try:
            month = parse_date(f"1 {stripped}")[:7]
        except DateError:
            month = "1987-03"
        raise DateError(f"{stripped!r} is a month written in words: write it {month} (or a day such as {month}-02)")
    return parse_date(stripped)


_PLAIN_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ZONE_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})?")
_LONGEST_OFFSET = 14 * 60  # minutes: Kiribati's +14:00; the farthest west is -12:00


def _to_iso(found: re.Match[str], form: str, weekday_found: re.Match[str] | None) -> str:
    span = found.string[: found.end()] if weekday_found else found.group(0)  # with the weekday that comes first
    plain = _PLAIN_ISO.fullmatch(span) if form == "iso" else None
    if plain:
        # The common case needs no general date parser: the calendar check is the same.
        year, month, day = int(plain.group(1)), int(plain.group(2)), int(plain.group(3))
        # Checked outside the try: a DateError is a ValueError, and would come out
        # wrapped in "is not a real date (...)".
        if not 1000 <= year <= 2999:
            raise DateError(f"{span!r} has an implausible year {year}")
        try:
            return Date(year, month, day).isoformat()
        except ValueError as error:
            raise DateError(f"{span!r} is not a real date ({_reason(error)})") from None
    zone = found.group("zone") if "zone" in found.re.groupindex else None
    if zone:
        _check_zone(zone.strip(), span)
    # dateutil reads the date and time alone: the weekday is checked below, and the zone above
    # (read with ignoretz, dateutil took "+25:00" and "UTC+25").
    readable = found.group(0)
    if zone:  # the zone and its comment end the date, or stand before the year (ctime)
        after_zone = found.end("comment" if found.group("comment") else "zone")
        readable = found.string[found.start() : found.start("zone")] + " " + found.string[after_zone : found.end()]
    if form == "month-day-year":
        # dateutil read "January 13,2000" as 13 January of the current year: a comma and a space.
        year_at = found.start("year") - found.start()
        readable = readable[:year_at].rstrip(" ,-") + ", " + readable[year_at:]
    if form == "numeric-dmy-or-mdy":
        first, second = (int(x) for x in re.split(r"[/.-]", readable, maxsplit=2)[:2])
        if first <= 12 and second <= 12 and first != second:
            return _one_reading_on_weekday(readable, span, weekday_found).isoformat()
        dayfirst = first > 12
    else:
        dayfirst = form == "day-month-year"
    day = _read_date(readable, span, dayfirst=dayfirst, yearfirst=form in ("iso", "ymd", "compact"))
    weekday = weekday_found.group(1) if weekday_found else None
    if weekday and _WEEKDAYS.index(weekday[:3].lower()) != day.weekday():
        # "Mon, 09 Jun 2020": 9 June 2020 was a Tuesday, so one of the two is wrong.
        raise DateError(f"{span!r} is not a real date (it says {weekday},"
                        f" but {day.day} {day.strftime('%B %Y')} was a {day.strftime('%A')})")
    return day.isoformat()


def _read_date(readable: str, span: str, *, dayfirst: bool, yearfirst: bool) -> Date:
    # The regexes guarantee year, month and day are present, so dateutil's
    # default fill-in never supplies a missing part. Imported here: plain ISO
    # dates, and commands that read no dates, need no general date parser.
    from dateutil import parser as dateutil_parser

    try:
        parsed = dateutil_parser.parse(readable.rstrip(",;:.…—–"), dayfirst=dayfirst, yearfirst=yearfirst,
                                       ignoretz=True)
    except (ValueError, OverflowError) as error:
        raise DateError(f"{span!r} is not a real date ({_reason(error)})") from None
    if not 1000 <= parsed.year <= 2999:
        raise DateError(f"{span!r} has an implausible year {parsed.year}")
    return Date(parsed.year, parsed.month, parsed.day)


def _one_reading_on_weekday(readable: str, span: str, weekday_found: re.Match[str] | None) -> Date:
    """``09.06.2020``, day and month either way round: the reading that falls on the weekday
    written before it ("Tuesday 09.06.2020" is 9 June: 6 September 2020 was a Sunday).
    Without a weekday, or when both or neither fall on it, the date is not guessed."""
    readings = [_read_date(readable, span, dayfirst=dayfirst, yearfirst=False) for dayfirst in (True, False)]
    if weekday_found:
        weekday = _WEEKDAYS.index(weekday_found.group(1)[:3].lower())
        on_weekday = [day for day in readings if day.weekday() == weekday]
        if len(on_weekday) == 1:
            return on_weekday[0]
        if not on_weekday:
            raise DateError(f"{span!r} is not a real date (it says {weekday_found.group(1)}, but neither"
                            f" {readings[0].day} {readings[0].strftime('%B %Y')} nor {readings[1].day}"
                            f" {readings[1].strftime('%B %Y')} was one)")
    raise DateError(f"date {span!r} is ambiguous: day and month could be either way round; write it as YYYY-MM-DD")


def _check_zone(zone: str, span: str) -> None:
    offset = _ZONE_OFFSET.search(zone)
    if not offset:
        return
    hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
    if minutes > 59 or hours * 60 + minutes > _LONGEST_OFFSET:
        raise DateError(f"{span!r} has an impossible zone {zone} (a zone is at most 14 hours from UTC,"
                        " written +HH:MM, +HHMM or +HH)")


_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _reason(error: Exception) -> str:
    message = str(error.args[0] if error.args else error)
    return message.split(":")[0]


def _preview(text: str, limit: int = 40) -> str:
    line = text.split("\n", 1)[0].strip()
    return repr(line if len(line) <= limit else line[:limit] + "…")


# --- articles ---------------------------------------------------------------

# After the keyword: spaces, tabs or no-break spaces (word processors put those in), or a colon.
_DATE_KEYWORD = re.compile(r"date(?:[ \t\u00a0]*:[ \t\u00a0]*|[ \t\u00a0]+|(?=\n)|$)", re.I)
_KEYWORD_GLUED = re.compile(r"date(\d)", re.I)  # "date2020-06-09": the date without its space
# A line of nothing but spaces and tabs ends a paragraph; so does one that looks as blank, of
# other white space or invisible characters (a form feed, a page break in old files; a no-break
# space or a zero-width space, from HTML's <p>&nbsp;</p> or a word processor). Those lines are
# stored as empty lines: names, quotes and the article page read paragraphs from the stored
# body, split at spaces and tabs only, and a quotation's paragraph number must be the parse's.
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# What shows as nothing, besides spaces, tabs and line ends: the other white space, and Unicode's
# format characters (Cf). Not the controls Python counts as white space (U+001C to U+001F,
# U+0085): they are dropped as a file is read (sources.decode).
_OTHER_BLANK = (
    "\v\f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
    "\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
# A blank-looking line that holds more than spaces and tabs (read with a line end added at
# each end of the body, so that its first and last lines have one on both sides).
_ODD_BLANK_LINE = re.compile(f"\n[ \t]*[{_OTHER_BLANK}][ \t{_OTHER_BLANK}]*(?=\n)")
# Invisible characters some programs put at the start of a file (a BOM, a zero-width space).
_INVISIBLE_START = "\ufeff\u200b\u200c\u200d\u2060"


def parse_article(text: str, source: str) -> Article:
    """Parse the decoded text of one article file.

    ``source`` only names the file in errors and in the result.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip(_INVISIBLE_START):
        raise ParseError(source, "empty file")
    text = text.lstrip(_INVISIBLE_START + " \t\n\f\v\u00a0").lstrip(_INVISIBLE_START)
    if not text.strip():
        raise ParseError(source, "empty file: nothing but white space")
    start = len(text) - len(text.lstrip())
    keyword = _DATE_KEYWORD.match(text, start)
    if not keyword:
        if _KEYWORD_GLUED.match(text, start):
            text = text[: start + 4] + " " + text[start + 4 :]  # "date2020-06-09 ...": read as written with a space
            keyword = _DATE_KEYWORD.match(text, start)
        else:
            first = re.match(r"\S+", text[start:]).group(0)
            if first.lower().startswith("date"):  # "Dated 2020-...", "date—2020-...": close, but not the word
                raise ParseError(source, f"no date line: the first line {_preview(text[start:])} begins with"
                                         f" {first[:20]!r}, not the word 'date' and a space before the date")
            raise ParseError(source, f"no date line: the first line {_preview(text[start:])} does not start with"
                                     " 'date'")
    after_keyword = text[keyword.end():]
    line = after_keyword.lstrip(" \t")
    if not line or line.startswith("\n"):
        raise ParseError(source, "the date line has 'date' but no date after it")
    # The date is read from the date line alone: a body that starts on the next
    # line with a time ("10:30 GMT ...") keeps it.
    date_line, newline, rest = line.partition("\n")
    try:
        iso, used = match_date(date_line)
    except DateError as error:
        raise ParseError(source, str(error)) from None
    body = date_line[used:] + newline + rest
    body = body[1:] if body[:1] in _SEPARATORS_AFTER_DATE else body
    # Looked for only where such a line can be: searching every body took as long as the rest.
    if not body.isascii() or "\f" in body or "\v" in body:
        body = _ODD_BLANK_LINE.sub("\n", f"\n{body}\n")
    body = body.strip()
    if not body:
        raise ParseError(source, "empty body: the file has a date but no text")
    paragraphs = tuple(p.strip() for p in _PARAGRAPH_BREAK.split(body) if p.strip())
    return Article(
        source=source, date=iso, headline=derive_headline(paragraphs), body=body, paragraphs=paragraphs
    )


# Words that end in a full stop without ending a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "col", "capt", "lt",
    "inc", "co", "corp", "ltd", "plc", "bros", "no", "vs", "etc", "approx", "dept", "est", "fig", "mt",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
}
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
# What _SENTENCE_END reads after the end: a space (a headline's text has single spaces), perhaps
# a quotation mark or bracket, and a capital or digit.
_SENTENCE_END_LOOKAHEAD = 3


def derive_headline(paragraphs: tuple[str, ...]) -> str:
    """The first paragraph if it is short, else its first sentence, at most
    ``HEADLINE_MAX`` characters, cut at a word boundary."""
    if not paragraphs:
        return ""
    first = " ".join(paragraphs[0].split())
    if len(first) <= HEADLINE_MAX:
        return first
    # A sentence that ends past HEADLINE_MAX is cut there all the same, so its end is looked
    # for only that far, and the few characters after that tell it is one: a paragraph of
    # megabytes is not read for a headline.
    sentence = first_sentence(first[: HEADLINE_MAX + _SENTENCE_END_LOOKAHEAD])
    if len(sentence) <= HEADLINE_MAX:
        return sentence
    cut = sentence[: HEADLINE_MAX + 1]
    space = cut.rfind(" ")
    if space > HEADLINE_MAX // 2:
        cut = cut[:space]
    else:
        cut = cut[:HEADLINE_MAX]
    return cut.rstrip(" ,;:-–—") + "…"


_WORD_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.")


def first_sentence(text: str) -> str:
    """``text`` up to the end of its first sentence, or all of it."""
    for end in _SENTENCE_END.finditer(text):
        # The word before the full stop, read backwards: each is read once, however many
        # abbreviations come before the sentence's end (taking it with a regular expression
        # on all the text before made a paragraph of abbreviations take minutes).
        stop = end.start()
        start = stop
        while start and text[start - 1] in _WORD_LETTERS:
            start -= 1
        word = text[start:stop].lower()
        bare = word.rstrip(".")
        # "Mr." or an initial ("J.") or "U.S." does not end the sentence.
        if word and (bare in _ABBREVIATIONS or len(bare) == 1 or "." in word):
            continue
        return text[: end.end()].strip()
    return text
