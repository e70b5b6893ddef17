"""A real headless Chromium against `news-archive serve` on a port: what a reader does."""

import re

import pytest

from conftest import corpus_or_skip

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    """The Reuters corpus plus the sample (the issue's test bed)."""
    corpus_or_skip()
    return request.getfixturevalue("reuters_server")


def test_search_highlight_dates_paging_article_prev_next(server, page, artifacts):
    page.goto(server.url + "/")
    assert page.title() == "News archive"
    page.get_by_label("Search the archive").fill("cocoa prices")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search\?q=cocoa\+prices"))
    total = page.locator(".total strong").inner_text()
    assert int(total.replace(",", "")) > 20
    marks = page.locator(".snippet mark")
    assert marks.count() > 10
    assert {m.lower() for m in marks.all_inner_texts()} <= {"cocoa", "price", "prices", "priced", "pricing", "cocoas"}
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)

    # A date range narrows the results and the timeline.
    page.get_by_label("From").fill("1987-03-01")
    page.get_by_label("To").fill("1987-03-31")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"since=1987-03-01"))
    narrowed = int(page.locator(".total strong").inner_text().replace(",", ""))
    assert 0 < narrowed < int(total.replace(",", ""))
    dates = page.locator(".result time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert dates and all("1987-03-01" <= d <= "1987-03-31" for d in dates)
    assert "Matches per day" in page.locator("#timeline-heading").inner_text()

    # Paging.
    first_page = page.locator(".result-headline").all_inner_texts()
    page.get_by_role("link", name="Next →").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator(".pager .current").inner_text() == "2"
    assert page.locator(".result-headline").all_inner_texts() != first_page

    # Open an article, then walk to the next and back to the previous one.
    headline = page.locator(".result-headline a").first.inner_text()
    page.locator(".result-headline a").first.click()
    page.wait_for_url(re.compile(r"/article/\d+\?q=cocoa\+prices&"))
    assert page.locator("h1").inner_text() == headline
    assert page.locator(".story mark").count() >= 1  # the words searched for are marked
    # Back to the search: the same page of the same search, dates and all.
    page.get_by_role("link", name="Back to the search").click()
    page.wait_for_url(re.compile(r"/search\?q=cocoa\+prices&since=1987-03-01&until=1987-03-31&page=2$"))
    assert page.locator(".result-headline").all_inner_texts()[0] == headline
    page.go_back()
    page.wait_for_url(re.compile(r"/article/\d+\?q=cocoa"))
    assert page.locator(".story-body p").count() >= 1
    page.screenshot(path=str(artifacts / "article.png"), full_page=True)
    here = page.url
    next_title = page.locator(".prev-next .next .title").inner_text()
    page.locator(".prev-next .next").click()
    page.wait_for_url(lambda url: url != here)
    assert page.locator("h1").inner_text() == next_title
    page.locator(".prev-next .prev").click()
    page.wait_for_url(here.split("?")[0])  # by date: the article itself, no longer marked
    assert page.locator("h1").inner_text() == headline


def test_timeline_toggle_facets_and_keyboard(server, page, artifacts):
    page.goto(server.url + "/search?q=oil")
    bars = page.locator("svg.timeline rect.bar")
    assert bars.count() > 5
    page.get_by_role("link", name="Share of all articles").click()
    page.wait_for_url(re.compile(r"timeline=share"))
    assert "%" in page.locator("svg.timeline .tick").last.inner_html()
    # A year facet narrows the search.
    page.locator(".facet a").first.click()
    page.wait_for_url(re.compile(r"since=\d{4}-01-01&until=\d{4}-12-31"))
    # The search box is reachable from the keyboard right after the skip link and navigation.
    page.goto(server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)


def test_names_directory_to_a_name_and_its_other_names(server, page, artifacts):
    page.goto(server.url + "/")
    page.get_by_role("link", name="Names", exact=True).click()
    page.wait_for_url(re.compile(r"/names$"))
    first = page.locator(".names-table tbody tr").first
    assert first.locator("td a").first.inner_text() == "United States"  # "U.S.", "US" and "USA" are one name
    page.get_by_role("link", name="People", exact=True).click()
    page.wait_for_url(re.compile(r"kind=person"))
    # A page of one kind does not say it on every row: the names have the room.
    assert page.locator(".names-table th").all_inner_texts() == ["Name", "Articles"]
    assert page.locator(".names-table .kind").count() == 0
    page.get_by_label("Find a name").fill("reagan")
    page.get_by_role("button", name="Find names").click()
    page.wait_for_url(re.compile(r"q=reagan&kind=person"))
    page.screenshot(path=str(artifacts / "names.png"), full_page=True)
    # "Reagan" alone is counted for Ronald Reagan (name_aliases): not a person of its own.
    assert page.get_by_role("link", name="Reagan", exact=True).count() == 0
    page.get_by_role("link", name="Ronald Reagan", exact=True).click()
    page.wait_for_url(re.compile(r"/name/\d+$"))
    assert page.locator("h1").inner_text() == "Ronald Reagan"
    assert "Also counted here: “Reagan” alone" in page.locator(".spellings").inner_text()
    page.screenshot(path=str(artifacts / "name.png"), full_page=True)
    # The same surname, with counts, one click away.
    assert page.locator("#related-heading").text_content() == "Same surname"
    page.locator(".related-names a", has_text="Nancy Reagan").click()
    page.wait_for_url(re.compile(r"/name/\d+$"))
    assert page.locator("h1").inner_text() == "Nancy Reagan"


def test_browse_by_date_and_narrow_screen(server, browser, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server.url + "/archive/1987/03")
    assert page.locator("h1").inner_text() == "March 1987"
    heights = page.evaluate("Array.from(document.querySelectorAll('table.calendar td'))"
                            ".map(td => Math.round(td.getBoundingClientRect().height))")
    assert len(set(heights)) == 1  # a day without articles is a whole cell too (8 and 10 March)
    page.locator("table.calendar a").first.click()
    page.wait_for_url(re.compile(r"/archive/1987/03/\d\d$"))
    assert page.locator(".article-list li").count() > 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # no sideways scrolling on a phone
    page.screenshot(path=str(artifacts / "day-mobile.png"), full_page=True)
    # On a phone the filters come after the results: a link leads there; the chart scrolls inside its box.
    page.goto(server.url + "/search?q=opec")
    page.locator(".jump-to-narrow a").click()
    page.wait_for_url(re.compile(r"#narrow$"))
    top = page.evaluate("document.getElementById('narrow').getBoundingClientRect().top")
    assert -5 <= top <= 100 and page.locator("#narrow a").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    chart = page.locator(".chart svg.timeline").bounding_box()
    assert chart["width"] >= 600  # wide enough for its labels to be read, in a box that scrolls
    assert page.locator(".chart-hint").is_visible()  # which the reader is told
    context.close()
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(server.url + "/search?q=opec")
    # The filters are beside the results: the link to them is out of sight but for the keyboard (below).
    assert wide.locator(".jump-to-narrow").bounding_box()["width"] <= 1
    assert not wide.locator(".chart-hint").is_visible()
    wide.close()


def test_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_label("Search the archive").fill("coffee")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=coffee"))
    # A page holds 20 stories: versions of a story listed already are left out, and the page is topped up.
    assert page.locator(".result").count() == 20
    context.close()


def test_compare_searches_from_a_search_page(server, browser, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/search?q=cocoa")
    page.get_by_role("link", name="Compare this search with others over time").click()
    page.wait_for_url(re.compile(r"/compare\?q=cocoa&q="))
    assert page.get_by_label("Search 1").input_value() == "cocoa"
    page.get_by_label("Search 2").fill("coffee")
    page.get_by_label("Count per", exact=True).select_option("month")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r"q=coffee&.*by=month"))
    assert page.locator("svg.comparison g.series").count() == 2
    legend = page.locator(".legend li").all_inner_texts()
    assert [text.split()[0] for text in legend] == ["cocoa", "coffee"]
    totals = [int(text.split()[1].replace(",", "")) for text in legend]
    # Each total is the search's own, and the table's months add up to it.
    page.get_by_text("Show as a table").click()
    cells = page.locator(".compare-table tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText))")
    assert [sum(int(row[i].replace(",", "")) for row in cells) for i in (1, 2)] == totals
    page.get_by_role("link", name="Share of all articles").click()
    page.wait_for_url(re.compile(r"timeline=share"))
    assert "%" in page.locator("svg.comparison .tick").last.inner_html()
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
    page.get_by_role("link", name="coffee").first.click()
    page.wait_for_url(re.compile(r"/search\?q=coffee"))
    assert int(page.locator(".total strong").inner_text().replace(",", "")) == totals[1]
    page.close()
    phone = browser.new_page(viewport={"width": 375, "height": 812})
    phone.goto(server.url + "/compare?q=cocoa&q=coffee&q=%22interest+rates%22")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # the chart scrolls in its box
    phone.close()


