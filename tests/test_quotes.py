import pathlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news_archive.parse import parse_article
from news_archive.quotes import Quote, extract_quotes

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def body(name: str) -> str:
    path = DATA / name
    return parse_article(path.read_text(encoding="utf-8"), path.name).body


DILLON = "Dillon Passage"
JOE = "Joe Exotic"

# Written by reading the article: every quotation, who says it, and in which
# paragraph (0 is "Thus far, all of Joe Exotic's ploys ...").
DIVORCE_QUOTES = [
    Quote("In November of 2017 I met Joe", DILLON, 4),
    Quote("who was there for me during a difficult time in my life.", DILLON, 5),
    Quote("After just 9 short months he was arrested", DILLON, 6),
    Quote("And, for the last two and a half years, we have been apart.", DILLON, 7),
    Quote("I’ve always stood by his side", DILLON, 8),
    Quote("And, will continue to always love and support him.", DILLON, 9),
    Quote("When Tiger King was released on Netflix a year ago", DILLON, 10),
    Quote("my life was thrown into a world of media and public attention.", DILLON, 11),
    Quote("something that was completely foreign to me.", DILLON, 12),
    Quote("I felt as if I had a microscope constantly looming over me", DILLON, 13),
    Quote("which was and still is incredibly uncomfortable.", DILLON, 14),
    Quote("With everyone pulling me in different directions, I found my manager @jefftduncan.", DILLON, 15),
    Quote(
        "who, despite Joe’s recent social media tirades against, has always acted in my best interest.", DILLON, 16
    ),
    Quote("And, helped me navigate the complexity of the new situation I found myself in.", DILLON, 17),
    Quote("I don’t feel obligated to explain to the world what occurs in my personal life", DILLON, 18),
    Quote("And, despite Joe taking to social media to air every grievance.", DILLON, 19),
    Quote("I don’t feel it’s the healthiest way to handle private matters between two people.", DILLON, 20),
    Quote("I therefore don’t intend to post any more on this subject.", DILLON, 21),
    Quote("To answer the main question the public wants to know", DILLON, 22),
    Quote("yes, Joe and I are seeking a divorce.", DILLON, 23),
    Quote("This wasn’t an easy decision to make", DILLON, 25),
    Quote("But, Joe and I both understand that this situation isn’t fair to either of us.", DILLON, 26),
    Quote("It’s something that neither of us were expecting.", DILLON, 27),
    Quote("But, we are going to take it day by day.", DILLON, 28),
    Quote("We are on good terms still", DILLON, 29),
    Quote("And, I hope it can stay that way.", DILLON, 30),
    Quote("I will continue to have Joe in my life", DILLON, 31),
    Quote("And, do my best to support him.", DILLON, 32),
    Quote("while he undergoes further legal battles to better his situation.", DILLON, 33),
    Quote("Like I said in my last post, be careful of the assumptions you place on others.", DILLON, 34),
    Quote("Everyone carries a challenge or burden you may not see.", DILLON, 35),
    Quote("This is as true for me as it may be for you.", DILLON, 36),
    # Paragraph 37 (TMZ and the attorney) has no quotation; the email is Joe's.
    Quote("Me and Dillon have talked and we are not going to get in a hurry and get a legal divorce", JOE, 38),
    # "the disgraced former zoo owner": a description that refers back.
    Quote("This has been tough on both of us", JOE, 39),
    Quote("And, he is going to do what he thinks he needs to do.", JOE, 40),
    Quote("And I prefer to stay married right now, so things don't get complicated.", JOE, 41),
    Quote("And if I live through this great, we will figure it out then ...", JOE, 42),
    Quote("He still answers the phone three times a day", JOE, 43),
    # "And," he added, Dillon "will continue ...": Joe speaks; Dillon is
    # the writer's word between the pieces, not part of the quotation.
    Quote("And, will continue to be my support.", JOE, 44),
]

