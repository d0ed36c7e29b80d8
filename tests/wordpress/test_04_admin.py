"""Test 3: the admin side. The settings page (the API key never reaches the browser; replace,
keep and clear it; Test connection works and needs a nonce; a subscriber cannot configure),
the classic editor's meta box (one service call per save, refresh while pending, a flag selects
its text), the posts list's sortable Reliability column (per-post capability), and uninstall
(options, post meta and scheduled jobs removed). Runs last: uninstall ends the session's use
of the plugin.
"""

from __future__ import annotations

import html
import json
import re
import time
from typing import Any
from urllib.parse import urljoin

import requests

from tests.wordpress.conftest import SEEDS, Browser, WordPressEnv, artifacts_dir
from tests.wordpress.site import WordPressSite, wait_for
from tests.wordpress.test_02_scoring import SCORE_ROUTE, post_meta, wait_scored

SETTINGS_PAGE = "/wp-admin/options-general.php?page=source-reliability"
AJAX = "/wp-admin/admin-ajax.php"
ACTION = "source_reliability_test_connection"


def settings_page(session: requests.Session, site: WordPressSite) -> str:
    response = session.get(site.base + SETTINGS_PAGE, timeout=30)
    assert response.status_code == 200, response.status_code
    return response.text


def ajax_nonce(page: str) -> str:
    match = re.search(r"window\.sourceReliabilitySettings = (\{.*?\});", page)
    assert match, "the settings page does not give the Test connection script its configuration"
    config = json.loads(match.group(1))
    assert set(config) == {"ajaxUrl", "action", "nonce"}, config
    return str(config["nonce"])


def run_test_connection(session: requests.Session, site: WordPressSite, nonce: str | None) -> requests.Response:
    data = {"action": ACTION}
    if nonce is not None:
        data["nonce"] = nonce
    return session.post(site.base + AJAX, data=data, timeout=30)


def save_settings(session: requests.Session, site: WordPressSite, page: str, **fields: Any) -> requests.Response:
    """Submits the settings form as the browser would (its nonce and referer fields included)."""
    form = page[page.index('action="' + site.base + '/wp-admin/options.php"') :]
    data: list[tuple[str, str]] = []
    for tag in re.findall(r"<input[^>]*type=[\"']hidden[\"'][^>]*>", form[: form.index("</form>")]):
        name = re.search(r"name=[\"']([^\"']*)[\"']", tag)
        value = re.search(r"value=[\"']([^\"']*)[\"']", tag)
        if name and value and name.group(1) in ("option_page", "action", "_wpnonce", "_wp_http_referer"):
            data.append((name.group(1), html.unescape(value.group(1))))
    assert {k for k, _ in data} == {"option_page", "action", "_wpnonce", "_wp_http_referer"}, data
    data += [
        ("source_reliability_settings[service_url]", fields.get("service_url", "")),
        ("source_reliability_settings[threshold]", "50"),
        ("source_reliability_settings[timeout]", "60"),
        ("source_reliability_settings[post_types][]", "post"),
        ("source_reliability_api_key[new]", fields.get("key", "")),
    ]
    if fields.get("clear"):
        data.append(("source_reliability_api_key[clear]", "1"))
    if fields.get("no_nonce"):
        data = [(k, v) for k, v in data if k != "_wpnonce"]
    return session.post(site.base + "/wp-admin/options.php", data=data, timeout=30, allow_redirects=False)


def stored_options(site: WordPressSite) -> dict[str, Any]:
    options: dict[str, Any] = site.php(
        "echo wp_json_encode( array( 'settings' => get_option( 'source_reliability_settings' ),"
        " 'key' => get_option( 'source_reliability_api_key' ) ) );"
    )
    return options


