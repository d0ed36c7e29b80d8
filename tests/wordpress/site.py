"""A real WordPress for the plugin tests, offline: Debian's `wordpress` package copied into a
temporary folder, a fresh database on MariaDB, `php -S` with a router, the plugin activated.

The recipe is the one of ../shared/notes/wordpress-testing.md: no wp-cli (a PHP script calls
wp_install()), WP_HTTP_BLOCK_EXTERNAL with 127.0.0.1 allowed, a must-use plugin that removes
update checks, show_avatars off, application passwords over http (WP_ENVIRONMENT_TYPE local).
Every process started here leads its own process group, killed as a group at the end.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import requests

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "integrations" / "wordpress" / "source-reliability"
PLUGIN_FILE = "source-reliability/source-reliability.php"
WP_CORE = Path("/usr/share/wordpress")
THEME = WP_CORE / "wp-content" / "themes" / "twentytwentythree"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("WORDPRESS_TEST_ARTIFACTS", ROOT / "test-artifacts" / "wordpress"))
# The Debian packages tests/system-deps.sh installs (`make test` runs it first).
APT_PACKAGES = " ".join(
    line.split("#")[0].strip()
    for line in (ROOT / "tests" / "debian-packages.txt").read_text(encoding="utf-8").splitlines()
    if line.split("#")[0].strip()
)

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], T | None], timeout: float, what: str, interval: float = 0.25) -> T:
    """Calls `check` until it returns something truthy; fails with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def missing_requirements() -> list[str]:
    """What the WordPress tests need and this machine lacks (empty when all is there)."""
    missing = []
    php = shutil.which("php")
    if not php:
        missing.append("php (php-cli)")
    else:
        modules = subprocess.run([php, "-m"], capture_output=True, text=True, timeout=30).stdout.lower().split()
        missing += [f"the PHP extension {m} (php-mysql)" for m in ("mysqli",) if m not in modules]
    if not (WP_CORE / "wp-settings.php").is_file():
        missing.append(f"WordPress in {WP_CORE} (wordpress)")
    if not (THEME / "style.css").is_file():
        missing.append("the twentytwentythree theme (wordpress-theme-twentytwentythree)")
    if not shutil.which("mariadb") or not (shutil.which("mariadbd") or Path("/usr/sbin/mariadbd").exists()):
        missing.append("MariaDB (mariadb-server)")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[dev]')")
    return missing


