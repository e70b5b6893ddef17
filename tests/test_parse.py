"""Parsing: text in, Article or ParseError out."""

import pytest

from news_archive import sources
from news_archive.parse import (
    HEADLINE_MAX,
    Article,
    DateError,
    ParseError,
    derive_headline,
    first_sentence,
    parse_article,
    parse_date,
    parse_date_bound,
)


def test_seed_format():
    article = parse_article(" date 2020-06-09 Joseph Maldonado-Passage, popularly known as Joe Exotic.\n\n"
                            "Second paragraph.\n", "a.txt")
    assert article == Article(
        source="a.txt",
        date="2020-06-09",
        headline="Joseph Maldonado-Passage, popularly known as Joe Exotic.",
        body="Joseph Maldonado-Passage, popularly known as Joe Exotic.\n\nSecond paragraph.",
        paragraphs=("Joseph Maldonado-Passage, popularly known as Joe Exotic.", "Second paragraph."),
    )
    assert article.words == 9


def test_body_number_is_not_swallowed_into_the_date():
    article = parse_article(" date 2020-06-09 22 people were hurt", "a.txt")
    assert (article.date, article.body) == ("2020-06-09", "22 people were hurt")


@pytest.mark.parametrize("line, expected", [
    (" date 2020-06-09 Body", "2020-06-09"),
    ("date 2020-06-09 Body", "2020-06-09"),
    (" DATE 2020-06-09 Body", "2020-06-09"),
    (" Date: 2020-06-09 Body", "2020-06-09"),
    (" date:2020-06-09 Body", "2020-06-09"),
    (" date : 2020-06-09 Body", "2020-06-09"),
    ("\n\n   date 2020-06-09 Body", "2020-06-09"),
    ("\ufeff date 2020-06-09 Body", "2020-06-09"),
    (" date June 9, 2020 Body", "2020-06-09"),
    (" date Jun. 9, 2020 Body", "2020-06-09"),
    (" date june 9th 2020 Body", "2020-06-09"),
    (" date 9 June 2020 Body", "2020-06-09"),
    (" date 9-Jun-2020 Body", "2020-06-09"),
    (" date Tuesday, 9 June 2020 Body", "2020-06-09"),
    (" date Tue, 09 Jun 2020 14:30:00 +0000 Body", "2020-06-09"),
    (" date 2020/06/09 Body", "2020-06-09"),
    (" date 2020.06.09 Body", "2020-06-09"),
    (" date 20200609 Body", "2020-06-09"),
    (" date 2020-06-09T14:30:00 Body", "2020-06-09"),
    (" date 2020-06-09T14:30:00Z Body", "2020-06-09"),
    (" date 2020-06-09T23:30:00-05:00 Body", "2020-06-09"),
    (" date 2020-06-09 14:30 Body", "2020-06-09"),
    (" date 2020-06-09 14:30:00 UTC Body", "2020-06-09"),
    (" date 2020-6-9 Body", "2020-06-09"),
    (" date 13/06/2020 Body", "2020-06-13"),
    (" date 06/13/2020 Body", "2020-06-13"),
    (" date 09-JUN-2020 15:01:01.79 Body", "2020-06-09"),
    # Day and month either way round, settled by the weekday: 6 September 2020 was a Sunday.
    (" date Tuesday 09.06.2020 Body", "2020-06-09"),
    (" date Sunday 09.06.2020 Body", "2020-09-06"),
    (" date Tue, 06/09/2020 Body", "2020-06-09"),
])
def test_date_spellings(line, expected):
    article = parse_article(line, "a.txt")
    assert (article.date, article.body) == (expected, "Body")


def test_body_on_following_lines():
    article = parse_article(" date 2020-06-09\nHeadline here\n\nFirst paragraph.\n", "a.txt")
    assert article.body == "Headline here\n\nFirst paragraph."
    assert article.headline == "Headline here"


