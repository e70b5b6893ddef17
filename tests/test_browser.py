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
    assert first.locator("td").first.inner_text() == "United States"  # "U.S.", "US" and "USA" are one name
    page.get_by_role("link", name="People", exact=True).click()
    page.wait_for_url(re.compile(r"kind=person"))
    assert set(page.locator(".names-table tbody td:nth-child(2)").all_inner_texts()) == {"person"}
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
    assert not wide.locator(".jump-to-narrow a").is_visible()  # the filters are beside the results
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
