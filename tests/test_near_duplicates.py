import pathlib
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news_archive import near_duplicates as nd
from news_archive.parse import parse_article

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"


def body(name: str) -> str:
    path = DATA / name
    return parse_article(path.read_text(encoding="utf-8"), path.name).body


JOE = body("000_733558d17a3f90df.txt")
DILLON = body("001_00a32e414b8210aa.txt")

# A wire story and the same story republished with a new headline, one
# phrase reworded and a sentence added at the end.
STORY = """ACME WIDGETS TO CLOSE OHIO PLANT

Acme Widgets Inc said it would close its plant in Dayton, Ohio, by the end
of the year and move production to its larger factory in Knoxville,
Tennessee, where it has spent heavily on new machinery since last spring.

The company said about 300 jobs would be lost in Dayton and that it
expected to hire around 120 people in Knoxville over the next six months.

A spokesman said the closure would cost about 12 mln dlrs, to be charged
against fourth quarter earnings, but would save about five mln dlrs a year
from next year onwards.

The union representing the Dayton workers said it would ask the company
to reconsider and would meet management next week.
"""
REPUBLISHED = """ACME WIDGETS SAYS IT WILL SHUT DAYTON PLANT

Acme Widgets Inc said it would close its plant in Dayton, Ohio, by the end
of the year and move production to its larger factory in Knoxville,
Tennessee, where it has invested heavily in new machinery since last spring.

The company said about 300 jobs would be lost in Dayton and that it
expected to hire around 120 people in Knoxville over the next six months.

A spokesman said the closure would cost about 12 mln dlrs, to be charged
against fourth quarter earnings, but would save about five mln dlrs a year
from next year onwards.

The union representing the Dayton workers said it would ask the company
to reconsider and would meet management next week. Reuter
"""


def template(amount: str, rate: str, day: str) -> str:
    """A recurring report: the same words every day, other figures."""
    return f"""FED ADDS RESERVES VIA CUSTOMER REPURCHASES

The Federal Reserve entered the government securities market to arrange
{amount} billion dlrs of customer repurchase agreements, a spokesman for the
New York Fed said on {day}.

Dealers said Federal funds were trading at {rate} pct when the Fed began its
temporary and indirect supply of reserves to the banking system, and that the
move had been expected by most of the market.
"""


def test_signature_is_fixed_across_runs_and_processes():
    # Stored signatures must stay comparable: these values may only change
    # together with SIGNATURE_VERSION.
    sig = nd.signature(STORY)
    assert len(sig) == nd.NUM_PERM
    assert all(0 <= value < 2**32 for value in sig)
    code = (
        "from news_archive import near_duplicates as nd; import sys; "
        "print(list(nd.signature(sys.stdin.read())))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=STORY, capture_output=True, text=True, check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout
    assert out.strip() == str(list(sig))
    assert nd.SIGNATURE_VERSION == 1
    assert sig[:4] == (19277687, 16013394, 59222264, 98571016)


def test_band_keys_fit_a_signed_sqlite_integer():
    keys = nd.band_keys(nd.signature(STORY))
    assert len(keys) == nd.BANDS
    assert len(set(keys)) == nd.BANDS
    assert all(isinstance(key, int) and 0 <= key < 2**63 for key in keys)


def test_republished_story_is_a_near_duplicate():
    a, b = nd.signature(STORY), nd.signature(REPUBLISHED)
    assert nd.similarity(a, b) >= nd.NEAR_DUPLICATE_THRESHOLD
    assert nd.is_near_duplicate(a, b)
    assert set(nd.band_keys(a)) & set(nd.band_keys(b))


def test_identical_text_has_similarity_one_and_same_keys():
    assert nd.similarity(nd.signature(DILLON), nd.signature(DILLON)) == 1.0
    assert nd.band_keys(nd.signature(DILLON)) == nd.band_keys(nd.signature(DILLON + "\n"))


def test_case_punctuation_and_curly_quotes_do_not_matter():
    straight = DILLON.replace("’", "'").replace("“", '"').replace("”", '"')
    assert nd.signature(straight.upper()) == nd.signature(DILLON)


def test_different_stories_are_not_near_duplicates():
    joe, dillon, story = nd.signature(JOE), nd.signature(DILLON), nd.signature(STORY)
    assert nd.similarity(joe, dillon) < 0.1
    assert nd.similarity(joe, story) < 0.1
    assert not set(nd.band_keys(joe)) & set(nd.band_keys(dillon))


def test_recurring_template_with_other_figures_is_not_a_near_duplicate():
    monday = nd.signature(template("two", "6-1/16", "Monday"))
    friday = nd.signature(template("1.5", "5-7/8", "Friday"))
    assert nd.similarity(monday, friday) < nd.NEAR_DUPLICATE_THRESHOLD
    same_day = nd.signature(template("two", "6-1/16", "Monday").replace("most of the", "the"))
    assert nd.is_near_duplicate(monday, same_day)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tokyo stock index up 1,214.68",
        "TOKYO STOCK INDEX RISES 1,214.68 POINTS IN AFTERNOON TRADING\n\nReuter",
        " ".join(["word"] * (nd.MIN_WORDS - 1)),
    ],
)
def test_short_texts_get_no_signature_and_never_match(text):
    assert nd.signature(text) == ()
    assert nd.band_keys(()) == []
    assert nd.similarity(nd.signature(text), nd.signature(text)) == 0.0