def test_settings_page_keeps_the_key_server_side_and_checks_nonces_and_capabilities(
    wordpress: WordPressEnv, browser: Browser
) -> None:
    env = wordpress
    site = env.site
    key = env.api_key
    admin = site.session(site.ADMIN)

    page = settings_page(admin, site)
    assert "An API key is set." in page
    assert key not in page and key[4:16] not in page, "the API key (or part of it) is in the page"
    assert env.service.base in page  # the URL is shown, the key is not
    nonce = ajax_nonce(page)

    # Test connection: server side, with the saved URL and key.
    answer = run_test_connection(admin, site, nonce)
    assert answer.status_code == 200 and answer.json() == {
        "success": True,
        "data": {"message": "Connected: the service is ready and accepts the API key."},
    }, answer.text
    # Without a nonce, or with a forged one: refused before anything runs.
    for forged in (None, "0123456789", nonce[::-1]):
        refused = run_test_connection(admin, site, forged)
        assert (refused.status_code, refused.text) == (403, "-1"), (forged, refused.status_code, refused.text)

    # A subscriber: no page, no AJAX (the admin's nonce is bound to the admin), no options.php.
    subscriber = site.session(site.SUBSCRIBER)
    assert subscriber.get(site.base + SETTINGS_PAGE, timeout=30).status_code == 403
    assert run_test_connection(subscriber, site, nonce).status_code == 403
    before = stored_options(site)
    forged_save = save_settings(subscriber, site, page, service_url="http://127.0.0.1:9/", key="rel_attacker")
    assert forged_save.status_code == 403, forged_save.status_code
    assert stored_options(site) == before
    # The capability check itself, behind a valid nonce of the user (made in the same PHP process).
    for user, allowed in ((site.SUBSCRIBER, False), (site.EDITOR, False), (site.ADMIN, True)):
        out = site.php(
            """
wp_set_current_user( (int) $data['user'] );
$_REQUEST['nonce'] = wp_create_nonce( 'source_reliability_test_connection' );
add_filter( 'wp_doing_ajax', '__return_true' );
add_filter( 'wp_die_ajax_handler', function () {
	return function () { throw new RuntimeException( 'die' ); };
} );
ob_start();
try {
	do_action( 'wp_ajax_source_reliability_test_connection' );
} catch ( RuntimeException $e ) {
}
echo wp_json_encode( json_decode( ob_get_clean(), true ) );
""",
            {"user": site.users[user]},
        )
        assert out["success"] is allowed, (user, out)

    # The form: a new key replaces the stored one, an empty field keeps it, "clear" removes it.
    assert save_settings(admin, site, page, service_url=env.service.base, no_nonce=True).status_code == 403
    assert stored_options(site) == before
    saved = save_settings(admin, site, page, service_url=env.service.base, key="rel_not-a-valid-key")
    assert saved.status_code == 302 and "settings-updated=true" in saved.headers["Location"], saved.text[:300]
    page = settings_page(admin, site)
    assert "An API key is set." in page and "rel_not-a-valid-key" not in page
    assert run_test_connection(admin, site, ajax_nonce(page)).json()["data"]["message"] == (
        "The service is ready but refuses the API key."
    )
    save_settings(admin, site, page, service_url=env.service.base, clear=True)
    page = settings_page(admin, site)
    assert "No API key is set." in page and stored_options(site)["key"] == ""
    assert run_test_connection(admin, site, ajax_nonce(page)).json()["data"]["message"] == (
        "The service is ready but needs an API key."
    )
    save_settings(admin, site, page, service_url=env.service.base, key=key)
    page = settings_page(admin, site)
    save_settings(admin, site, page, service_url=env.service.base)  # empty key field: kept
    assert stored_options(site)["key"] == key
    refused_url = save_settings(admin, site, settings_page(admin, site), service_url="javascript:alert(1)")
    page = admin.get(urljoin(site.base, refused_url.headers["Location"]), timeout=30).text  # shown after the redirect
    assert page.count("The service URL must be an http or https address.") == 1
    assert stored_options(site)["settings"]["service_url"] == env.service.base
    assert stored_options(site) == before

    # In the browser: the button runs the check and shows its message; the key is nowhere.
    context = browser.context(site, site.ADMIN)
    try:
        browser_page = context.pages[0]
        browser_page.goto(SETTINGS_PAGE)
        assert key not in browser_page.content()
        assert browser_page.locator("#source-reliability-key").input_value() == ""
        browser_page.click("#source-reliability-test")
        result = browser_page.locator("#source-reliability-test-result.source-reliability-ok")
        result.wait_for()
        assert result.inner_text() == "Connected: the service is ready and accepts the API key."
        browser_page.screenshot(path=str(artifacts_dir() / "settings-page.png"), full_page=True)
        browser.check()
    finally:
        context.close()


def classic_post(
    site: WordPressSite, seed: str, *, classic: bool, author: int | None = None, status: str = "draft"
) -> int:
    """A post holding a seed (classic HTML paragraphs), created with wp_insert_post()."""
    (path,) = sorted(SEEDS.glob(f"{seed}_*.txt"))
    lines = path.read_text(encoding="utf-8").split("\n")
    content = "\n\n".join(line.strip() for line in lines[1:] if line.strip())
    post_id: int = site.php(
        """
$meta = $data['classic'] ? array( '_test_classic_editor' => 1 ) : array();
$id = wp_insert_post( array( 'post_title' => $data['title'], 'post_content' => $data['content'],
	'post_status' => $data['status'], 'post_author' => $data['author'], 'meta_input' => $meta ), true );
echo is_wp_error( $id ) ? 'null' : (int) $id;
""",
        {
            "title": lines[0].strip(),
            "content": content,
            "classic": classic,
            "author": author or site.users[site.ADMIN],
            "status": status,
        },
    )
    assert post_id, "wp_insert_post failed"
    return post_id