def test_keyword_in_context_from_a_search_page(server, browser, artifacts):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server.url + "/search?q=cocoa&since=1987-03-01&until=1987-03-31")
    page.get_by_role("link", name="Every occurrence of these words in context").click()
    page.wait_for_url(re.compile(r"/concordance\?q=cocoa&since=1987-03-01&until=1987-03-31"))
    assert page.get_by_label("Words to look for").input_value() == "cocoa"
    page.get_by_label("Sort lines by").select_option("right")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"arrange=right"))
    marks = page.locator("table.kwic tbody mark")
    assert marks.count() == 100  # a full page of lines
    # The words found line up: every one starts at the same place across the page.
    lefts = marks.evaluate_all("els => els.map(e => Math.round(e.getBoundingClientRect().left))")
    assert len(set(lefts)) == 1, set(lefts)
    after = page.locator("table.kwic tbody td.right").evaluate_all(
        "cells => cells.map(c => c.textContent.slice(c.querySelector('mark').textContent.length))")
    words = [re.findall(r"[^\W_]+", text.lower()) for text in after]
    assert words == sorted(words)
    total = int(page.locator(".total strong").inner_text().replace(",", ""))
    assert total > 100 and page.locator(".pager").count() == 1
    page.screenshot(path=str(artifacts / "concordance.png"), full_page=False)
    first = page.locator("table.kwic tbody td.where a").first
    first.click()
    page.wait_for_url(re.compile(r"/article/[0-9]+\?q=cocoa"))
    assert page.locator("article mark, main mark").count() >= 1  # the word is marked in the article
    page.close()
    phone = browser.new_page(viewport={"width": 375, "height": 812})
    phone.goto(server.url + "/concordance?q=cocoa&width=120")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # the lines scroll in their box
    # The words found are in view when the page opens: the words before them are cut from the left.
    ends = phone.locator("table.kwic tbody mark").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().right))")
    assert len(ends) == 100 and max(ends) <= 375, max(ends)
    phone.close()