LETTER_QUOTES = [
    # Introduced by "... the caption of the post that read:" in paragraph 2.
    Quote(
        "My heart is breaking after reading Joe’s letter 💔 He is living in hell right now and I’m outraged by the "
        "way he is being treated. I can’t even begin to imagine how that is breaking his spirit. I love Joe and I’m "
        "standing by him. The photos that I post on here are a highlight reel of my life… What you don’t see are the "
        "hours that I’m alone at home, missing my husband and my friend. I’ve been writing letters and it is a shame "
        "to hear that he isn’t receiving them… I know they limit the amount he can read in a week and I only hope "
        "they eventually get to him. Joe, I hope that this reaches you too. Know that I love you and I’m fighting for "
        "you everyday. #freejoeexotic ❤️❤️❤️❤️❤️❤️",
        DILLON,
        3,
    ),
    # "Joe Exotic stated in the letter that his soul is 'dead' and that '...'"
    Quote("dead", JOE, 5),
    Quote("struggles every day to hold on to what little hope he can find", JOE, 5),
    Quote("live this hell.", JOE, 5),
    Quote("Will he? Or not?", JOE, 6),
    # Nested curly quotes stay inside the one quotation.
    Quote(
        "Cardi “B” – Kim “K” Please ladies I've done nothing wrong. But act a fool to protect my zoo from arson and "
        "people hurting my animals. Hear my scream for help.",
        JOE,
        7,
    ),
    Quote("I love you All.", JOE, 7),
]


def test_every_quote_of_the_divorce_article_with_its_speaker():
    assert extract_quotes(body("001_00a32e414b8210aa.txt")) == DIVORCE_QUOTES


def test_every_quote_of_the_letter_article_with_its_speaker():
    assert extract_quotes(body("000_733558d17a3f90df.txt")) == LETTER_QUOTES


def test_paragraph_index_matches_the_parsed_article():
    path = DATA / "001_00a32e414b8210aa.txt"
    article = parse_article(path.read_text(encoding="utf-8"), path.name)
    for quote in extract_quotes(article.body):
        assert quote.text.split(",")[0].split()[0] in article.paragraphs[quote.paragraph]


@pytest.mark.parametrize("blank", ["\u00a0", "\u3000", "\u200b", "\x0c"])
def test_paragraph_index_matches_when_blank_lines_hold_invisible_characters(blank):
    # As HTML and word processors write an empty paragraph: a line with a no-break space.
    text = (f"date 2020-06-09\nHarbour strike\n{blank}\nMary Hart runs the port.\n{blank}\n"
            f'"We will not give in," she said.\n{blank}\n"Talks resume on Monday," Tom Reed said.\n')
    article = parse_article(text, "a.txt")
    assert len(article.paragraphs) == 4
    quotes = extract_quotes(article.body)
    assert quotes == [Quote("We will not give in", "Mary Hart", 2), Quote("Talks resume on Monday", "Tom Reed", 3)]
    for quote in quotes:
        assert quote.text in article.paragraphs[quote.paragraph]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Straight quotes, attribution after, a trailing comma dropped.
        ('"We will appeal the ruling," Mary Hart said.', [Quote("We will appeal the ruling", "Mary Hart", 0)]),
        # Verb first, with an apposition.
        (
            'But "mud sticks," said Gavin Launder, an analyst with a London broker.',
            [Quote("mud sticks", "Gavin Launder", 0)],
        ),
        # Colon lead-in with curly quotes.
        ("Mary Hart wrote: “Prices will rise.”", [Quote("Prices will rise.", "Mary Hart", 0)]),
        # A quotation split around its attribution is one quotation.
        (
            '"And," Mary Hart continued, "we will win."',
            [Quote("And, we will win.", "Mary Hart", 0)],
        ),
        # "He" is the person in focus.
        (
            'Mary Hart runs the company.\n\n"It was a hard year," she said.',
            [Quote("It was a hard year", "Mary Hart", 1)],
        ),
        # "He" after a sentence about someone unnamed is that someone, not the person named before;
        # unless the unnamed one is named just after.
        (
            "James Baker spoke.\n\nA foreign exchange analyst shared Baker's doubts. \"It is unlikely,\" he said.",
            [Quote("It is unlikely", None, 1)],
        ),
        (
            "James Baker spoke.\n\nA spokesman for the bank, Tom Murtha, disagreed. \"It is likely,\" he said.",
            [Quote("It is likely", "Tom Murtha", 1)],
        ),
        # Someone new and unnamed, or an organisation: no speaker.
        ('"Prices will rise next year," a spokesman said.', [Quote("Prices will rise next year", None, 0)]),
        ('"Prices will rise next year," the company said.', [Quote("Prices will rise next year", None, 0)]),
        # A scare quote of one or two words with nobody saying it is dropped.
        ('The board adopted a so-called "poison pill" plan.', []),
        # Apostrophes are not quotes, even typed as a double quote (Reuters did).
        ("Joe's lawyers and the investors' group met on Tuesday.", []),
        (
            'Qatar"s OPEC quota is 285,000 bpd, Mary Hart said. "It will not change," she said.',
            [Quote("It will not change", "Mary Hart", 0)],
        ),
        # A quotation left open at the end of a paragraph ends there; the
        # next paragraph continues the same speaker.
        (
            '"We are ready to act," Mary Hart said, "and the markets know it.\n\n"Nobody should doubt that."',
            [Quote("We are ready to act, and the markets know it.", "Mary Hart", 0),
             Quote("Nobody should doubt that.", "Mary Hart", 1)],
        ),
        ("", []),
        ("No quotations at all here.", []),
        # Single quotes with no double quote in the article: a quotation
        # opens after white space and before a letter; apostrophes do not.
        (
            "Mary Hart said 'we will win the case in the end' on Monday.",
            [Quote("we will win the case in the end", "Mary Hart", 0)],
        ),
        ("Japan's exporters and the investors' group met. Tokyo's 'big four' said nothing.", []),
        (  # accented names are whole speakers ("Anna Str" was one)
            '"We agreed," Zoë Müller said. "It is done," said Anna Ström.',
            [Quote("We agreed", "Zoë Müller", 0), Quote("It is done", "Anna Ström", 0)],
        ),
    ],
)
def test_small_cases(text, expected):
    assert extract_quotes(text) == expected


