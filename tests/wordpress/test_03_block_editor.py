"""Test 2: the block editor, in headless Debian chromium driven by Playwright.

An editor whose language is French opens a draft holding seed 004 (scored in the background when
it was created): the plugin's sidebar shows the score, label, confidence, reasons and flags, in
French (the script translations load); a click on the `misspelled_name` flag selects
"Jim Jung Un" in the content (block-editor selection and the browser's). A save of an edited
draft shows the pending state, then the new result, without reloading. The pre-publish panel
warns that the score is under the threshold, and publishing stays possible. Screenshots go to
test-artifacts/wordpress/. Every request not to 127.0.0.1 is aborted and fails the test.
"""

from __future__ import annotations

import time
from typing import Any

from tests.wordpress.conftest import Browser, WordPressEnv, artifacts_dir
from tests.wordpress.site import WordPressSite
from tests.wordpress.test_02_scoring import seed_004, wait_scored

SIDEBAR_TITLE_FR = "Fiabilité des sources"

SELECTION = """() => {
    const be = wp.data.select('core/block-editor');
    const start = be.getSelectionStart(), end = be.getSelectionEnd();
    if (!start || !start.clientId || start.clientId !== end.clientId) return null;
    const block = be.getBlock(start.clientId);
    const html = String(block.attributes[start.attributeKey]);
    const text = wp.richText.create({ html }).text;
    const iframe = document.querySelector('iframe[name="editor-canvas"]');
    const doc = iframe ? iframe.contentDocument : document;
    return { store: text.slice(start.offset, end.offset), dom: doc.getSelection().toString() };
}"""


def open_block_editor(page: Any, post_id: int) -> None:
    page.goto(f"/wp-admin/post.php?post={post_id}&action=edit")
    page.wait_for_function("() => window.wp && wp.data && wp.data.select('core/editor').getCurrentPostId()")
    page.wait_for_selector(".block-editor-block-list__layout")
    if page.locator(".edit-post-welcome-guide").count():
        page.keyboard.press("Escape")


def open_sidebar(page: Any) -> Any:
    toggle = page.locator(f'.interface-pinned-items button[aria-label="{SIDEBAR_TITLE_FR}"]')
    toggle.click()
    sidebar = page.locator(".source-reliability-sidebar")
    sidebar.wait_for()
    return sidebar