# Text as a reader's settings enlarge it: the CSS of the pages allows it (their policy forbids a style tag).
def enlarge_text(page, size: str) -> None:
    page.evaluate("size => { document.documentElement.style.fontSize = size; }", size)


WORDS_BEFORE_OUT_OF_REACH = """() => Array.from(document.querySelectorAll('table.kwic td.left')).filter(cell => {
    const range = document.createRange(); range.selectNodeContents(cell);
    const text = range.getBoundingClientRect(), box = cell.getBoundingClientRect();
    return text.width && (text.left < box.left - 1 || text.right > box.right + 1);  // drawn outside its cell: cut off
  }).map(cell => cell.textContent.trim())"""


def test_keyword_in_context_shows_every_word_before_on_a_phone_and_zoomed(server, browser, artifacts):
    # 640 px is a laptop's 1280 at 200% zoom. The words before were cut from the left, with no way to them.
    # At 200% the words before had a column too narrow for their words: "Consume|rs", "manufact|urers".
    for width, size in [(320, None), (640, None), (375, "200%"), (320, "200%"), (320, "130%")]:
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto(server.url + "/concordance?q=cocoa&width=80")
        if size:
            enlarge_text(page, size)
        assert page.evaluate(WORDS_BEFORE_OUT_OF_REACH) == [], (width, size)
        assert page.locator("table.kwic td.left").evaluate_all(WORDS_BROKEN_THOUGH_NARROWER) == [], (width, size)
        hidden = page.locator("table.kwic td.left *").evaluate_all(
            "els => els.filter(e => /hidden|clip/.test(getComputedStyle(e).overflowX)).length")
        assert hidden == 0  # nothing cuts them
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the words after scroll in their box
        if width <= 375:  # the words found are in view when the page opens, level with the last words before them
            marks = page.locator("table.kwic tbody mark").evaluate_all("els => els.map(e => e.getBoundingClientRect())")
            assert len(marks) == 100 and max(m["right"] for m in marks) <= width
            assert len({round(m["left"]) for m in marks}) == 1
            page.screenshot(path=str(artifacts / f"concordance-{width}-{size}.png"), full_page=False)
        page.close()