def test_quotes_are_frozen():
    quote = Quote("x", None, 0)
    with pytest.raises(AttributeError):
        quote.text = "y"  # type: ignore[misc]


def test_mentions_found_once_give_the_same_quotes():
    from news_archive.names import count_names, extract_names, find_mentions

    text = body("001_00a32e414b8210aa.txt")
    mentions = find_mentions(text)
    assert extract_quotes(text, mentions=mentions) == DIVORCE_QUOTES
    assert count_names(mentions) == extract_names(text)


_PIECES = list("aAzZ 09.,;:'\"“”‘’-\n()<>&@éß–…") + ["Mr. ", "said ", "he ", "U.S. ", "\n\n", "The ", "Bank of "]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=120).map("".join))
def test_any_text_gives_well_formed_quotes(text):
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    for quote in extract_quotes(text):
        assert quote.text and quote.text == quote.text.strip()
        assert 0 <= quote.paragraph < len(paragraphs)


def test_he_said_in_a_long_text_goes_to_the_speaker_just_before():
    # Hundreds of stories in one text: each "he said" belongs to the person named
    # in its own story, found among all the speakers before it (kept sorted).
    given_names = ["John", "Peter", "David", "Michael", "Robert", "James", "William", "Richard"]
    family_names = ["Walker", "Turner", "Parker", "Hughes", "Morgan", "Bennett", "Foster", "Harris", "Reed", "Price"]
    people = [f"{given} {family}" for given in given_names for family in family_names]
    stories = [
        f'"Prices will rise in year {year}," said {person}, who runs a mill in the valley.'
        f' "We are ready for year {year}," he said on Monday.'
        for year in range(3) for person in people
    ]
    quotes = extract_quotes("\n\n".join(stories))
    assert [q.speaker for q in quotes] == [person for person in people * 3 for _ in range(2)]


