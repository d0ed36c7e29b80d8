<?php
/**
 * The post meta as the REST API shows it, and the route the editor polls for the result.
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Registers the meta (edit context only, written by the plugin alone) and
 * GET /source-reliability/v1/posts/{id}.
 */
final class Source_Reliability_Rest {

	/** The REST namespace. */
	const NAMESPACE = 'source-reliability/v1';

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'init', array( __CLASS__, 'register_meta' ), 20 );
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
	}

	/**
	 * Registers the plugin's post meta for the enabled post types. The summary fields are in
	 * the REST API's `edit` context only (which needs `edit_post`), so an unauthenticated GET
	 * never sees them; the auth_callback refuses every write through the API (only the
	 * background job writes them). The full result is served by the route below.
	 */
	public static function register_meta() {
		$summary = array(
			Source_Reliability_Jobs::META_SCORE     => 'number',
			Source_Reliability_Jobs::META_LABEL     => 'string',
			Source_Reliability_Jobs::META_STATE     => 'string',
			Source_Reliability_Jobs::META_SCORED_AT => 'string',
		);
		foreach ( Source_Reliability_Options::get()['post_types'] as $post_type ) {
			foreach ( Source_Reliability_Jobs::META_KEYS as $key ) {
				$in_rest = isset( $summary[ $key ] );
				register_post_meta(
					$post_type,
					$key,
					array(
						'type'          => $in_rest ? $summary[ $key ] : 'string',
						'single'        => true,
						'show_in_rest'  => $in_rest ? array(
							'schema' => array(
								'context'  => array( 'edit' ),
								'readonly' => true,
							),
						) : false,
						'auth_callback' => array( __CLASS__, 'meta_auth' ),
					)
				);
			}
		}
	}

	/**
	 * Nobody edits the plugin's meta through the REST API or the custom-fields box.
	 *
	 * @return bool
	 */
	public static function meta_auth() {
		return false;
	}

	/**
	 * GET /source-reliability/v1/posts/{id}: the post's state and result.
	 */
	public static function register_routes() {
		register_rest_route(
			self::NAMESPACE,
			'/posts/(?P<id>\d+)',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'get_post_result' ),
				'permission_callback' => array( __CLASS__, 'can_read' ),
				'args'                => array(
					'id' => array(
						'type'              => 'integer',
						'minimum'           => 1,
						'required'          => true,
						'sanitize_callback' => 'absint',
					),
				),
			)
		);
	}

	/**
	 * Only users who may edit the post see its score.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return bool|WP_Error
	 */
	public static function can_read( $request ) {
		$post_id = (int) $request['id'];
		if ( current_user_can( 'edit_posts' ) && get_post( $post_id ) && current_user_can( 'edit_post', $post_id ) ) {
			return true;
		}
		return new WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to see this score.', 'source-reliability' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * The post's scoring state and result.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public static function get_post_result( $request ) {
		$post_id = (int) $request['id'];
		$state   = Source_Reliability_Jobs::state( $post_id );
		$job = Source_Reliability_Jobs::job( $post_id );
		$lost_after = Source_Reliability_Options::get()['timeout'] + 60;
		if ( 'pending' === $state && null !== $job && time() - $job['requested_at'] > $lost_after
			&& false === wp_next_scheduled( Source_Reliability_Jobs::HOOK, array( $post_id ) ) ) {
			// Pending for longer than a job can take, and not queued: its cron run died. Queue it again.
			Source_Reliability_Jobs::schedule( $post_id, 0 );
		}
		$response = rest_ensure_response( self::payload( $post_id ) );
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * What the editor panels show: state, result, error, threshold.
	 *
	 * @param int $post_id The post ID.
	 * @return array<string, mixed>
	 */
	public static function payload( $post_id ) {
		$job    = Source_Reliability_Jobs::job( $post_id );
		$result = Source_Reliability_Jobs::result( $post_id );
		$error  = get_post_meta( $post_id, Source_Reliability_Jobs::META_ERROR, true );
		return array(
			'post_id'      => $post_id,
			'state'        => Source_Reliability_Jobs::state( $post_id ),
			'requested_at' => null !== $job ? gmdate( 'Y-m-d\TH:i:s\Z', $job['requested_at'] ) : null,
			'current'      => null !== $result && null !== $job && isset( $result['hash'] ) && $result['hash'] === $job['hash'],
			'error'        => is_string( $error ) ? $error : '',
			'threshold'    => Source_Reliability_Options::get()['threshold'],
			'result'       => $result,
		);
	}
}