# The words of these elements split across lines though narrower than their box: a word may break only if it
# alone is wider, or after a hyphen of its own ("non-|member").
WORDS_BROKEN_THOUGH_NARROWER = """els => els.flatMap(box => {
    const style = getComputedStyle(box);
    const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT), broken = [];
    for (let text; (text = walker.nextNode());)
      for (const m of text.textContent.matchAll(/[^\\s-]+-?/g)) {
        const range = document.createRange(); range.setStart(text, m.index); range.setEnd(text, m.index + m[0].length);
        const rects = Array.from(range.getClientRects());
        if (rects.length > 1 && rects.reduce((sum, r) => sum + r.width, 0) <= room) broken.push(m[0]);
      }
    return broken; })"""


def test_the_names_directory_leaves_names_whole_on_a_phone_and_fits_with_larger_text(server, browser, artifacts):
    for width, size in [(320, None), (375, "150%"), (375, "200%"), (320, "200%")]:
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in ["/names?kind=organization", "/names", "/names?q=securities"]:
            page.goto(server.url + path)
            if size:
                enlarge_text(page, size)
            # "Securities and Exchange Commission" was "Securi|ties and|Excha|nge|Comm|ission" beside "organisation";
            # at 200% "Internatio|nal Monetary Fund" beside its count.
            assert page.locator(".names-table tbody a").evaluate_all(WORDS_BROKEN_THOUGH_NARROWER) == [], (width, size, path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, size, path)
        page.screenshot(path=str(artifacts / f"names-{width}-{size}.png"), full_page=False)
        page.close()

# --- accessibility and small screens ------------------------------------------------------------
# A small archive of awkward articles, so these run in seconds and without the Reuters corpus.

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 8
LONG_URL = ("https://www.example.com/" + "/".join(f"averyverylongpathsegmentwithoutbreaks{i:02d}" for i in range(8))
            + "?q=" + "x" * 120)