def test_a_quotation_said_again_in_the_same_article_is_one_quotation():
    text = ('"We will not devalue," Paul Volcker said on Monday.\n\nMarkets fell.\n\n'
            '"We will not devalue," Volcker said again. "Not this year," he added.')
    assert [(q.text, q.speaker, q.paragraph) for q in extract_quotes(text)] == [
        ("We will not devalue", "Paul Volcker", 0), ("Not this year", "Paul Volcker", 2)]


def test_an_organisation_named_by_its_description_speaks_as_itself():
    text = ("REAGAN SCRUBS RECEPTION\n\nPresident Reagan cancelled a reception on Tuesday.\n\n"
            '"The postponement is being made to accommodate the president\'s schedule today," the White House said.\n\n'
            '"The meeting is at four," he said.')
    # Not Reagan, who is in focus: the White House speaks; and "he" is no organisation.
    assert [(q.text[:15], q.speaker) for q in extract_quotes(text)] == [
        ("The postponemen", "White House"), ("The meeting is ", "Reagan")]
    # A description of a person that ends in a name is still the person in focus.
    senator = ('Robert Byrd spoke in Washington on Tuesday.\n\n'
               '"We are going to lose today," the West Virginia Democrat told reporters.')
    assert [q.speaker for q in extract_quotes(senator)] == ["Robert Byrd"]


def test_a_word_or_two_in_quotes_is_a_quotation_only_when_its_sentence_says_who_said_it():
    text = ('The budget would show a deficit of 1.27 billion dlrs, Roger Douglas said.\n\n'
            'Using this "financial deficit" method the deficit was 1.89 billion.\n\n'
            'Chuck Fields said livestock producers were "desperate" because of the drought.\n\n'
            'He added that the talks were a "reaffirmation" of the accord, indicating that the "solidarity" '
            'of Paris was still in place.\n\n'
            '"No," Fields said.')
    assert [(q.text, q.speaker) for q in extract_quotes(text)] == [
        ("desperate", "Chuck Fields"), ("reaffirmation", "Chuck Fields"), ("solidarity", "Chuck Fields"),
        ("No", "Chuck Fields")]


def _said(text: str) -> list[tuple[str, str | None]]:
    return [(q.text[:12], q.speaker) for q in extract_quotes(text)]


def test_someone_described_by_a_name_is_not_that_person():
    # "a Wright aide" is not Wright; "one source ... about Volcker" is not Volcker.
    aide = ('House Speaker Jim Wright met the Treasury Secretary on Monday.\n\n'
            '"They sat down together to discuss the debt," a Wright aide said of the meeting.')
    assert _said(aide) == [("They sat dow", None)]
    source = ('Paul Volcker said on Monday he would not comment.\n\n'
              '"The new team is going to need all the help it can get," said one source when asked about '
              'the possibility of Volcker\'s reappointment.')
    assert _said(source) == [("The new team", None)]
    # A name that ends the description, with no "of", "about" or "to" before it, still speaks.
    named = ('"We will fight it," said the committee chairman John Smith.\n\n'
             '"We are ready," said an aide to Senator Robert Dole.')
    assert _said(named) == [("We will figh", "John Smith"), ("We are ready", None)]


def test_a_possessive_or_a_document_is_not_who_speaks():
    text = ('Kandice Kahl wrote the study.\n\n'
            'Kahl\'s paper urged farmers to buy "put" options.\n\n'
            'The so-called decoupling plan, or "0/92", would cut payments.\n\n'
            '"I think it makes it much harder to settle," said Baine Kerr, Pennzoil\'s retired president who '
            'has acted as the chief negotiator. "I think that is why they did it."')
    # "put" and "0/92" are no quotations (a paper, and no verb: "so-called" is not one);
    # the second quotation is still Baine Kerr's ("Pennzoil's retired" is not a subject).
    assert _said(text) == [("I think it m", "Baine Kerr"), ("I think that", "Baine Kerr")]


def test_he_after_an_unnamed_speaker_is_nobody():
    text = ('Chairman William Mulholland said he was optimistic.\n\n'
            '"I don\'t think it\'s going to fly," said one banker.\n\n'
            '"And is there a market for it," he added.\n\n'
            'Mulholland admitted, "it is something of an experiment."\n\n'
            '"It is very important," he added.')
    assert _said(text) == [("I don't thin", None), ("And is there", None),
                           ("it is someth", "William Mulholland"), ("It is very i", "William Mulholland")]