def test_crlf_and_cr_are_normalised():
    article = parse_article(" date 2020-06-09 One\r\n\r\nTwo\r\nthree\rfour", "a.txt")
    assert article.body == "One\n\nTwo\nthree\nfour"
    assert article.paragraphs == ("One", "Two\nthree\nfour")


def test_body_kept_exactly_but_trimmed():
    text = " date 2020-06-09   Indented   spacing  kept\n\n\n\nwide   gap\t tabs \n\n  "
    article = parse_article(text, "a.txt")
    assert article.body == "Indented   spacing  kept\n\n\n\nwide   gap\t tabs"
    assert article.paragraphs == ("Indented   spacing  kept", "wide   gap\t tabs")


def test_paragraphs_split_on_blank_lines_with_spaces():
    article = parse_article(" date 2020-06-09 A\n   \nB\n\t\nC", "a.txt")
    assert article.paragraphs == ("A", "B", "C")


@pytest.mark.parametrize("text, reason", [
    ("", "empty file"),
    ("   \n\n  ", "empty file: nothing but white space"),
    ("Just text.\n", "no date line: the first line 'Just text.' does not start with 'date'"),
    (" dated 2020-06-09 x", "no date line: the first line 'dated 2020-06-09 x' begins with 'dated', not the word"
                            " 'date' and a space before the date"),
    ("date\u20142020-06-09\n\nBody.", "no date line: the first line 'date\u20142020-06-09' begins with"
                                      " 'date\u20142020-06-09', not the word 'date' and a space before the date"),
    (" date\n2020-06-09 Body", "the date line has 'date' but no date after it"),
    (" date 2020-06-09", "empty body: the file has a date but no text"),
    (" date 2020-06-09 \n\n \n", "empty body: the file has a date but no text"),
    (" date 2021-02-30 Body", "'2021-02-30' is not a real date (day is out of range for month)"),
    (" date 2020-13-01 Body", "'2020-13-01' is not a real date (month must be in 1..12)"),
    (" date 06/09/2020 Body",
     "date '06/09/2020' is ambiguous: day and month could be either way round; write it as YYYY-MM-DD"),
    (" date Monday 09.06.2020 Body", "'Monday 09.06.2020' is not a real date (it says Monday, but neither"
                                     " 9 June 2020 nor 6 September 2020 was one)"),
    # 8 February and 2 August 2021 were both Mondays: the weekday settles nothing.
    (" date Monday 02/08/2021 Body", "date 'Monday 02/08/2021' is ambiguous: day and month could be either way"
                                     " round; write it as YYYY-MM-DD"),
    (" date June 2020 Body", "date 'June 2020 Body' has no day; write a full date such as 2020-06-09"),
    (" date tomorrow Body", "cannot read a date in 'tomorrow Body'"),
    (" date 2020-06-09T25:00 Body", "'2020-06-09T25:00' is not a real date (hour must be in 0..23)"),
    (" date 3020-01-01 Body", "'3020-01-01' has an implausible year 3020"),
    (" date 0999-12-31 Body", "'0999-12-31' has an implausible year 999"),
])
def test_rejections_have_reasons(text, reason):
    with pytest.raises(ParseError) as caught:
        parse_article(text, "bad.txt")
    assert caught.value.reason == reason
    assert caught.value.source == "bad.txt"
    assert str(caught.value) == f"bad.txt: {reason}"


def test_headline_is_short_first_paragraph_with_whitespace_collapsed():
    assert derive_headline(("BAHIA COCOA\nREVIEW", "Body")) == "BAHIA COCOA REVIEW"


def test_headline_is_first_sentence_of_long_paragraph():
    first = "Mr. Smith of the U.S. Treasury said rates will rise. " + "More words follow here. " * 10
    assert derive_headline((first,)) == "Mr. Smith of the U.S. Treasury said rates will rise."


def test_headline_cut_at_word_boundary():
    long_sentence = "word " * 100
    headline = derive_headline((long_sentence.strip(),))
    assert headline.endswith("…")
    assert len(headline) <= HEADLINE_MAX + 1
    assert headline[:-1].split() == ["word"] * len(headline[:-1].split())