def test_classic_editor_meta_box_one_call_per_save_refreshes_and_selects(
    wordpress: WordPressEnv, corpus: dict[str, str], browser: Browser
) -> None:
    env = wordpress
    site = env.site
    post_id = classic_post(site, "004", classic=True)
    first = wait_scored(env, post_id)["result"]  # scored from the wp_insert_post() save, in the background

    context = browser.context(site, site.ADMIN)
    try:
        page = context.pages[0]
        page.goto(f"/wp-admin/post.php?post={post_id}&action=edit")
        box = page.locator("#source-reliability-box")
        box.wait_for()
        assert page.locator("#post-body").count() == 1, "not the classic editor"
        assert box.get_attribute("data-state") == "done"
        assert box.locator(".source-reliability-score").inner_text() == f"{first['score']:g} / 100"
        assert box.locator(".source-reliability-label").inner_text() == "unreliable"
        assert box.locator(".source-reliability-flag").count() == len(first["flags"])
        assert box.locator('.source-reliability-flag[data-flag-type="misspelled_name"]').count() >= 1

        # Save Draft with an edited title: one call to the service, and the box refreshes by itself.
        calls = env.service_metrics()[0]
        page.fill("#title", page.input_value("#title") + " (classique)")
        page.click("#save-post")
        page.wait_for_url(re.compile(r"post\.php\?post=\d+&action=edit"))
        box = page.locator("#source-reliability-box")
        box.wait_for()
        page.wait_for_function(
            "() => document.getElementById('source-reliability-box').dataset.state === 'done'", timeout=60_000
        )
        second = wait_scored(env, post_id)["result"]
        assert second["scored_at"] != first["scored_at"]
        time.sleep(1.5)
        assert env.service_metrics()[0] == calls + 1, "a classic save must call the service once"
        box.locator(
            '.source-reliability-flag[data-flag-type="misspelled_name"] .source-reliability-flag-text'
        ).first.click()
        selected = page.wait_for_function(
            "() => { const ed = window.tinymce && tinymce.get('content');"
            " const t = ed && ed.selection.getContent({ format: 'text' }); return t === 'Jim Jung Un' && t; }",
            timeout=10_000,
        ).json_value()
        assert selected == "Jim Jung Un"
        page.screenshot(path=str(artifacts_dir() / "classic-editor.png"))
        browser.check()
    finally:
        context.close()


def list_rows(session: requests.Session, site: WordPressSite, query: str) -> list[tuple[int, str]]:
    """(post id, text of its Reliability cell) for each row of the posts list."""
    response = session.get(site.base + "/wp-admin/edit.php" + query, timeout=30)
    assert response.status_code == 200
    rows = []
    for post_id, row in re.findall(r'<tr id="post-(\d+)"(.*?)</tr>', response.text, re.S):
        cell = re.search(r"<td class=[\"']source_reliability column-source_reliability[\"'][^>]*>(.*?)</td>", row, re.S)
        assert cell, f"row {post_id} has no Reliability cell"
        rows.append((int(post_id), re.sub(r"<[^>]+>", " ", cell.group(1)).split()))
    return [(post_id, " ".join(words)) for post_id, words in rows]