def test_the_same_description_after_an_unnamed_speaker_is_that_speaker():
    text = ('"We are in a holding pattern," George Hoffman of Pillsbury said.\n\n'
            'Stocks could fall by the end of the season, a USDA analyst said.\n\n'
            '"We can now see the light at the end of a very long tunnel," the analyst said.')
    assert _said(text) == [("We are in a ", "George Hoffman"), ("We can now s", None)]
    banker = ('"The reforms are well under way," Tom Murtha said.\n\n'
              'A foreign banker close to the talks said he saw no boom until 1989.\n\n'
              '"The problem is the political system," the banker said.')
    assert _said(banker) == [("The reforms ", "Tom Murtha"), ("The problem ", None)]
    # Another description is still the person in focus.
    other = ('"We are in a holding pattern," George Hoffman said.\n\n'
             'Prices could fall, a USDA analyst said.\n\n'
             '"We are ready," the Pillsbury director said.')
    assert _said(other) == [("We are in a ", "George Hoffman"), ("We are ready", "George Hoffman")]


def test_a_pronoun_after_an_unnamed_subject_that_begins_with_but():
    text = ('Foreign Minister Uffe Ellemann-Jensen said: "Denmark will not accept a ban."\n\n'
            'But an official at the Canadian embassy in Copenhagen said the inspection followed EC rules. '
            '"We are holding active discussions," she added.')
    assert _said(text) == [("Denmark will", "Uffe Ellemann-Jensen"), ("We are holdi", None)]


def test_he_is_not_a_woman_the_text_called_she():
    text = ('Trade Minister Patricia Carney met reporters.\n\n'
            '"We think we can get some movement on this," she told them.\n\n'
            'Talks will continue next month.\n\n'
            '"The media has a tendency to judge meetings by results," he said.')
    assert _said(text) == [("We think we ", "Patricia Carney"), ("The media ha", None)]


def test_a_person_after_a_title_at_the_start_of_a_sentence_is_in_focus():
    text = ('"We are meeting in a time of great trade tension," Trade Minister Patricia Carney said.\n\n'
            'U.S. Trade Representative Clayton Yeutter reminded the news conference of the delays.\n\n'
            '"The media has a tendency to judge meetings by results," he said.')
    assert _said(text) == [("We are meeti", "Patricia Carney"), ("The media ha", "Clayton Yeutter")]


def test_a_person_named_after_said_is_in_focus_and_an_apposition_is_not_unnamed():
    text = ('"The debt will come up in talks," said Juan Carlos Pugliese, speaker of the lower house.\n\n'
            'Local officials met on Monday.\n\n'
            'He said that "Germany and most European countries" had helped.')
    assert _said(text)[-1] == ("Germany and ", "Juan Carlos Pugliese")
    apposition = ('Dennis McAlpine, an analyst with Oppenheimer and Co, said he expected a buyout.\n\n'
                  '"Ideally, you would break this thing up," he said.')
    assert _said(apposition) == [("Ideally, you", "Dennis McAlpine")]
    # A title with "of" is no description of someone else.
    title = 'Chancellor of the Exchequer Nigel Lawson said wage rises are "faster than is comfortable."'
    assert _said(title) == [("faster than ", "Nigel Lawson")]


@pytest.mark.parametrize(
    "attribution, speaker",
    [
        ("said Mr. Smith", "John Smith"),
        ("said Mrs. Thatcher", "Margaret Thatcher"),
        ("said Sen. Robert Byrd", "Robert Byrd"),
        ("said Rep. Jim Wright", "Jim Wright"),
        ("said Gov. Mario Cuomo", "Mario Cuomo"),
        ("said Gen. John Vessey", "John Vessey"),
        ("said Dr. Jane Hart", "Jane Hart"),
        ("said Sen. Bennett Johnston in a statement issued with the report", "Bennett Johnston"),
        ("said Rep. James Olin (D-Va.)", "James Olin"),
        ("said J. Hugh Liedtke", "J. Hugh Liedtke"),
    ],
)
def test_a_title_written_short_before_the_name_is_not_the_speaker(attribution, speaker):
    given = speaker.split()[0]
    text = (f"{speaker} met reporters in Washington on Monday.\n\n"
            f'"I am honored to serve," {attribution}. "Acme has a great future."\n\n'
            f'"No comment," {attribution.split(" in ")[0]}.')
    # The follow-on quotation is the same speaker's, and two words in quotes are found too.
    assert _said(text) == [("I am honored", speaker), ("Acme has a g", speaker), ("No comment", speaker)], given