def test_sketch_many_matches_single_calls():
    texts = [STORY, "too short", JOE, "", REPUBLISHED, DILLON]
    sketches = nd.sketch_many(texts)
    assert sketches == [(nd.signature(t), nd.band_keys(nd.signature(t))) for t in texts]
    assert [bool(sig) for sig, _ in sketches] == [True, False, True, False, True, True]
    assert nd.sketch_many([]) == []


def test_pack_and_unpack_round_trip():
    sig = nd.signature(STORY)
    blob = nd.pack_signature(sig)
    assert len(blob) == 4 * nd.NUM_PERM
    assert nd.unpack_signature(blob) == sig
    assert nd.pack_signature(()) == b""
    assert nd.unpack_signature(b"") == ()


def test_near_duplicate_pairs_finds_only_the_republished_pair():
    sigs = [nd.signature(t) for t in (JOE, STORY, DILLON, "short", REPUBLISHED)]
    pairs = nd.near_duplicate_pairs(sigs)
    assert [(i, j) for i, j, _ in pairs] == [(1, 4)]
    assert pairs[0][2] == nd.similarity(sigs[1], sigs[4])


def test_band_keys_rejects_a_malformed_signature():
    with pytest.raises(ValueError):
        nd.band_keys((1, 2, 3))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="ab é’—1 .\n", max_size=400), max_size=5))
def test_batches_agree_with_single_texts(texts):
    texts = [t + " filler" * (nd.MIN_WORDS if i % 2 else 0) for i, t in enumerate(texts)]
    assert nd.sketch_many(texts) == [(nd.signature(t), nd.band_keys(nd.signature(t))) for t in texts]


def test_figures_and_figures_replaced():
    assert nd.figures("Two billion dlrs at 6-1/16 pct, 4,403,852 shares, 1.5 billion on the 2nd; two.") == {
        "2": 3, "6-1/16": 1, "4403852": 1, "1.5": 1}
    monday, thursday = template("two", "6-1/16", "Monday"), template("1.5", "6-1/16", "Thursday")
    assert nd.figures_replaced(nd.figures(monday), nd.figures(thursday))
    # Figures cut or added (a shortened or extended version) are not replaced.
    shortened = monday.split("Dealers said")[0]
    assert not nd.figures_replaced(nd.figures(monday), nd.figures(shortened))
    assert not nd.figures_replaced(nd.figures(shortened), nd.figures(monday))
    assert not nd.figures_replaced(nd.figures(STORY), nd.figures(REPUBLISHED))
