<?php
/**
 * The HTTP client of the scoring service, and the validation of its answers (untrusted input:
 * every field is type- and range-checked before anything is stored).
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Talks to the scoring service (POST /v1/score, GET /readyz).
 */
final class Source_Reliability_Client {

	/** Flag types the service documents; others are kept under 'other'. */
	const FLAG_TYPES = array(
		'unsupported_claim',
		'generic_assertion',
		'misspelled_name',
		'furniture',
		'duplicate',
		'contradiction',
		'loaded_language',
		'translation_artefact',
		'spelling',
		'derivative',
	);

	/** Labels the service documents. */
	const LABELS = array( 'reliable', 'mixed', 'unreliable' );

	/** At most this many flags and reasons are kept. */
	const MAX_FLAGS   = 200;
	const MAX_REASONS = 10;

	/** The service refuses request bodies over 2 MiB by default; stay well under. */
	const MAX_BODY_BYTES = 1800000;

	/**
	 * Scores one article: POST /v1/score.
	 *
	 * @param array<string, mixed> $article The request body (title, html, url, source, store...).
	 * @return array<string, mixed>|WP_Error The validated result, or an error.
	 */
	public static function score( array $article ) {
		$base = Source_Reliability_Options::service_url();
		if ( '' === $base ) {
			return new WP_Error( 'source_reliability_not_configured', __( 'The service URL is not set.', 'source-reliability' ) );
		}
		$body = wp_json_encode( $article );
		if ( false === $body ) {
			return new WP_Error( 'source_reliability_encoding', __( 'The post could not be encoded as JSON.', 'source-reliability' ) );
		}
		if ( strlen( $body ) > self::MAX_BODY_BYTES ) {
			return new WP_Error( 'source_reliability_too_large', __( 'The post is too long for the scoring service.', 'source-reliability' ) );
		}
		$response = wp_remote_post(
			$base . '/v1/score',
			array(
				'timeout'     => Source_Reliability_Options::get()['timeout'],
				'redirection' => 0,
				'headers'     => self::headers( array( 'Content-Type' => 'application/json' ) ),
				'body'        => $body,
			)
		);
		if ( is_wp_error( $response ) ) {
			return self::unreachable( $response );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$data   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( 200 !== $status ) {
			return self::http_error( $status, $data );
		}
		$result = self::validate_result( $data );
		if ( null === $result ) {
			return new WP_Error( 'source_reliability_bad_answer', __( 'The scoring service sent an answer the plugin does not understand.', 'source-reliability' ) );
		}
		return $result;
	}

	/**
	 * The error for a request that got no answer (refused, timed out): worth retrying.
	 *
	 * @param WP_Error $error The HTTP client's error.
	 * @return WP_Error
	 */
	private static function unreachable( $error ) {
		return new WP_Error(
			'source_reliability_unreachable',
			/* translators: %s: the HTTP client's error message */
			sprintf( __( 'The scoring service could not be reached: %s', 'source-reliability' ), $error->get_error_message() ),
			array( 'retry' => true )
		);
	}

	/**
	 * Removes a stored article from the service: DELETE /v1/articles/{id}. An article that is
	 * not there (404) counts as removed.
	 *
	 * @param string $article_id The service's article id (16 hex digits).
	 * @return true|WP_Error
	 */
	public static function delete_article( $article_id ) {
		$base = Source_Reliability_Options::service_url();
		if ( '' === $base || ! preg_match( '/^[0-9a-f]{16}$/', $article_id ) ) {
			return new WP_Error( 'source_reliability_not_configured', __( 'The service URL is not set.', 'source-reliability' ) );
		}
		$response = wp_remote_request(
			$base . '/v1/articles/' . $article_id,
			array(
				'method'      => 'DELETE',
				'timeout'     => Source_Reliability_Options::get()['timeout'],
				'redirection' => 0,
				'headers'     => self::headers(),
			)
		);
		if ( is_wp_error( $response ) ) {
			return self::unreachable( $response );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		if ( in_array( $status, array( 200, 204, 404 ), true ) ) {
			return true;
		}
		return self::http_error( $status, json_decode( (string) wp_remote_retrieve_body( $response ), true ) );
	}

	/**
	 * Checks the service: GET /readyz, then whether the API key is accepted.
	 *
	 * @return array{ok: bool, message: string}
	 */
	public static function test_connection() {
		$base = Source_Reliability_Options::service_url();
		if ( '' === $base ) {
			return array(
				'ok'      => false,
				'message' => __( 'Set and save the service URL first.', 'source-reliability' ),
			);
		}
		$ready = wp_remote_get(
			$base . '/readyz',
			array(
				'timeout'     => 5,
				'redirection' => 0,
				'headers'     => array( 'Accept' => 'application/json' ),
			)
		);
		if ( is_wp_error( $ready ) ) {
			return array(
				'ok'      => false,
				/* translators: %s: the HTTP client's error message */
				'message' => sprintf( __( 'The service could not be reached: %s', 'source-reliability' ), $ready->get_error_message() ),
			);
		}
		$status = (int) wp_remote_retrieve_response_code( $ready );
		if ( 200 !== $status ) {
			return array(
				'ok'      => false,
				/* translators: %d: HTTP status code */
				'message' => sprintf( __( 'The service answered but is not ready (HTTP %d).', 'source-reliability' ), $status ),
			);
		}
		// An id that cannot exist: 404 means the key (or the absence of one) is accepted, 401 that it is not.
		$probe      = wp_remote_get(
			$base . '/v1/articles/0000000000000000',
			array(
				'timeout'     => 5,
				'redirection' => 0,
				'headers'     => self::headers(),
			)
		);
		$has_key    = '' !== Source_Reliability_Options::api_key();
		$key_status = is_wp_error( $probe ) ? 0 : (int) wp_remote_retrieve_response_code( $probe );
		if ( 401 === $key_status || 403 === $key_status ) {
			return array(
				'ok'      => false,
				'message' => $has_key
					? __( 'The service is ready but refuses the API key.', 'source-reliability' )
					: __( 'The service is ready but needs an API key.', 'source-reliability' ),
			);
		}
		return array(
			'ok'      => true,
			'message' => $has_key
				? __( 'Connected: the service is ready and accepts the API key.', 'source-reliability' )
				: __( 'Connected: the service is ready (no API key is needed).', 'source-reliability' ),
		);
	}

	/**
	 * Request headers, with the bearer token when a key is set.
	 *
	 * @param array<string, string> $extra More headers.
	 * @return array<string, string>
	 */
	private static function headers( array $extra = array() ) {
		$headers = array_merge( array( 'Accept' => 'application/json' ), $extra );
		$key     = Source_Reliability_Options::api_key();
		if ( '' !== $key ) {
			$headers['Authorization'] = 'Bearer ' . $key;
		}
		return $headers;
	}

	/**
	 * An error for a non-200 answer; 429 and 5xx may be retried.
	 *
	 * @param int   $status HTTP status.
	 * @param mixed $data   The decoded body (a problem+json object, maybe).
	 * @return WP_Error
	 */
	private static function http_error( $status, $data ) {
		$detail = '';
		if ( is_array( $data ) && isset( $data['detail'] ) && is_string( $data['detail'] ) ) {
			$detail = self::text( $data['detail'], 300 );
		}
		if ( 401 === $status ) {
			$message = __( 'The scoring service refused the API key.', 'source-reliability' );
		} else {
			/* translators: %d: HTTP status code */
			$message = sprintf( __( 'The scoring service answered with HTTP %d.', 'source-reliability' ), $status );
		}
		if ( '' !== $detail ) {
			$message .= ' ' . $detail;
		}
		return new WP_Error( 'source_reliability_http_' . $status, $message, array( 'retry' => 429 === $status || $status >= 500 ) );
	}

	/**
	 * Validates the service's score object and keeps only what the plugin shows: every field
	 * type-checked, numbers range-checked, strings cut to a sane length. Null if unusable.
	 *
	 * @param mixed $data The decoded JSON answer.
	 * @return array<string, mixed>|null
	 */
	public static function validate_result( $data ) {
		if ( ! is_array( $data ) ) {
			return null;
		}
		$score      = self::number( $data['score'] ?? null, 0.0, 100.0 );
		$confidence = self::number( $data['confidence'] ?? null, 0.0, 1.0 );
		$label      = $data['label'] ?? null;
		$version    = $data['model_version'] ?? null;
		if ( null === $score || null === $confidence || ! in_array( $label, self::LABELS, true ) || ! is_string( $version ) || '' === $version ) {
			return null;
		}

		$reasons = array();
		if ( isset( $data['reasons'] ) && is_array( $data['reasons'] ) ) {
			foreach ( $data['reasons'] as $reason ) {
				if ( is_string( $reason ) && '' !== trim( $reason ) ) {
					$reasons[] = self::text( $reason, 300 );
				}
				if ( count( $reasons ) >= self::MAX_REASONS ) {
					break;
				}
			}
		}

		$flags = array();
		if ( isset( $data['flags'] ) && is_array( $data['flags'] ) ) {
			foreach ( $data['flags'] as $flag ) {
				$clean = self::validate_flag( $flag );
				if ( null !== $clean ) {
					$flags[] = $clean;
				}
				if ( count( $flags ) >= self::MAX_FLAGS ) {
					break;
				}
			}
		}

		$article_id = $data['article_id'] ?? '';
		$story_id   = $data['story_id'] ?? '';
		$sources    = $data['independent_sources'] ?? null;
		return array(
			'score'               => round( $score, 1 ),
			'label'               => $label,
			'confidence'          => round( $confidence, 3 ),
			'model_version'       => self::text( $version, 100 ),
			'reasons'             => $reasons,
			'flags'               => $flags,
			'article_id'          => is_string( $article_id ) && preg_match( '/^[0-9a-f]{16}$/', $article_id ) ? $article_id : '',
			'story_id'            => is_string( $story_id ) ? self::text( $story_id, 64 ) : '',
			'independent_sources' => is_int( $sources ) && $sources >= 0 ? min( $sources, 100000 ) : 0,
			'stored'              => isset( $data['stored'] ) && true === $data['stored'],
			// False when the service already held the same text (another outlet's identical copy).
			'created'             => isset( $data['created'] ) && true === $data['created'],
		);
	}

	/**
	 * One validated flag, or null.
	 *
	 * @param mixed $flag A flag of the answer.
	 * @return array<string, mixed>|null
	 */
	private static function validate_flag( $flag ) {
		if ( ! is_array( $flag ) || ! isset( $flag['type'], $flag['text'] ) || ! is_string( $flag['type'] ) || ! is_string( $flag['text'] ) ) {
			return null;
		}
		$text = self::text( $flag['text'], 1000 );
		if ( '' === trim( $text ) ) {
			return null;
		}
		$start = $flag['start'] ?? null;
		$end   = $flag['end'] ?? null;
		$type  = in_array( $flag['type'], self::FLAG_TYPES, true ) ? $flag['type'] : 'other';
		$out   = array(
			'type'   => $type,
			'text'   => $text,
			'start'  => is_int( $start ) && $start >= 0 ? $start : 0,
			'end'    => is_int( $end ) && is_int( $start ) && $end >= $start ? $end : 0,
			'reason' => isset( $flag['reason'] ) && is_string( $flag['reason'] ) ? self::text( $flag['reason'], 500 ) : '',
		);
		if ( isset( $flag['suggestion'] ) && is_string( $flag['suggestion'] ) && '' !== $flag['suggestion'] ) {
			$out['suggestion'] = self::text( $flag['suggestion'], 200 );
		}
		return $out;
	}

	/**
	 * A finite number within [min, max], or null.
	 *
	 * @param mixed $value The value.
	 * @param float $min   Smallest accepted.
	 * @param float $max   Largest accepted.
	 * @return float|null
	 */
	private static function number( $value, $min, $max ) {
		if ( ( ! is_int( $value ) && ! is_float( $value ) ) || ! is_finite( (float) $value ) ) {
			return null;
		}
		$value = (float) $value;
		return $value >= $min && $value <= $max ? $value : null;
	}

	/**
	 * Plain text: valid UTF-8, no control characters but newlines, at most $max characters.
	 * It stays text (escaped where it is shown), never markup.
	 *
	 * @param string $value The string.
	 * @param int    $max   Most characters kept.
	 * @return string
	 */
	private static function text( $value, $max ) {
		$value = wp_check_invalid_utf8( $value, true );
		$value = (string) preg_replace( '/[\x00-\x09\x0B-\x1F\x7F]/u', '', $value );
		return mb_substr( $value, 0, $max );
	}
}