def test_a_word_that_is_never_a_name_alone_is_no_speaker():
    when = ('Senate Armed Services Committee Chairman Sam Nunn said the odds were against confirmation.\n\n'
            'When asked on the television program if he thought Gates would be confirmed, the Georgia Democrat '
            'shot back: "I would not bet any money on it."')
    assert [q.speaker for q in extract_quotes(when)] != ["When"]
    may = ('May Department Stores Co said it is encouraged about the new fiscal year.\n\n'
           'The company said its merger last year is "going very well." May said "We are acting more like '
           'one company every day."')
    assert _said(may) == [("going very w", None), ("We are actin", None)]  # the company: no one named
    # Unless the text names someone with it after a given name.
    analyst = ('"It was an entry point," said Barclays analyst Rick May.\n\n'
               '"Fairchild simply does not have key technology," May said.')
    assert _said(analyst)[-1] == ("Fairchild si", "Rick May")


def test_a_name_after_the_verb_ends_where_the_clause_about_it_begins():
    sumita = ('Bank of Japan Governor Satoshi Sumita said on Friday the bank would act if needed.\n\n'
              '"WE ARE READY TO ACT," said Sumita in a statement quoted by Kyodo news agency.')
    assert _said(sumita) == [("WE ARE READY", "Satoshi Sumita")]
    league = ('"Builders are looking at current mortgage rates," said Mark Obrinsky of the U.S. League of\n'
              'Savings Institutions in Washington, whose members supply the financing.')
    assert _said(league) == [("Builders are", "Mark Obrinsky")]


def test_someone_of_a_country_described_is_not_the_person_in_focus():
    text = ('Yurij Ponomarev declined to comment on remarks by a senior U.S. Official.\n\n'
            '"How would the bank use the rouble as a basis for expanding its capital?" asked the U.S. Official, '
            'who declined to be identified.')
    assert _said(text) == [("How would th", None)]


@pytest.mark.parametrize(
    "line, speaker",
    [
        ('"The budget is dead," said Speaker Jim Wright — adding that he would offer his own plan.', "Jim Wright"),
        ('"The budget is dead," said Jim Wright — adding that he would offer his own plan.', "Jim Wright"),
        ('"The budget is dead," said Jim Wright -- adding that he would offer his own plan.', "Jim Wright"),
        ("“We are not going anywhere” — Senator Robert Byrd, on the plans of the Democrats.", "Robert Byrd"),
        # Whom the words are from, after the dash; someone unnamed: nobody, not the speaker before.
        ("“The ball is in their court” — that was the message from Assistant Secretary Richard Perle.",
         "Richard Perle"),
        ("“The ball is in their court” — that was the message from the committee.", None),
    ],
)
def test_a_dash_after_a_quotation_gives_its_speaker_or_none(line, speaker):
    text = f'President Ronald Reagan defended his budget. "We will not raise taxes," Reagan said.\n\n{line}'
    assert [q.speaker for q in extract_quotes(text)] == ["Ronald Reagan", speaker]


def test_a_name_after_so_called_is_not_a_quotation():
    text = ('Paul Volcker said the Bank of England had been consulted about the so-called "Big Bang" reforms.\n\n'
            'Douglas said the deduction of losses, known as "double dipping," would end.')
    assert extract_quotes(text) == []