def test_parse_date_and_bounds():
    assert parse_date("June 9, 2020") == "2020-06-09"
    assert parse_date(" 2020-06-09 ") == "2020-06-09"
    with pytest.raises(DateError):
        parse_date("2020-06-09 and more")
    assert parse_date_bound("1987") == "1987-01-01"
    assert parse_date_bound("1987", end=True) == "1987-12-31"
    assert parse_date_bound("1988-02", end=True) == "1988-02-29"
    assert parse_date_bound("1987-03-05", end=True) == "1987-03-05"
    for bad in ("notadate", "1987-13", "0000", ""):
        with pytest.raises(DateError):
            parse_date_bound(bad)
    # A bound takes a month, so a month in words is told how to write one (not "write a full date").
    with pytest.raises(DateError, match=r"'March 1987' is a month written in words: write it 1987-03 \(or a day"):
        parse_date_bound("March 1987")


@pytest.mark.parametrize("text, date, paragraphs", [
    ("date2020-06-09 No space after the keyword.", "2020-06-09", ("No space after the keyword.",)),
    ("date\u00a02020-06-09 A no-break space, as word processors write it.", "2020-06-09",
     ("A no-break space, as word processors write it.",)),
    ("\u200b date 2020-06-09 A zero-width space first.", "2020-06-09", ("A zero-width space first.",)),
    ("date 2020-06-22 Form feed.\n\x0c\nA page break ends a paragraph.", "2020-06-22",
     ("Form feed.", "A page break ends a paragraph.")),
])
def test_what_messy_files_write_around_the_date_line(text, date, paragraphs):
    article = parse_article(text, "f.txt")
    assert (article.date, article.paragraphs) == (date, paragraphs)


def test_a_weekday_that_does_not_match_the_date_is_a_wrong_date():
    assert parse_article("date Tue, 09 Jun 2020 Right day.", "f.txt").date == "2020-06-09"
    with pytest.raises(ParseError) as error:
        parse_article("date Mon, 09 Jun 2020 Wrong day.", "f.txt")
    assert error.value.reason == ("'Mon, 09 Jun 2020' is not a real date (it says Mon, but 9 June 2020 was a Tuesday)")


# --- blank-looking lines ----------------------------------------------------------------------

@pytest.mark.parametrize("blank", ["\u00a0", " \u00a0 ", "\u3000", "\u200b", "\ufeff", "\t\u200b\u00a0", "\x0c", "\x0b",
                                   "\u2007\u202f"])
def test_a_line_that_looks_blank_separates_paragraphs_and_is_stored_empty(blank):
    # HTML and word processors write an empty paragraph as a line holding a no-break space (<p>&nbsp;</p>).
    text = (f"date 2020-06-09\nHeadline of the story\n{blank}\nFirst paragraph of the story. It is long enough.\n"
            f"{blank}\nSecond paragraph.\n{blank}\n")
    article = parse_article(text, "a.txt")
    assert article.paragraphs == ("Headline of the story", "First paragraph of the story. It is long enough.",
                                  "Second paragraph.")
    assert article.headline == "Headline of the story"
    # Stored with empty lines: names, quotes and the article page split the stored body at blank lines of
    # spaces and tabs, and must find the same paragraphs.
    assert article.body == ("Headline of the story\n\nFirst paragraph of the story. It is long enough.\n\n"
                            "Second paragraph.")


def test_a_blank_looking_line_from_a_windows_file_separates_paragraphs():
    raw = b"date 2020-06-09\r\nPara one.\r\n\xa0\r\nPara two \x93quoted\x94.\r\n"  # Windows-1252, CRLF
    article = parse_article(sources.decode(raw), "a.txt")
    assert article.paragraphs == ("Para one.", "Para two \u201cquoted\u201d.")