@pytest.fixture(scope="module")
def awkward(tmp_path_factory):
    """Served: 25 oil articles in March 1987 (two pages, a chart, a calendar with empty days), one with
    a word of 360 letters, a long URL, a wide table and a file name of 120 letters, and the sample."""
    from conftest import SAMPLE, Server, rows, write_article
    from news_archive.ingest import ingest

    folder = tmp_path_factory.mktemp("awkward")
    write_article(folder, "deep-" + "folder" * 12 + "/" + "n" * 120 + ".txt",
                  f" date 1987-03-02 Oil {LONG_WORD} prices rise\n\n"
                  f"Oil prices rose, Reuters reported. Details at {LONG_URL} for readers.\n\n"
                  f'"Oil {LONG_WORD} is here to stay," said Ronald Reagan, speaking in Washington.\n\n'
                  "  Commodity          Price      Change     Volume       Open interest     Previous close    Week high\n"
                  "  Brent crude       18.25       +0.35      120,000      450,000           17.90             18.50\n")
    for day in range(1, 26):
        write_article(folder, f"oil-{day:02d}.txt", f" date 1987-03-{day:02d} Oil ministers meet, day {day}\n\n"
                      f"Oil ministers met again, said Ronald Reagan in Washington on day {day}.\n")
    db = str(tmp_path_factory.mktemp("awkward-db") / "news.db")
    ingest(db, [str(folder), str(SAMPLE)], jobs=1)
    server = Server(db)
    server.long_article = rows(db, "SELECT id FROM articles WHERE source LIKE '%nnnnnnnn.txt'")[0][0]
    server.reagan = rows(db, "SELECT id FROM names WHERE name = 'Ronald Reagan'")[0][0]
    yield server
    server.stop()


def awkward_pages(server) -> list[str]:
    return ["/", "/search?q=oil", "/search?q=oil&page=2", f"/search?q=oil&name={server.reagan}",
            f"/article/{server.long_article}?q=oil", f"/article/{server.long_article}", f"/name/{server.reagan}",
            "/names", "/quotes", "/quotes?q=oil", "/archive", "/archive/1987", "/archive/1987/03",
            "/archive/1987/03/02", "/help", "/search?q=nothingmatchesthis", "/no-such-page", "/compare",
            "/compare?q=oil&q=ministers&by=day", "/concordance", "/concordance?q=oil&arrange=right",
            f"/concordance?q=oil&width=120&name={server.reagan}", "/concordance?q=oil+OR+pneumono*"]


# Standalone links (lists, navigation, pagers; not links inside a sentence) a thumb has to hit.
TAP_TARGETS = (".site-nav a, .breadcrumbs a, .sort a, .toggle a, .jump-to-narrow a, .pager a, .facet li a, "
               ".year-list a, .month-list a, .most-named a, .names li a, .related a, .kind-links a, "
               ".names-table a, .result-headline a, .list-headline a, .chip a")