def test_according_to_someone_before_or_after_the_quotation():
    text = ('Treasury Secretary James Baker met Paul Volcker on Monday. "We talked," Volcker said.\n\n'
            'According to Baker, "the talks in Paris were very constructive."\n\n'
            '"They will be more aggressive this year," according to Richard Loewy, analyst for Prudential-Bache.\n\n'
            '"It will not last," according to dealers.')
    assert _said(text) == [("We talked", "Paul Volcker"), ("the talks in", "James Baker"),
                           ("They will be", "Richard Loewy"), ("It will not ", None)]


class _CountingPattern:
    """A compiled pattern that adds up how many characters its searches are given to look through."""

    searched = 0

    def __init__(self, pattern):
        self._pattern = pattern

    def _count(self, string, pos=0, endpos=None):
        _CountingPattern.searched += max(0, min(len(string), endpos if endpos is not None else len(string)) - pos)

    def search(self, string, *args):
        self._count(string, *args)
        return self._pattern.search(string, *args)

    def finditer(self, string, *args):
        self._count(string, *args)
        return self._pattern.finditer(string, *args)

    def __getattr__(self, name):
        return getattr(self._pattern, name)


@pytest.mark.parametrize("piece", ['"a" ', 'so-called "Aa" ', ': "', '" '])
def test_a_paragraph_of_quotations_without_full_stops_is_read_in_linear_time(monkeypatch, piece):
    # Each quotation's sentence was read from its start, or to its end, for the quotation: in a
    # paragraph without full stops, the paragraph each time (30 KB of 'so-called "Aa" ' took 1.5 s,
    # and four times as much sixteen times as long). Counted in characters searched, not timed.
    from news_archive import quotes

    for name, value in vars(quotes).copy().items():
        if isinstance(value, re.Pattern):
            monkeypatch.setattr(quotes, name, _CountingPattern(value))
    monkeypatch.setattr(_CountingPattern, "searched", 0)
    text = "Aa. " + piece * 8_000 + " end."
    extract_quotes(text)
    # At most about a sentence's reach for each quotation, however long the paragraph.
    assert _CountingPattern.searched < 2 * quotes._LONGEST_SENTENCE * 8_000


def test_a_speaker_that_is_never_a_name_alone_is_looked_up_once(monkeypatch):
    # '"...," said When.': whether the text names someone "... When" after a given name was read
    # through the whole text for each quotation: 8,000 of them took 18 s. Counted in texts read.
    from news_archive import quotes

    read = []
    finditer = re.finditer

    def counting(pattern, string, *args):
        read.append(len(string))
        return finditer(pattern, string, *args)

    monkeypatch.setattr(quotes.re, "finditer", counting)
    text = "Aa. " + '"Aa," said When. ' * 2_000
    extract_quotes(text)
    assert sum(read) <= 2 * len(text)


def test_a_job_before_a_name_neither_names_the_speaker_nor_hides_him():
    # "SEC Chief Accountant Clarence Sampson told" was "Accountant Clarence Sampson"; "Businessman Raul
    # Concepcion" as the subject of a sentence keeps him in focus for the "he said" after it.
    sampson = ('"Peer review will not stop all bad audits," SEC Chief Accountant Clarence Sampson told the'
               ' commission.\n\n"But we hope the rule will go far," Sampson said.')
    assert _said(sampson) == [("Peer review ", "Clarence Sampson"), ("But we hope ", "Clarence Sampson")]
    concepcion = ('"The accord is good," said Aurelio Periquet.\n\nBusinessman Raul Concepcion, whose brother Jose'
                  ' is the trade minister, said everyone could relax. "Now that the debt agreement is out of the'
                  ' way, officials can work," he said.')
    assert _said(concepcion) == [("The accord i", "Aurelio Periquet"), ("Now that the", "Raul Concepcion")]


def test_mrs_and_mr_say_which_of_two_people_of_one_surname_speaks():
    text = ('Senate leader Robert Dole and his wife, Transportation Secretary Elizabeth Dole, met the'
            ' governors.\n\n"It will be tough," said Mrs. Dole. "We will sustain the veto," Mr. Dole said.')
    assert _said(text) == [("It will be t", "Elizabeth Dole"), ("We will sust", "Robert Dole")]
