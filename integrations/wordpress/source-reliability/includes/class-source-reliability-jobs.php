<?php
/**
 * Scoring in the background: a save records what to score and schedules a WP-Cron single
 * event, which a non-blocking loopback request (spawn_cron) starts at the end of the saving
 * request; the editor's save returns at once. The job calls the service with a timeout,
 * validates the answer and keeps it in post meta with the model version and the time.
 *
 * The service's store mirrors what the site has published: a published post is scored with
 * `store: true`, drafts with `store: false`; before a post is scored again, the version of it
 * the service stored is removed (so a post is never compared with its own earlier version),
 * and a published post that is trashed or deleted is removed from the service.
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Save hooks, the background job and the post meta it writes.
 */
final class Source_Reliability_Jobs {

	/** The WP-Cron hook of the background job (one argument: the post ID). */
	const HOOK = 'source_reliability_score_post';

	/** The WP-Cron hook that removes an article from the service (the article id, the attempt). */
	const FORGET_HOOK = 'source_reliability_forget_article';

	/** Post meta: the validated result (JSON), the score and label (for lists), the state. */
	const META_RESULT    = '_source_reliability_result';
	const META_SCORE     = '_source_reliability_score';
	const META_LABEL     = '_source_reliability_label';
	const META_SCORED_AT = '_source_reliability_scored_at';
	const META_STATE     = '_source_reliability_state';
	const META_JOB       = '_source_reliability_job';
	const META_ERROR     = '_source_reliability_error';

	/** Every meta key the plugin writes (uninstall removes them all). */
	const META_KEYS = array(
		self::META_RESULT,
		self::META_SCORE,
		self::META_LABEL,
		self::META_SCORED_AT,
		self::META_STATE,
		self::META_JOB,
		self::META_ERROR,
	);

	/** Statuses whose saves are scored; only 'publish' stores the article in the service. */
	const STATUSES = array( 'draft', 'pending', 'future', 'private', 'publish' );

	/** Tries of one request when the service is unreachable, rate-limited or failing (5xx). */
	const MAX_ATTEMPTS = 3;