def test_small_screens_never_scroll_sideways_and_links_are_big_enough_to_tap(awkward, browser, artifacts):
    for width, height in [(375, 812), (768, 1024), (640, 450)]:  # 640 x 450: a laptop's 1280 x 900 zoomed to 200%
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        paths = awkward_pages(awkward) if width == 375 else [
            "/search?q=oil", f"/article/{awkward.long_article}?q=oil", f"/name/{awkward.reagan}", "/archive/1987/03"]
        for path in paths:
            page.goto(awkward.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
            if width == 375:
                heights = page.locator(TAP_TARGETS).evaluate_all(
                    "els => els.filter(e => e.getClientRects().length)"
                    ".map(e => [Math.round(e.getBoundingClientRect().height), e.textContent.trim()])")
                small = [(h, text) for h, text in heights if h < 24]
                assert not small, (path, small)
                # What scrolls sideways in its own box (a chart, a table) can be scrolled from the keyboard.
                stuck = page.evaluate("""() => Array.from(document.querySelectorAll('main *')).filter(e =>
                    /auto|scroll/.test(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth
                    && e.tabIndex < 0 && !e.querySelector('a[href], button, input, summary, [tabindex="0"]'))
                    .map(e => e.className)""")
                assert stuck == [], (path, stuck)
        if width == 375:  # a kind or a count in the names table is not broken ("organi" / "sation", "3,33" / "3")
            page.goto(awkward.url + "/names")
            assert page.locator(".names-table td.number, .names-table .kind").evaluate_all(
                "els => els.every(e => { const r = document.createRange(); r.selectNodeContents(e);"
                " return r.getClientRects().length === 1; })")
        if width == 375:
            for path, name in [(f"/article/{awkward.long_article}?q=oil", "awkward-article"),
                               ("/search?q=oil", "awkward-search"), (f"/name/{awkward.reagan}", "awkward-name")]:
                page.goto(awkward.url + path)
                page.screenshot(path=str(artifacts / f"{name}-375.png"), full_page=True)
        context.close()


CONTRAST_FAILURES = """() => {
  const rgb = s => { const m = s.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = el => {  // the colours behind el, blended from the nearest opaque one up
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let out = {r: 255, g: 255, b: 255};
    for (const c of layers.reverse()) out = {r: c.r * c.a + out.r * (1 - c.a), g: c.g * c.a + out.g * (1 - c.a), b: c.b * c.a + out.b * (1 - c.a)};
    return out;
  };
  const failures = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode, el = text.parentElement;
    if (!text.textContent.trim() || !el.getClientRects().length || el.closest('[aria-hidden=true], title')) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const a = lum(rgb(el.closest('svg') ? style.fill : style.color)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) failures.push(`${el.tagName}.${el.className.baseVal ?? el.className} "${text.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


def test_with_larger_text_on_a_phone_no_page_scrolls_sideways(awkward, browser):
    # A phone's text size setting (200% of 375 px; 130% of 320 px): selects, date and search fields, a
    # name's kind and count, a year's months, a table of figures all give way to the screen's width.
    for width, size in [(375, "200%"), (320, "130%")]:
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        for path in awkward_pages(awkward) + ["/compare?q=oil&q=ministers&q=prices", "/names?kind=person"]:
            page.goto(awkward.url + path)
            enlarge_text(page, size)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # the chart's figures
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, size, path)
        context.close()


def test_text_contrast_is_at_least_4_5_to_1_and_marks_are_more_than_a_colour(awkward, page):
    for path in awkward_pages(awkward):
        page.goto(awkward.url + path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")  # the chart tables too
        assert page.evaluate(CONTRAST_FAILURES) == [], path
    page.goto(awkward.url + f"/article/{awkward.long_article}?q=oil")
    mark = page.locator(".story-body mark").first
    # The yellow is barely lighter than the paper: a marked word is underlined as well.
    assert mark.evaluate("m => getComputedStyle(m).boxShadow") != "none"


def test_pages_have_a_language_a_title_one_h1_landmarks_and_named_controls(awkward, page):
    titles = {}
    for path in awkward_pages(awkward):
        page.goto(awkward.url + path)
        facts = page.evaluate("""() => ({
          lang: document.documentElement.lang, title: document.title,
          h1: document.querySelectorAll('h1').length, main: document.querySelectorAll('main').length,
          nav: document.querySelectorAll('nav').length, skip: document.querySelector('.skip-link')?.getAttribute('href'),
          levels: Array.from(document.querySelectorAll('h1, h2, h3, h4')).map(h => +h.tagName[1]),
          unnamed: Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
            .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim())
            .map(c => c.outerHTML),
        })""")
        assert facts["lang"] == "en" and facts["h1"] == 1 and facts["main"] == 1 and facts["nav"] >= 1, path
        assert facts["skip"] == "#main" and page.locator("#main").count() == 1
        assert all(b - a <= 1 for a, b in zip(facts["levels"], facts["levels"][1:])), (path, facts["levels"])
        assert facts["unnamed"] == [], path
        page_of = path.split("?")[0] if path.startswith("/article/") else path  # marked or not, one article
        assert facts["title"].endswith("News archive") and titles.setdefault(facts["title"], page_of) == page_of, path
    # A calendar day is named by what it shows (voice control users say what they see), not by an aria-label.
    page.goto(awkward.url + "/archive/1987/03")
    day = page.get_by_role("link", name="2 March: 2 articles", exact=True)
    assert day.get_attribute("aria-label") is None and " ".join(day.text_content().split()) == "2 March: 2 articles"
    # Not a dead link nor a mystery: an empty day is grey text (contrast above), a missing page is said.
    assert page.locator("table.calendar td.none").first.inner_text() == "26"


def test_charts_give_their_numbers_as_text(awkward, page):
    for path in ["/search?q=oil", "/", f"/name/{awkward.reagan}"]:
        page.goto(awkward.url + path)
        chart = page.locator("svg.timeline")
        assert chart.get_attribute("role") == "group"  # an image would hide its bars from screen readers
        bars = chart.locator("rect.hit").count()
        named = chart.locator("a[aria-label], g[role=img][aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        assert len(named) == bars and all(re.search(r"\d+$|no articles in the archive$", n) for n in named), path
        snapshot = page.locator(".chart").aria_snapshot()
        assert all(n in snapshot for n in named)
        assert "text:" not in snapshot  # the bare axis numbers are not read out
        # And as a table, a row a bar.
        page.get_by_text("Show as a table").click()
        assert page.locator(".chart-table tbody tr").count() == bars
    assert page.get_by_role("link", name=re.compile(r"^Mar 1987: 26$")).count() == 1  # Reagan's bar for March 1987


def test_the_keyboard_alone_reaches_the_first_result_from_the_search_box_always_seeing_where_it_is(awkward, page):
    page.goto(awkward.url + "/search?q=oil")
    page.locator("#q").focus()
    stops = []
    for _ in range(80):
        page.keyboard.press("Tab")
        stop = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
          return {text: (e.getAttribute("aria-label") || e.textContent || e.id).trim(),
                  ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, result: !!e.closest('.results')}; }""")
        stops.append(stop)
        if stop["result"]:
            break
    assert stops[-1]["result"], [s["text"] for s in stops]
    # The date fields (a stop for each part and the calendar button), the button, sort, chart: all show focus.
    assert [s["text"] for s in stops if not s["ring"]] == []
    headline = stops[-1]["text"]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/article/\d+\?q=oil"))
    assert page.locator("h1").inner_text() == headline
    # A table in the text scrolls sideways on a phone: it takes the focus, so arrow keys can scroll it.
    page.goto(awkward.url + f"/article/{awkward.long_article}")
    assert page.locator("pre.table-text").get_attribute("tabindex") == "0"
    assert page.get_by_role("region", name="Table from the article").count() == 1  # said what it is


def test_on_a_wide_screen_the_keyboard_reaches_the_filters_before_the_results(awkward, page):
    # The year, month and name filters sit beside the results but come after all of them in the Tab
    # order: a link to them is the first stop after the sort, shown while it has the focus.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(awkward.url + "/search?q=oil")
    jump = page.locator(".jump-to-narrow")
    assert jump.bounding_box()["width"] <= 1  # out of sight until focused
    page.locator("#q").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.jump-to-narrow') !== null"):
            break
        assert not page.evaluate("document.activeElement.closest('.results') !== null"), "a result came first"
    assert jump.bounding_box()["width"] > 100
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#narrow$"))


def test_in_forced_colours_the_chosen_sort_is_more_than_a_background(awkward, page):
    page.emulate_media(forced_colors="active", color_scheme="dark")
    page.goto(awkward.url + "/search?q=oil")
    chosen = page.locator(".sort a.current").evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.textDecorationLine]; }")
    assert chosen == ["solid", "underline"]
    assert page.locator(".search-form button").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    chart = page.locator(".chart svg.timeline").first.evaluate("e => getComputedStyle(e).forcedColorAdjust")
    assert chart == "none"