def test_lines_with_text_and_lines_of_spaces_are_kept_as_written():
    text = "date 2020-06-09 One\u00a0\n\u00a0two\n  \n\u200bthree\n\t\nfour"
    article = parse_article(text, "a.txt")
    assert article.body == "One\u00a0\n\u00a0two\n  \n\u200bthree\n\t\nfour"
    assert article.paragraphs == ("One\u00a0\n\u00a0two", "\u200bthree", "four")


def test_a_body_of_blank_looking_lines_is_empty():
    with pytest.raises(ParseError, match="empty body"):
        parse_article("date 2020-06-09 \u200b\n\u00a0\n\u200b", "a.txt")


# --- the headline of a long first paragraph ---------------------------------------------------

def test_a_paragraph_of_abbreviations_gives_its_headline_in_one_reading():
    # Each "Gen." "Mr." "U.S." is a sentence end to pass over; the word before each was read with a regular
    # expression over all the text before it, so 148 KB took 17 s and 1.1 MB would take hours.
    paragraph = " ".join(["Gen. Smith met Mr. Jones in the U.S."] * 30_000) + " The end."
    assert first_sentence(paragraph) == paragraph  # it never ends before "The end."
    headline = derive_headline((paragraph,))
    assert headline == paragraph[:HEADLINE_MAX].rsplit(" ", 1)[0] + "…"
    article = parse_article(f"date 2020-06-09 {paragraph}", "a.txt")
    assert article.headline == headline


@pytest.mark.parametrize("first, headline", [
    ("word " * 30 + "end of it. Next sentence " + "is long " * 30, "word " * 30 + "end of it."),  # 160 characters
    ("word " * 31 + "endsx. Next sentence " + "is long " * 30, ("word " * 31).strip() + "…"),  # 161: cut
    ("x" * 157 + '." (Next) ' + "word " * 10, "x" * 157 + '."'),
    ("A" * 200, "A" * HEADLINE_MAX + "…"),
])
def test_the_headline_looks_for_the_sentence_end_no_farther_than_it_can_use(first, headline):
    assert derive_headline((first,)) == headline


# --- zones, and the text after a time ---------------------------------------------------------

@pytest.mark.parametrize("line, body", [
    # Hours alone after a space are the body's, unless nothing else is on the line.
    ("date 2020-06-09 10:30 -12 degrees in Moscow today.", "-12 degrees in Moscow today."),
    ("date June 9, 2020, 10:30 +20 points for the Dow today.", "+20 points for the Dow today."),
    ("date 2020-06-09 10:30 +02\nBody.", "Body."),
    ("date 2020-06-09T10:30+02 Body.", "Body."),
    ("date 2020-06-09 10:30 -0500 Body.", "Body."),
    ("date 2020-06-09 10:30 +05:30 Body.", "Body."),
    ("date 2020-06-09 10:30:00 UTC+14 Body.", "Body."),
    ("date 2020-06-09 10:30 GMT-3:30 Body.", "Body."),
    ("date 2020-06-09 10:30 utc Body.", "Body."),
    # Zone names in capitals only: "est" is French.
    ("date 2020-06-09 10:30 est le jour.", "est le jour."),
    ("date 2020-06-09 10:30 CEST Body.", "Body."),
    ("date 2020-06-09 10:30 Zurich stocks rose.", "Zurich stocks rose."),
    # A comment naming the zone belongs to the date line; other words in brackets do not.
    ("date Tue, 09 Jun 2020 10:00:00 +0200 (CEST) Body.", "Body."),
    ("date Tue, 09 Jun 2020 10:00:00 -0700 (Pacific Daylight Time) Body.", "Body."),
    ("date Tue, 09 Jun 2020 10:00:00 +0200 (AP) Body.", "(AP) Body."),
    ("date 2020-06-09T14:30:00+02:00[Europe/Paris] Body.", "Body."),
])
def test_a_zone_is_taken_only_in_a_zone_form(line, body):
    article = parse_article(line, "a.txt")
    assert (article.date, article.body) == ("2020-06-09", body)