	/**
	 * Whether this request already asked for a loopback cron spawn at shutdown.
	 *
	 * @var bool
	 */
	private static $spawn_queued = false;

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'init', array( __CLASS__, 'register_rest_hooks' ), 20 );
		add_action( 'wp_after_insert_post', array( __CLASS__, 'on_after_insert_post' ), 10, 2 );
		add_action( self::HOOK, array( __CLASS__, 'run' ) );
		add_action( self::FORGET_HOOK, array( __CLASS__, 'forget' ), 10, 2 );
		add_action( 'trashed_post', array( __CLASS__, 'on_delete' ) );
		add_action( 'before_delete_post', array( __CLASS__, 'on_delete' ) );
		if ( wp_doing_cron() ) {
			self::queue_chain();
		}
	}

	/**
	 * The block editor saves through the REST API, where `rest_after_insert_{post_type}` runs
	 * once the request's meta and terms are applied.
	 */
	public static function register_rest_hooks() {
		foreach ( Source_Reliability_Options::get()['post_types'] as $post_type ) {
			add_action( 'rest_after_insert_' . $post_type, array( __CLASS__, 'on_rest_after_insert' ) );
		}
	}

	/**
	 * A REST save (block editor, REST clients).
	 *
	 * @param WP_Post $post The saved post.
	 */
	public static function on_rest_after_insert( $post ) {
		self::request( $post );
	}

	/**
	 * Any other save: the classic editor, the block editor's legacy meta-box save (post.php),
	 * quick edit, wp_insert_post() from code. REST saves were handled by the hook above; a
	 * second save of the same content is dropped by the content hash in request().
	 *
	 * @param int     $post_id The post ID.
	 * @param WP_Post $post    The saved post.
	 */
	public static function on_after_insert_post( $post_id, $post ) {
		if ( defined( 'REST_REQUEST' ) && REST_REQUEST ) {
			return;
		}
		self::request( $post );
	}

	/**
	 * Whether a post is to be scored now.
	 *
	 * @param WP_Post $post The post.
	 * @return bool
	 */
	public static function should_score( $post ) {
		if ( ( defined( 'DOING_AUTOSAVE' ) && DOING_AUTOSAVE ) || wp_is_post_revision( $post ) || wp_is_post_autosave( $post ) ) {
			return false;
		}
		if ( ! Source_Reliability_Options::is_enabled_type( $post->post_type ) || ! in_array( $post->post_status, self::STATUSES, true ) ) {
			return false;
		}
		if ( '' === trim( $post->post_title . wp_strip_all_tags( $post->post_content ) ) ) {
			return false;
		}
		return '' !== Source_Reliability_Options::service_url();
	}

	/**
	 * Records a scoring request for the post's current content and schedules the job, unless
	 * the same content was already requested or scored (with at least the same `store`).
	 *
	 * @param WP_Post|int $post The post.
	 */
	public static function request( $post ) {
		$post = get_post( $post );
		if ( ! $post instanceof WP_Post ) {
			return;
		}
		if ( ! self::should_score( $post ) ) {
			return;
		}
		$store = 'publish' === $post->post_status;
		$hash  = self::content_hash( $post );
		$job   = self::job( $post->ID );
		$state = self::state( $post->ID );
		if ( null !== $job && $job['hash'] === $hash && in_array( $state, array( 'pending', 'done' ), true ) && ( $job['store'] || ! $store ) ) {
			return;
		}
		self::save_job(
			$post->ID,
			array(
				'hash'         => $hash,
				'store'        => $store,
				'token'        => wp_generate_uuid4(),
				'requested_at' => time(),
				'attempts'     => 0,
			)
		);
		update_post_meta( $post->ID, self::META_STATE, 'pending' );
		delete_post_meta( $post->ID, self::META_ERROR );
		self::schedule( $post->ID, 0 );
	}

	/**
	 * The current UTC time as ISO 8601 with milliseconds: two scorings of one post a few hundred
	 * milliseconds apart (a publish right after a draft save) must not share a timestamp, since
	 * the editors and clients tell a new result from the last one by it.
	 *
	 * @return string For example 2026-11-30T17:49:21.123Z.
	 */
	public static function now_utc() {
		$now = DateTimeImmutable::createFromFormat( 'U.u', sprintf( '%.6F', microtime( true ) ), new DateTimeZone( 'UTC' ) );
		return false === $now ? gmdate( 'Y-m-d\TH:i:s.000\Z' ) : $now->format( 'Y-m-d\TH:i:s.v\Z' );
	}

	/**
	 * Schedules the job (at most one per post), and a loopback cron spawn at shutdown when due now.
	 *
	 * @param int $post_id The post ID.
	 * @param int $delay   Seconds from now.
	 */
	public static function schedule( $post_id, $delay ) {
		$args = array( (int) $post_id );
		$next = wp_next_scheduled( self::HOOK, $args );
		if ( false !== $next && $next > time() + $delay ) {
			wp_unschedule_event( $next, self::HOOK, $args );
			$next = false;
		}
		if ( false === $next ) {
			wp_schedule_single_event( time() + $delay, self::HOOK, $args );
		}
		if ( 0 === $delay && ! self::$spawn_queued && ! wp_doing_cron() ) {
			self::$spawn_queued = true;
			add_action( 'shutdown', array( __CLASS__, 'spawn' ) );
		}
	}

	/**
	 * Starts WP-Cron now through WordPress's own non-blocking loopback request to wp-cron.php.
	 * Where DISABLE_WP_CRON is set, the site's system cron runs the job instead.
	 */
	public static function spawn() {
		if ( ! ( defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON ) ) {
			spawn_cron();
		}
	}

	/**
	 * In a cron run, asks for another run once this one is over (at shutdown of wp-cron.php):
	 * the plugin's events queued while it was going (its lock made spawn_cron() decline) would
	 * otherwise wait for the next visit of the site.
	 */
	private static function queue_chain() {
		if ( wp_doing_cron() && ! self::$spawn_queued ) {
			self::$spawn_queued = true;
			add_action( 'shutdown', array( __CLASS__, 'chain' ), 100 );
		}
	}

	/**
	 * The loopback request of spawn_cron() (which declines inside a cron run), made when one of the
	 * plugin's events is due and no other cron run holds the lock.
	 */
	public static function chain() {
		if ( ( defined( 'DISABLE_WP_CRON' ) && DISABLE_WP_CRON ) || get_transient( 'doing_cron' ) ) {
			return;
		}
		$due = false;
		foreach ( wp_get_ready_cron_jobs() as $hooks ) {
			$due = $due || isset( $hooks[ self::HOOK ] ) || isset( $hooks[ self::FORGET_HOOK ] );
		}
		if ( ! $due ) {
			return;
		}
		$doing_wp_cron = sprintf( '%.22F', microtime( true ) );
		set_transient( 'doing_cron', $doing_wp_cron );
		/** This filter is documented in wp-includes/cron.php */
		$request = apply_filters(
			'cron_request',
			array(
				'url'  => add_query_arg( 'doing_wp_cron', $doing_wp_cron, site_url( 'wp-cron.php' ) ),
				'key'  => $doing_wp_cron,
				'args' => array(
					'timeout'   => 0.01,
					'blocking'  => false,
					/** This filter is documented in wp-includes/class-wp-http-streams.php */
					'sslverify' => apply_filters( 'https_local_ssl_verify', false ),
				),
			),
			$doing_wp_cron
		);
		wp_remote_post( $request['url'], $request['args'] );
	}

	/**
	 * The background job: scores the post's current content and keeps the validated result.
	 *
	 * @param int $post_id The post ID.
	 */
	public static function run( $post_id ) {
		$post = get_post( absint( $post_id ) );
		if ( ! $post instanceof WP_Post ) {
			return;
		}
		$job = self::job( $post->ID );
		if ( null === $job || 'pending' !== self::state( $post->ID ) ) {
			return;
		}
		if ( ! self::should_score( $post ) ) {
			update_post_meta( $post->ID, self::META_STATE, 'none' );
			return;
		}
		$store   = 'publish' === $post->post_status;
		$hash    = self::content_hash( $post );
		$article = self::article( $post );

		// The service must not compare the post with its own earlier version: remove that first.
		$previous = self::result( $post->ID );
		$result   = true;
		if ( self::owns_stored( $previous ) ) {
			$result = Source_Reliability_Client::delete_article( (string) $previous['article_id'] );
			if ( true === $result ) {
				$previous['stored'] = false;
				update_post_meta( $post->ID, self::META_RESULT, wp_slash( (string) wp_json_encode( $previous ) ) );
			}
		}

		$article['store'] = $store;
		$started          = microtime( true );
		if ( true === $result ) {
			$result = Source_Reliability_Client::score( $article );
		}
		$duration = microtime( true ) - $started;

		$latest  = self::job( $post->ID );
		$current = null !== $latest && $latest['token'] === $job['token'];
		if ( is_wp_error( $result ) ) {
			if ( ! $current ) {
				return; // A newer save has queued its own job.
			}
			$data     = $result->get_error_data();
			$attempts = $job['attempts'] + 1;
			if ( is_array( $data ) && ! empty( $data['retry'] ) && $attempts < self::MAX_ATTEMPTS ) {
				$job['attempts'] = $attempts;
				self::save_job( $post->ID, $job );
				self::schedule( $post->ID, 30 * $attempts );
				return;
			}
			update_post_meta( $post->ID, self::META_ERROR, wp_slash( $result->get_error_message() ) );
			update_post_meta( $post->ID, self::META_STATE, 'error' );
			return;
		}

		$result['hash']        = $hash;
		$result['store']       = $store;
		$result['scored_at']   = self::now_utc();
		$result['duration_ms'] = (int) round( $duration * 1000 );
		update_post_meta( $post->ID, self::META_RESULT, wp_slash( (string) wp_json_encode( $result ) ) );
		update_post_meta( $post->ID, self::META_SCORE, $result['score'] );
		update_post_meta( $post->ID, self::META_LABEL, $result['label'] );
		update_post_meta( $post->ID, self::META_SCORED_AT, $result['scored_at'] );
		if ( $current ) {
			// What was scored is what the last save asked for (or newer): done.
			$job['hash']  = $hash;
			$job['store'] = $store;
			self::save_job( $post->ID, $job );
			update_post_meta( $post->ID, self::META_STATE, 'done' );
		}
	}

	/**
	 * Whether a result is a version of the post that this site stored in the service. Content
	 * hashes are the service's keys: when the same text was already there (wire copy published
	 * verbatim by another outlet), `created` is false and the article is not ours to remove.
	 *
	 * @param array<string, mixed>|null $result A stored result.
	 * @return bool
	 */
	private static function owns_stored( $result ) {
		return null !== $result && ! empty( $result['stored'] ) && ! empty( $result['created'] ) && ! empty( $result['article_id'] );
	}

	/**
	 * Schedules the removal from the service of the post's stored version, if it has one.
	 *
	 * @param int $post_id The post ID.
	 */
	public static function forget_stored( $post_id ) {
		$result = self::result( $post_id );
		if ( ! self::owns_stored( $result ) ) {
			return;
		}
		$result['stored'] = false;
		update_post_meta( $post_id, self::META_RESULT, wp_slash( (string) wp_json_encode( $result ) ) );
		wp_schedule_single_event( time(), self::FORGET_HOOK, array( (string) $result['article_id'], 1 ) );
		if ( ! self::$spawn_queued && ! wp_doing_cron() ) {
			self::$spawn_queued = true;
			add_action( 'shutdown', array( __CLASS__, 'spawn' ) );
		}
	}

	/**
	 * A post trashed or deleted: its published version leaves the service too.
	 *
	 * @param int $post_id The post ID.
	 */
	public static function on_delete( $post_id ) {
		$post = get_post( $post_id );
		if ( $post instanceof WP_Post && Source_Reliability_Options::is_enabled_type( $post->post_type ) ) {
			self::forget_stored( $post->ID );
		}
	}

	/**
	 * The background removal of an article from the service; retried when the service is down.
	 *
	 * @param string $article_id The service's article id.
	 * @param int    $attempt    1 for the first try.
	 */
	public static function forget( $article_id, $attempt = 1 ) {
		$done = Source_Reliability_Client::delete_article( (string) $article_id );
		if ( is_wp_error( $done ) ) {
			$data = $done->get_error_data();
			if ( is_array( $data ) && ! empty( $data['retry'] ) && $attempt < self::MAX_ATTEMPTS ) {
				wp_schedule_single_event( time() + 60 * $attempt, self::FORGET_HOOK, array( (string) $article_id, $attempt + 1 ) );
			}
		}
	}

	/**
	 * The request body for POST /v1/score (without `store`): title, the content as an HTML
	 * page, the permalink, the site's domain as the source.
	 *
	 * @param WP_Post $post The post.
	 * @return array<string, mixed>
	 */
	public static function article( $post ) {
		$title   = self::title( $post );
		$content = (string) $post->post_content;
		$content = has_blocks( $content ) ? do_blocks( $content ) : wpautop( $content );
		$content = strip_shortcodes( $content );
		$html    = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>' . esc_html( $title ) . '</title></head><body><article>'
			. $content . '</article></body></html>';
		$article = array(
			'id'     => 'wp-' . get_current_blog_id() . '-' . $post->ID,
			'html'   => $html,
			'source' => self::source(),
		);
		if ( '' !== $title ) {
			$article['title'] = mb_substr( $title, 0, 1000 );
		}
		$url = (string) get_permalink( $post );
		if ( self::is_service_acceptable_url( $url ) ) {
			$article['url'] = $url;
		}
		if ( 'publish' === $post->post_status ) {
			$article['published_at'] = (string) get_post_time( 'Y-m-d\TH:i:s\Z', true, $post );
		}
		/**
		 * Filters the article sent to the scoring service.
		 *
		 * @param array<string, mixed> $article The request body (without `store`).
		 * @param WP_Post              $post    The post.
		 */
		return apply_filters( 'source_reliability_article', $article, $post );
	}

	/**
	 * The outlet's domain: the site's host name.
	 *
	 * @return string
	 */
	public static function source() {
		$host = wp_parse_url( home_url(), PHP_URL_HOST );
		$host = is_string( $host ) && '' !== $host ? strtolower( $host ) : 'localhost';
		return substr( $host, 0, 255 );
	}

	/**
	 * A hash of what is sent for this post (its raw title and content, permalink and source):
	 * two saves of the same content are scored once.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	public static function content_hash( $post ) {
		return hash( 'sha256', (string) wp_json_encode( array( self::title( $post ), (string) $post->post_content, (string) get_permalink( $post ), self::source() ) ) );
	}

	/**
	 * The post's title as plain text.
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	private static function title( $post ) {
		return trim( html_entity_decode( wp_strip_all_tags( (string) $post->post_title ), ENT_QUOTES | ENT_HTML5, 'UTF-8' ) );
	}

	/**
	 * Whether the service's `url` field accepts this URL (http or https, a host name or IPv4
	 * address, printable ASCII, at most 2048 characters).
	 *
	 * @param string $url The URL.
	 * @return bool
	 */
	private static function is_service_acceptable_url( $url ) {
		return strlen( $url ) <= 2048 && 1 === preg_match(
			'#^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:[0-9]{1,5})?([/?\#][!-~]*)?$#D',
			$url
		);
	}

	/**
	 * The post's scoring state: 'none', 'pending', 'done' or 'error'.
	 *
	 * @param int $post_id The post ID.
	 * @return string
	 */
	public static function state( $post_id ) {
		$state = get_post_meta( $post_id, self::META_STATE, true );
		return in_array( $state, array( 'pending', 'done', 'error' ), true ) ? $state : 'none';
	}

	/**
	 * The stored result, or null.
	 *
	 * @param int $post_id The post ID.
	 * @return array<string, mixed>|null
	 */
	public static function result( $post_id ) {
		$raw = get_post_meta( $post_id, self::META_RESULT, true );
		if ( ! is_string( $raw ) || '' === $raw ) {
			return null;
		}
		$data = json_decode( $raw, true );
		return is_array( $data ) ? $data : null;
	}

	/**
	 * The last scoring request of the post, or null.
	 *
	 * @param int $post_id The post ID.
	 * @return array{hash: string, store: bool, token: string, requested_at: int, attempts: int}|null
	 */
	public static function job( $post_id ) {
		$raw  = get_post_meta( $post_id, self::META_JOB, true );
		$data = is_string( $raw ) ? json_decode( $raw, true ) : null;
		if ( ! is_array( $data ) || ! isset( $data['hash'], $data['token'] ) ) {
			return null;
		}
		return array(
			'hash'         => (string) $data['hash'],
			'store'        => ! empty( $data['store'] ),
			'token'        => (string) $data['token'],
			'requested_at' => isset( $data['requested_at'] ) ? (int) $data['requested_at'] : 0,
			'attempts'     => isset( $data['attempts'] ) ? (int) $data['attempts'] : 0,
		);
	}

	/**
	 * Saves the job record.
	 *
	 * @param int                  $post_id The post ID.
	 * @param array<string, mixed> $job     The record.
	 */
	private static function save_job( $post_id, array $job ) {
		update_post_meta( $post_id, self::META_JOB, wp_slash( (string) wp_json_encode( $job ) ) );
	}
}
