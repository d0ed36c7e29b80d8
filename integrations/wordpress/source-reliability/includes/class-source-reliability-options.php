<?php
/**
 * The plugin's options: the settings array and the API key (kept apart, never autoloaded,
 * never sent to the browser).
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads and sanitizes the plugin's options.
 */
final class Source_Reliability_Options {

	/** Option holding service_url, threshold, post_types and timeout. */
	const SETTINGS = 'source_reliability_settings';

	/** Option holding the service's API key (server side only). */
	const API_KEY = 'source_reliability_api_key';

	/** Settings API group of the settings page. */
	const GROUP = 'source_reliability';

	/**
	 * Default settings.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults() {
		return array(
			'service_url' => '',
			'threshold'   => 50,
			'post_types'  => array( 'post' ),
			'timeout'     => 20,
		);
	}

	/**
	 * The settings, completed with defaults.
	 *
	 * @return array{service_url: string, threshold: int, post_types: array<int, string>, timeout: int}
	 */
	public static function get() {
		$stored = get_option( self::SETTINGS, array() );
		if ( ! is_array( $stored ) ) {
			$stored = array();
		}
		$settings = array_merge( self::defaults(), $stored );
		return array(
			'service_url' => is_string( $settings['service_url'] ) ? $settings['service_url'] : '',
			'threshold'   => self::clamp_int( $settings['threshold'], 0, 100, 50 ),
			'post_types'  => is_array( $settings['post_types'] ) ? array_values( array_filter( $settings['post_types'], 'is_string' ) ) : array( 'post' ),
			'timeout'     => self::clamp_int( $settings['timeout'], 2, 120, 20 ),
		);
	}

	/**
	 * The service's base URL without a trailing slash ('' when not configured).
	 *
	 * @return string
	 */
	public static function service_url() {
		return untrailingslashit( self::get()['service_url'] );
	}

	/**
	 * The API key ('' when none is set). For server-side requests only.
	 *
	 * @return string
	 */
	public static function api_key() {
		$key = get_option( self::API_KEY, '' );
		return is_string( $key ) ? $key : '';
	}

	/**
	 * Whether the plugin scores posts of this type.
	 *
	 * @param string $post_type A post type name.
	 * @return bool
	 */
	public static function is_enabled_type( $post_type ) {
		return in_array( $post_type, self::get()['post_types'], true );
	}

	/**
	 * Post types the settings page offers: those with an editing screen and the editor.
	 *
	 * @return array<string, WP_Post_Type>
	 */
	public static function available_post_types() {
		$types = array();
		foreach ( get_post_types( array( 'show_ui' => true, 'public' => true ), 'objects' ) as $name => $type ) {
			if ( 'attachment' !== $name && post_type_supports( $name, 'editor' ) ) {
				$types[ $name ] = $type;
			}
		}
		return $types;
	}

	/**
	 * Sanitizes the settings array submitted by the settings page.
	 *
	 * @param mixed $input The submitted value.
	 * @return array<string, mixed>
	 */
	public static function sanitize_settings( $input ) {
		$current = self::get();
		if ( ! is_array( $input ) ) {
			return $current;
		}
		$out = $current;

		if ( isset( $input['service_url'] ) ) {
			$url = trim( sanitize_text_field( (string) $input['service_url'] ) );
			if ( '' === $url ) {
				$out['service_url'] = '';
			} else {
				$clean = esc_url_raw( $url, array( 'http', 'https' ) );
				if ( ! self::is_service_url( $clean ) ) {
					add_settings_error(
						self::SETTINGS,
						'source-reliability-url',
						__( 'The service URL must be an http or https address.', 'source-reliability' )
					);
				} else {
					$out['service_url'] = untrailingslashit( $clean );
				}
			}
		}
		if ( isset( $input['threshold'] ) ) {
			$out['threshold'] = self::clamp_int( $input['threshold'], 0, 100, $current['threshold'] );
		}
		if ( isset( $input['timeout'] ) ) {
			$out['timeout'] = self::clamp_int( $input['timeout'], 2, 120, $current['timeout'] );
		}
		$types = isset( $input['post_types'] ) && is_array( $input['post_types'] ) ? $input['post_types'] : array();
		$types = array_map( 'sanitize_key', array_map( 'strval', $types ) );
		// Only post types that exist and have an editor; the form always submits this field.
		$out['post_types'] = array_values( array_intersect( $types, array_keys( self::available_post_types() ) ) );
		return $out;
	}

	/**
	 * Sanitizes the API key field: a new key replaces the stored one, "clear" removes it,
	 * an empty field keeps it (the form never shows the stored key).
	 *
	 * @param mixed $input The submitted value: array( 'new' => string, 'clear' => '1' ), or a key.
	 * @return string
	 */
	public static function sanitize_api_key( $input ) {
		$current = self::api_key();
		if ( is_array( $input ) ) {
			if ( ! empty( $input['clear'] ) ) {
				return '';
			}
			$input = isset( $input['new'] ) ? $input['new'] : '';
		}
		if ( ! is_string( $input ) ) {
			return $current;
		}
		// A bearer token: printable ASCII without spaces, at most 512 characters.
		$key = substr( (string) preg_replace( '/[^\x21-\x7E]/', '', $input ), 0, 512 );
		return '' === $key ? $current : $key;
	}

	/**
	 * Whether a URL can be the service's base URL: http or https, a host, no credentials,
	 * query or fragment. Loopback and private addresses are allowed on purpose (the service
	 * often runs beside WordPress); only administrators set it.
	 *
	 * @param string $url An absolute URL.
	 * @return bool
	 */
	public static function is_service_url( $url ) {
		if ( '' === $url || strlen( $url ) > 2000 ) {
			return false;
		}
		$parts = wp_parse_url( $url );
		return is_array( $parts )
			&& isset( $parts['scheme'], $parts['host'] )
			&& in_array( strtolower( $parts['scheme'] ), array( 'http', 'https' ), true )
			&& '' !== $parts['host']
			&& ! isset( $parts['user'] ) && ! isset( $parts['pass'] ) && ! isset( $parts['query'] ) && ! isset( $parts['fragment'] );
	}

	/**
	 * An integer within [min, max], or the fallback when the value is not a number.
	 *
	 * @param mixed $value    The value.
	 * @param int   $min      Smallest accepted.
	 * @param int   $max      Largest accepted.
	 * @param int   $fallback Used when the value is not numeric.
	 * @return int
	 */
	public static function clamp_int( $value, $min, $max, $fallback ) {
		if ( ! is_numeric( $value ) ) {
			return $fallback;
		}
		return max( $min, min( $max, (int) $value ) );
	}
}