def kill_group(proc: subprocess.Popen[bytes] | None, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL, to the process group `proc` leads (started with start_new_session):
    php -S workers and mariadbd go with their parent."""
    if proc is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            continue
    proc.wait(timeout=timeout)


# -- the database ------------------------------------------------------------------------------


class Database:
    """A fresh database `wp_test_<random>`: on the machine's MariaDB (127.0.0.1:3306, root, no
    password) when it answers, else on a private mariadbd started here (socket only)."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.name = "wp_test_" + secrets.token_hex(6)
        self.client_args: list[str] = []
        self.wp_host = ""
        self.private: subprocess.Popen[bytes] | None = None

    def start(self) -> Database:
        machine = ["--host=127.0.0.1", "--port=3306", "--user=root", "--password="]
        if self._answers(machine):
            self.client_args, self.wp_host = machine, "127.0.0.1:3306"
        else:
            self._start_private()
        self.sql(f"CREATE DATABASE `{self.name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        return self

    def _answers(self, args: list[str]) -> bool:
        try:
            run = subprocess.run(
                ["mariadb", "--no-defaults", *args, "-e", "SELECT 1"], capture_output=True, timeout=15, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        return run.returncode == 0

    def _start_private(self) -> None:
        datadir = self.workdir / "mariadb"
        sock = self.workdir / "mariadb.sock"
        install_db = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
        subprocess.run(
            [
                install_db,
                "--no-defaults",
                "--auth-root-authentication-method=normal",
                f"--datadir={datadir}",
                "--user=root",
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        log = (self.workdir / "mariadb.log").open("wb")
        mariadbd = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
        self.private = subprocess.Popen(
            [
                mariadbd,
                "--no-defaults",
                "--user=root",
                f"--datadir={datadir}",
                f"--socket={sock}",
                f"--pid-file={self.workdir / 'mariadb.pid'}",
                "--skip-networking",
                "--innodb-buffer-pool-size=64M",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.client_args = [f"--socket={sock}", "--user=root", "--password="]
        self.wp_host = f"localhost:{sock}"
        wait_for(lambda: self._answers(self.client_args), 60, "the private mariadbd")

    def sql(self, query: str) -> str:
        run = subprocess.run(
            ["mariadb", "--no-defaults", *self.client_args, "--batch", "--skip-column-names", "-e", query],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if run.returncode != 0:
            raise AssertionError(f"SQL failed: {query}\n{run.stderr}")
        return run.stdout

    def stop(self) -> None:
        try:
            if self.client_args:
                self.sql(f"DROP DATABASE IF EXISTS `{self.name}`")
        finally:
            kill_group(self.private)


# -- the site ----------------------------------------------------------------------------------

WP_CONFIG = """<?php
// Written by tests/wordpress/site.py for one test session.
define( 'DB_NAME', {db_name} );
define( 'DB_USER', 'root' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', {db_host} );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{salts}
$table_prefix = 'wp_';
define( 'WP_HOME', {base} );
define( 'WP_SITEURL', {base} );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', {debug_log} );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_ENVIRONMENT_TYPE', 'local' );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'WP_ACCESSIBLE_HOSTS', 'localhost,127.0.0.1' );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'DISALLOW_FILE_MODS', true );
define( 'FS_METHOD', 'direct' );
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""

MU_PLUGIN = """<?php
/**
 * Test site only: no update checks, no remote calls; a legacy meta box; the classic editor for
 * posts the tests mark.
 */
remove_action( 'admin_init', '_maybe_update_core' );
remove_action( 'admin_init', '_maybe_update_plugins' );
remove_action( 'admin_init', '_maybe_update_themes' );
remove_action( 'init', 'wp_schedule_update_checks' );
remove_action( 'wp_version_check', 'wp_version_check' );
remove_action( 'wp_update_plugins', 'wp_update_plugins' );
remove_action( 'wp_update_themes', 'wp_update_themes' );
remove_action( 'wp_maybe_auto_update', 'wp_maybe_auto_update' );
remove_action( 'load-plugins.php', 'wp_update_plugins' );
remove_action( 'load-themes.php', 'wp_update_themes' );
remove_action( 'load-update-core.php', 'wp_update_plugins' );
remove_action( 'init', 'wp_schedule_https_detection' );
add_filter( 'pre_wp_update_https_detection_errors', function () {
	return new WP_Error();
} );
foreach ( array( 'update_core', 'update_plugins', 'update_themes' ) as $transient ) {
	add_filter( 'pre_site_transient_' . $transient, function () {
		return (object) array(
			'last_checked'    => time(),
			'updates'         => array(),
			'response'        => array(),
			'translations'    => array(),
			'version_checked' => get_bloginfo( 'version' ),
		);
	} );
}
// A legacy meta box, as many plugins add: the block editor then saves twice (REST, then post.php).
add_action( 'add_meta_boxes_post', function () {
	add_meta_box( 'test-legacy-box', 'Legacy box (tests)', function () {
		echo '<p>A legacy meta box.</p>';
	}, 'post', 'normal' );
} );
add_filter( 'use_block_editor_for_post', function ( $use, $post ) {
	return get_post_meta( $post->ID, '_test_classic_editor', true ) ? false : $use;
}, 10, 2 );
"""

ROUTER = """<?php
// php -S router: files that exist are served as they are, everything else goes to WordPress.
$root = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$path = is_string( $path ) ? rawurldecode( $path ) : '/';
if ( '/' !== $path && false === strpos( $path, '..' ) ) {
	$file = $root . $path;
	if ( is_file( $file ) || ( is_dir( $file ) && is_file( rtrim( $file, '/' ) . '/index.php' ) ) ) {
		return false;
	}
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
require $root . '/index.php';
"""

INSTALL = r"""<?php
// Installs WordPress without wp-cli, activates and configures the plugin, creates the users.
$cfg = json_decode( file_get_contents( $argv[1] ), true );
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = $cfg['host'];
$_SERVER['REQUEST_URI'] = '/';
require $cfg['site'] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
$installed = wp_install(
	'Source reliability test', 'admin', 'admin@example.org', false, '', $cfg['admin_password'], 'en_US'
);
update_option( 'show_avatars', 0 );
update_option( 'blog_public', 0 );
update_option( 'timezone_string', 'Europe/Paris' );
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
$wp_rewrite->flush_rules( false );
switch_theme( 'twentytwentythree' );
$users = array( 'admin' => (int) $installed['user_id'] );
foreach ( $cfg['users'] as $login => $user ) {
	$id = wp_insert_user( array(
		'user_login' => $login,
		'user_pass'  => $user['password'],
		'user_email' => $login . '@example.org',
		'role'       => $user['role'],
		'locale'     => $user['locale'],
	) );
	if ( is_wp_error( $id ) ) {
		fwrite( STDERR, $id->get_error_message() );
		exit( 1 );
	}
	$users[ $login ] = $id;
}
foreach ( $users as $id ) {
	$preferences = array( 'core/edit-post' => array( 'welcomeGuide' => false ), '_modified' => gmdate( 'c' ) );
	update_user_meta( $id, 'wp_persisted_preferences', $preferences );
}
$activated = activate_plugin( $cfg['plugin'] );
if ( is_wp_error( $activated ) ) {
	fwrite( STDERR, $activated->get_error_message() );
	exit( 1 );
}
update_option( 'source_reliability_settings', array(
	'service_url' => $cfg['service_url'],
	'threshold'   => 50,
	'post_types'  => array( 'post' ),
	'timeout'     => 60,
) );
update_option( 'source_reliability_api_key', $cfg['api_key'] );
list( $app_password ) = WP_Application_Passwords::create_new_application_password(
	$users['admin'], array( 'name' => 'tests' )
);
echo wp_json_encode( array( 'users' => $users, 'app_password' => $app_password ) );
"""


class WordPressSite:
    """The site: files, database, users, the plugin configured, served by `php -S`."""

    ADMIN = "admin"
    EDITOR = "redactrice"
    SUBSCRIBER = "abonne"
    AUTHOR = "auteur"

    def __init__(self, workdir: Path, db: Database, service_url: str, api_key: str) -> None:
        self.workdir = workdir
        self.db = db
        self.service_url = service_url
        self.api_key = api_key
        self.site = workdir / "site"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.debug_log = workdir / "debug.log"
        self.server_log = workdir / "php-server.log"
        self.passwords = {
            name: secrets.token_urlsafe(12) for name in (self.ADMIN, self.EDITOR, self.SUBSCRIBER, self.AUTHOR)
        }
        self.users: dict[str, int] = {}
        self.app_password = ""
        self.server: subprocess.Popen[bytes] | None = None

    # -- set-up -------------------------------------------------------------------------------

    def install(self) -> WordPressSite:
        # -L: Debian's tree holds relative symlinks that a plain copy would break.
        subprocess.run(["cp", "-rL", str(WP_CORE), str(self.site)], check=True, timeout=120)
        (self.site / "wp-config.php").unlink()
        (self.site / ".htaccess").unlink(missing_ok=True)
        shutil.copytree(PLUGIN_DIR, self.site / "wp-content" / "plugins" / "source-reliability")
        (self.site / "wp-content" / "mu-plugins").mkdir()
        (self.site / "wp-content" / "mu-plugins" / "test-offline.php").write_text(MU_PLUGIN)
        salts = "\n".join(
            f"define( '{name}', {php_string(secrets.token_hex(32))} );"
            for name in (
                "AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT"
            ).split()
        )
        (self.site / "wp-config.php").write_text(
            WP_CONFIG.format(
                db_name=php_string(self.db.name),
                db_host=php_string(self.db.wp_host),
                salts=salts,
                base=php_string(self.base),
                debug_log=php_string(str(self.debug_log)),
            )
        )
        (self.workdir / "router.php").write_text(ROUTER)
        config = {
            "site": str(self.site),
            "host": f"127.0.0.1:{self.port}",
            "admin_password": self.passwords[self.ADMIN],
            "users": {
                self.EDITOR: {"password": self.passwords[self.EDITOR], "role": "editor", "locale": "fr_FR"},
                self.SUBSCRIBER: {"password": self.passwords[self.SUBSCRIBER], "role": "subscriber", "locale": ""},
                self.AUTHOR: {"password": self.passwords[self.AUTHOR], "role": "author", "locale": ""},
            },
            "plugin": PLUGIN_FILE,
            "service_url": self.service_url,
            "api_key": self.api_key,
        }
        out = self.php_file(INSTALL, json.dumps(config))
        answer = json.loads(out)
        self.users = {k: int(v) for k, v in answer["users"].items()}
        self.app_password = answer["app_password"]
        return self

    def start(self) -> WordPressSite:
        env = dict(os.environ, PHP_CLI_SERVER_WORKERS="4")
        with self.server_log.open("wb") as log:
            self.server = subprocess.Popen(
                [
                    "php",
                    "-d",
                    "memory_limit=256M",
                    "-d",
                    "max_execution_time=120",
                    "-S",
                    f"127.0.0.1:{self.port}",
                    "-t",
                    str(self.site),
                    str(self.workdir / "router.php"),
                ],
                cwd=self.site,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def up() -> bool:
            assert self.server is not None
            if self.server.poll() is not None:
                raise AssertionError(f"php -S exited with {self.server.returncode}:\n{self.server_log.read_text()}")
            try:
                return requests.get(self.base + "/wp-login.php", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, 60, "php -S to serve WordPress")
        return self

    def stop(self) -> None:
        kill_group(self.server)

    # -- helpers ------------------------------------------------------------------------------

    def php_file(self, code: str, *args: str, timeout: float = 120) -> str:
        """Runs a PHP script (given as text) with php-cli; returns its stdout, fails on an error."""
        script = self.workdir / f"script-{secrets.token_hex(4)}.php"
        script.write_text(code)
        arg_files = []
        for n, arg in enumerate(args):
            path = self.workdir / f"{script.stem}-arg{n}.json"
            path.write_text(arg)
            arg_files.append(str(path))
        run = subprocess.run(
            ["php", "-d", "display_errors=stderr", str(script), *arg_files],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if run.returncode != 0:
            raise AssertionError(f"PHP script failed ({run.returncode}):\n{run.stderr}\n{run.stdout}")
        return run.stdout

    def php(self, body: str, data: Any = None) -> Any:
        """Runs PHP code inside the loaded site (`$data` holds `data`); returns what it echoes, as JSON."""
        code = (
            "<?php\n"
            f"$_SERVER['HTTP_HOST'] = {php_string(f'127.0.0.1:{self.port}')};\n"
            "$_SERVER['REQUEST_URI'] = '/';\n"
            f"require {php_string(str(self.site / 'wp-load.php'))};\n"
            "$data = json_decode( file_get_contents( $argv[1] ), true );\n" + body
        )
        out = self.php_file(code, json.dumps(data))
        return json.loads(out) if out.strip() else None

    def session(self, user: str) -> requests.Session:
        """A requests session logged in through wp-login.php (cookies, like a browser)."""
        session = requests.Session()
        session.get(self.base + "/wp-login.php", timeout=30)  # sets the test cookie
        response = session.post(
            self.base + "/wp-login.php",
            data={
                "log": user,
                "pwd": self.passwords[user],
                "wp-submit": "Log In",
                "redirect_to": self.base + "/wp-admin/",
                "testcookie": "1",
            },
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302 and any(
            c.name.startswith("wordpress_logged_in_") for c in session.cookies
        ), f"login of {user} failed: {response.status_code} {response.text[:500]}"
        return session

    def rest(self) -> requests.Session:
        """A requests session authenticated as the administrator with an application password."""
        session = requests.Session()
        session.auth = (self.ADMIN, self.app_password)
        return session

    def log_offset(self) -> int:
        return self.debug_log.stat().st_size if self.debug_log.exists() else 0

    def php_problems(self, since: int = 0) -> list[str]:
        """PHP warnings, notices and errors logged since `since` (byte offset of debug.log),
        without the "Deprecated" notices WordPress 6.1 logs on PHP 8.2, and from the server log."""
        problems = []
        if self.debug_log.exists():
            with self.debug_log.open("rb") as handle:
                handle.seek(since)
                text = handle.read().decode("utf-8", errors="replace")
            entries = re.split(r"\n(?=\[\d{2}-\w{3}-\d{4} )", text)
            problems += [e.strip() for e in entries if e.strip() and not re.match(r"\[[^]]+\] PHP Deprecated:", e)]
        if self.server_log.exists():
            for line in self.server_log.read_text(errors="replace").splitlines():
                if re.search(r"PHP (Fatal error|Parse error|Warning|Notice|Error)|Uncaught", line):
                    problems.append(line)
        return problems


def php_string(value: str) -> str:
    """A PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def seed_article(path: Path) -> tuple[str, str]:
    """A seed as a post: its first line is the title, each further non-empty line a paragraph block."""
    lines = path.read_text(encoding="utf-8").split("\n")
    paragraphs = [line.strip() for line in lines[1:] if line.strip()]
    blocks = "\n\n".join(f"<!-- wp:paragraph -->\n<p>{html_escape(p)}</p>\n<!-- /wp:paragraph -->" for p in paragraphs)
    return lines[0].strip(), blocks


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