def test_posts_list_reliability_column_sorts_by_score(wordpress: WordPressEnv, corpus: dict[str, str]) -> None:
    env = wordpress
    site = env.site
    # More scored posts (seed 002 published, 003 a draft of the author's), and one without a score
    # (besides WordPress's "Hello world!", created before the plugin was active).
    other = classic_post(site, "002", classic=False, status="publish")
    own = classic_post(site, "003", classic=False, author=site.users[site.AUTHOR])
    for post_id in (other, own):
        wait_scored(env, post_id)
    unscored = classic_post(site, "001", classic=False)
    wait_scored(env, unscored)
    site.php(
        "foreach ( Source_Reliability_Jobs::META_KEYS as $k ) { delete_post_meta( (int) $data['id'], $k ); }",
        {"id": unscored},
    )

    admin = site.session(site.ADMIN)
    header = admin.get(site.base + "/wp-admin/edit.php", timeout=30).text
    assert re.search(r"<th[^>]*id=[\"']source_reliability[\"'][^>]*class=[\"'][^\"']*sortable", header), "not sortable"
    assert "orderby=source_reliability" in header

    def scores(rows: list[tuple[int, str]]) -> list[float]:
        return [float(text.split()[0]) for _, text in rows if text and text[0].isdigit()]

    ascending = list_rows(admin, site, "?orderby=source_reliability&order=asc")
    descending = list_rows(admin, site, "?orderby=source_reliability&order=desc")
    assert len(ascending) == len(descending) >= 5
    assert scores(ascending) == sorted(scores(ascending)) and len(scores(ascending)) >= 3
    assert scores(descending) == sorted(scores(ascending), reverse=True)
    for rows in (ascending, descending):  # the unscored posts come last, in either order
        tail = [post_id for post_id, text in rows if not text[:1].isdigit()]
        assert unscored in tail and [p for p, _ in rows[-len(tail) :]] == tail, rows
        assert all("—" in text for _, text in rows[-len(tail) :]), rows
    labels = {text.split()[1] for _, text in ascending if text[:1].isdigit()}
    assert labels <= {"reliable", "mixed", "unreliable"}, ascending

    # An author sees the scores of the posts they may edit only (per-post edit_post), and may
    # not read another's through the REST route either.
    author = site.session(site.AUTHOR)
    author_rows = dict(list_rows(author, site, "?orderby=source_reliability&order=asc&post_status=all"))
    assert author_rows.get(own, "")[:1].isdigit(), author_rows
    nonce = author.get(site.base + "/wp-admin/admin-ajax.php?action=rest-nonce", timeout=30).text
    headers = {"X-WP-Nonce": nonce}
    mine = author.get(site.base + SCORE_ROUTE.format(own), headers=headers, timeout=30)
    theirs = author.get(site.base + SCORE_ROUTE.format(other), headers=headers, timeout=30)
    assert (mine.status_code, theirs.status_code) == (200, 403)
    assert author_rows.get(other) == "", f"the author sees another's score: {author_rows.get(other)!r}"

    # The service's store: a post stored by the site leaves it with the post; a text the service
    # already held (`created` false: another outlet's identical copy) is not the site's to remove.
    owned = site.php(
        """
$owned = array();
foreach ( array( true, false ) as $created ) {
	$id     = $created ? 'aaaaaaaaaaaaaaaa' : 'bbbbbbbbbbbbbbbb';
	$result = array( 'stored' => true, 'created' => $created, 'article_id' => $id );
	update_post_meta( (int) $data['id'], '_source_reliability_result', wp_slash( wp_json_encode( $result ) ) );
	Source_Reliability_Jobs::forget_stored( (int) $data['id'] );
	$owned[] = (bool) wp_next_scheduled( 'source_reliability_forget_article', array( $result['article_id'], 1 ) );
}
wp_unschedule_hook( 'source_reliability_forget_article' );
echo wp_json_encode( $owned );
""",
        {"id": unscored},
    )
    assert owned == [True, False], owned


def test_uninstall_removes_options_meta_and_jobs(wordpress: WordPressEnv) -> None:
    site = wordpress.site
    db = site.db

    def counts() -> tuple[int, int, int]:
        meta = int(
            db.sql(f"SELECT COUNT(*) FROM `{db.name}`.wp_postmeta WHERE meta_key LIKE '\\_source\\_reliability\\_%'")
        )
        options = int(
            db.sql(f"SELECT COUNT(*) FROM `{db.name}`.wp_options WHERE option_name LIKE 'source\\_reliability%'")
        )
        cron = db.sql(f"SELECT option_value FROM `{db.name}`.wp_options WHERE option_name = 'cron'")
        return meta, options, cron.count("source_reliability_score_post")

    meta, options, _ = counts()
    assert meta > 0 and options == 2, (meta, options)
    # A pending job, to see that uninstall unschedules it.
    site.php("wp_schedule_single_event( time() + 3600, 'source_reliability_score_post', array( 1 ) );")
    assert counts()[2] == 1
    any_post = int(
        db.sql(f"SELECT post_id FROM `{db.name}`.wp_postmeta WHERE meta_key = '_source_reliability_result' LIMIT 1")
    )
    assert post_meta(wordpress, any_post)["_source_reliability_result"]

    site.php(
        """
require_once ABSPATH . 'wp-admin/includes/plugin.php';
deactivate_plugins( 'source-reliability/source-reliability.php' );
uninstall_plugin( 'source-reliability/source-reliability.php' );
"""
    )
    assert counts() == (0, 0, 0)
    active = site.php("echo wp_json_encode( get_option( 'active_plugins' ) );")
    assert "source-reliability/source-reliability.php" not in active
    # The site still works without the plugin.
    wait_for(lambda: requests.get(site.base + "/wp-login.php", timeout=10).status_code == 200, 10, "the site")