@pytest.mark.parametrize("line, zone", [
    ("date 2020-06-09 10:00 +25:00 Body", "+25:00"),
    ("date 2020-06-09 10:00 +9999 Body", "+9999"),
    ("date 2020-06-09 10:00 +14:30 Body", "+14:30"),
    ("date 2020-06-09 10:00 -0560 Body", "-0560"),
    ("date 2020-06-09 10:30:00 UTC+25 Body", "UTC+25"),
    ("date 2020-06-09 10:30 +20\nBody", "+20"),
])
def test_an_impossible_zone_is_rejected(line, zone):
    date = line[5:].split(zone)[0] + zone
    with pytest.raises(ParseError) as error:
        parse_article(line, "a.txt")
    assert error.value.reason == (f"{date!r} has an impossible zone {zone} (a zone is at most 14 hours from UTC,"
                                  " written +HH:MM, +HHMM or +HH)")


# --- more ways of writing a date --------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "date Tues, 09 Jun 2020 Body", "date Tues. 09 Jun 2020 Body", "date Tue 2020-06-09 Body",
    "date Tuesday, 2020-06-09 Body", "date Tue Jun  9 14:30:00 2020 Body", "date Tue Jun 9 14:30:00 UTC 2020 Body",
    "date June 9,2020 Body", "date June 9 , 2020 Body", "date Jun-09-2020 Body", "date 09/Jun/2020 Body",
    "date 2020-06-09\u2026Body", "date 2020-06-09\u2014Body", "date June 9, 2020\u2013Body",
])
def test_more_spellings_of_a_date(line):
    article = parse_article(line, "a.txt")
    assert (article.date, article.body) == ("2020-06-09", "Body")


@pytest.mark.parametrize("line, date", [
    ("date Weds 10 Jun 2020 Body", "2020-06-10"),
    ("date Thur 11 Jun 2020 Body", "2020-06-11"),
    ("date Thurs. 11 Jun 2020 Body", "2020-06-11"),
    ("date January 13,2000 Body", "2000-01-13"),  # dateutil alone read it as 13 January of the current year
    ("date Jan13,2000 Body", "2000-01-13"),
])
def test_weekday_abbreviations_and_glued_commas(line, date):
    assert parse_article(line, "a.txt").date == date


def test_the_windows_ellipsis_glued_to_the_date_ends_it():
    article = parse_article(sources.decode(b"date 2020-06-09\x85Body"), "a.txt")
    assert (article.date, article.body) == ("2020-06-09", "Body")


@pytest.mark.parametrize("line, reason", [
    ("date Weds, 09 Jun 2020 Body", "'Weds, 09 Jun 2020' is not a real date (it says Weds, but 9 June 2020 was a"
                                    " Tuesday)"),
    ("date Monkey, 09 Jun 2020 Body", "cannot read a date in 'Monkey, 09 Jun 2020 Body'"),
    ("date 2020-06-09\u201310 Body", "cannot read a date in '2020-06-09\u201310 Body'"),  # a range of days
    ("date 03/04/20 Body", "date '03/04/20' has a two-digit year, which could be of any century: write the year in"
                           " full, or the date as YYYY-MM-DD"),
    ("date 09 Jun 20 Body", "date '09 Jun 20' has a two-digit year, which could be of any century: write the year"
                            " in full, or the date as YYYY-MM-DD"),
    ("date 12/31/99 Body", "date '12/31/99' has a two-digit year, which could be of any century: write the year in"
                           " full, or the date as YYYY-MM-DD"),
    ("date Tue, June 9, '20 Body", "date \"Tue, June 9, '20\" has a two-digit year, which could be of any century:"
                                   " write the year in full, or the date as YYYY-MM-DD"),
])
def test_what_a_date_line_is_rejected_for(line, reason):
    with pytest.raises(ParseError) as error:
        parse_article(line, "a.txt")
    assert error.value.reason == reason