def test_block_editor_sidebar_flags_select_text_and_prepublish_warns(
    wordpress: WordPressEnv, corpus: dict[str, str], browser: Browser
) -> None:
    env = wordpress
    site: WordPressSite = env.site
    title, content = seed_004()
    created = site.rest().post(
        site.base + "/wp-json/wp/v2/posts",
        json={"title": title, "content": content, "status": "draft", "author": site.users[site.EDITOR]},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    first = wait_scored(env, post_id)["result"]

    started = time.monotonic()
    context = browser.context(site, site.EDITOR, locale="fr-FR")
    try:
        page = context.pages[0]
        open_block_editor(page, post_id)
        sidebar = open_sidebar(page)
        sidebar.locator(".source-reliability-score").wait_for()

        # The panel: score, label, confidence, reasons, flags, in French.
        score_text = sidebar.locator(".source-reliability-score").inner_text()
        assert score_text.replace("\u202f", " ").endswith("/ 100"), score_text
        assert sidebar.locator(".source-reliability-label").inner_text() == "peu fiable"
        assert "Confiance" in sidebar.locator(".source-reliability-confidence").inner_text()
        assert sidebar.locator(".source-reliability-reasons li").count() == len(first["reasons"])
        flags = sidebar.locator(".source-reliability-flag")
        assert flags.count() == len(first["flags"])
        misspelled = sidebar.locator('.source-reliability-flag[data-flag-type="misspelled_name"]')
        assert misspelled.count() >= 1
        assert "Nom mal orthographié" in misspelled.first.inner_text()
        assert "Jim Jung Un" in misspelled.first.inner_text()
        assert sidebar.locator(".source-reliability-warning").count() == 1  # 0.x < threshold 50

        # A click on the flag selects its text in the content.
        misspelled.first.locator(".source-reliability-flag-text").click()
        selection = page.wait_for_function(
            f"() => {{ const s = ({SELECTION})();"
            " return s && s.store === 'Jim Jung Un' && s.dom === 'Jim Jung Un' && s; }",
            timeout=10_000,
        ).json_value()
        assert selection == {"store": "Jim Jung Un", "dom": "Jim Jung Un"}, selection
        # Another flag further down (a sentence with typographic apostrophes folded by the service).
        unsupported = sidebar.locator('.source-reliability-flag[data-flag-type="unsupported_claim"]')
        if unsupported.count():
            wanted = next(f["text"] for f in first["flags"] if f["type"] == "unsupported_claim")
            unsupported.first.locator(".source-reliability-flag-text").click()
            page.wait_for_function(
                f"(wanted) => {{ const s = ({SELECTION})();"
                ' return s && s.store.replace(/\u2019/g, "\'") === wanted; }',
                arg=wanted,
                timeout=10_000,
            )
            misspelled.first.locator(".source-reliability-flag-text").click()
            page.wait_for_function(f"() => {{ const s = ({SELECTION})(); return s && s.dom === 'Jim Jung Un'; }}")
        page.screenshot(path=str(artifacts_dir() / "block-editor-sidebar.png"))

        # Saving an edited draft: the panel shows the pending state, then the new result.
        page.evaluate(
            """() => {
                window.__srStates = [];
                const panel = () => document.querySelector('.source-reliability-sidebar .source-reliability-panel');
                new MutationObserver(() => { const p = panel(); if (p) window.__srStates.push(p.dataset.state); })
                    .observe(document.body, { subtree: true, childList: true, attributes: true });
            }"""
        )
        saves: list[str] = []
        page.on("request", lambda r: saves.append(r.url) if r.method in ("POST", "PUT") else None)
        calls = env.service_metrics()[0]
        page.evaluate("(title) => wp.data.dispatch('core/editor').editPost({ title })", title + " (mise à jour)")
        page.locator(".editor-post-save-draft").click()
        page.wait_for_function(
            "(before) => { const r = document.querySelector('.source-reliability-sidebar .source-reliability-panel');"
            " return r && r.dataset.state === 'done' && window.__srStates.includes('pending')"
            " && !document.querySelector('.source-reliability-sidebar .source-reliability-pending'); }",
            arg=first["scored_at"],
            timeout=60_000,
        )
        second = wait_scored(env, post_id, after=first["scored_at"])["result"]
        assert second["scored_at"] != first["scored_at"] and second["store"] is False
        # The block editor saved twice (REST, then the legacy meta boxes through post.php): one call.
        assert any(f"/wp/v2/posts/{post_id}" in url for url in saves), saves
        assert any("meta-box-loader=1" in url for url in saves), saves
        time.sleep(1.5)
        assert env.service_metrics()[0] == calls + 1, "the REST save and the meta-box save must call the service once"

        # The pre-publish panel warns (and does not block publishing).
        page.locator(".editor-post-publish-panel__toggle").click()
        prepublish = page.locator(".source-reliability-prepublish")
        prepublish.wait_for()
        warning = prepublish.locator(".source-reliability-warning")
        warning.wait_for()
        assert "seuil de 50" in warning.inner_text(), warning.inner_text()
        assert page.locator(".editor-post-publish-button").is_enabled()
        page.screenshot(path=str(artifacts_dir() / "block-editor-prepublish.png"))
        page.locator(".editor-post-publish-panel__header-cancel-button button").click()
        browser.check()
    finally:
        context.close()
    status = site.rest().get(site.base + f"/wp-json/wp/v2/posts/{post_id}?context=edit", timeout=30).json()["status"]
    assert status == "draft"
    # The PHP side speaks French to her too (languages/source-reliability-fr_FR.mo).
    listing = site.session(site.EDITOR).get(site.base + "/wp-admin/edit.php", timeout=30).text
    assert ">Fiabilité<" in listing and "peu fiable" in listing
    print(f"\n[block editor] browser part {time.monotonic() - started:.1f} s")
