<?php
/**
 * Settings -> Source reliability: service URL, API key (never sent to the browser), score
 * threshold, post types, timeout, and a "Test connection" button (AJAX, nonce, manage_options).
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * The settings page and its AJAX action.
 */
final class Source_Reliability_Settings {

	/** The page's slug. */
	const PAGE = 'source-reliability';

	/** The AJAX action (and its nonce action) of the Test connection button. */
	const AJAX_TEST = 'source_reliability_test_connection';

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'admin_init', array( __CLASS__, 'register' ) );
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_action( 'wp_ajax_' . self::AJAX_TEST, array( __CLASS__, 'ajax_test_connection' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( SOURCE_RELIABILITY_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * Registers the two options and the page's fields.
	 */
	public static function register() {
		register_setting(
			Source_Reliability_Options::GROUP,
			Source_Reliability_Options::SETTINGS,
			array(
				'type'              => 'object',
				'sanitize_callback' => array( 'Source_Reliability_Options', 'sanitize_settings' ),
				'default'           => Source_Reliability_Options::defaults(),
				'show_in_rest'      => false,
			)
		);
		register_setting(
			Source_Reliability_Options::GROUP,
			Source_Reliability_Options::API_KEY,
			array(
				'type'              => 'string',
				'sanitize_callback' => array( 'Source_Reliability_Options', 'sanitize_api_key' ),
				'default'           => '',
				'show_in_rest'      => false,
			)
		);

		add_settings_section( 'source-reliability-service', __( 'Scoring service', 'source-reliability' ), '__return_false', self::PAGE );
		add_settings_field( 'source-reliability-url', __( 'Service URL', 'source-reliability' ), array( __CLASS__, 'field_url' ), self::PAGE, 'source-reliability-service', array( 'label_for' => 'source-reliability-url' ) );
		add_settings_field( 'source-reliability-key', __( 'API key', 'source-reliability' ), array( __CLASS__, 'field_key' ), self::PAGE, 'source-reliability-service', array( 'label_for' => 'source-reliability-key' ) );
		add_settings_field( 'source-reliability-timeout', __( 'Timeout', 'source-reliability' ), array( __CLASS__, 'field_timeout' ), self::PAGE, 'source-reliability-service', array( 'label_for' => 'source-reliability-timeout' ) );

		add_settings_section( 'source-reliability-editorial', __( 'Editorial', 'source-reliability' ), '__return_false', self::PAGE );
		add_settings_field( 'source-reliability-threshold', __( 'Score threshold', 'source-reliability' ), array( __CLASS__, 'field_threshold' ), self::PAGE, 'source-reliability-editorial', array( 'label_for' => 'source-reliability-threshold' ) );
		add_settings_field( 'source-reliability-types', __( 'Post types', 'source-reliability' ), array( __CLASS__, 'field_types' ), self::PAGE, 'source-reliability-editorial' );
	}

	/**
	 * Settings -> Source reliability, for administrators (manage_options).
	 */
	public static function menu() {
		add_options_page(
			__( 'Source reliability', 'source-reliability' ),
			__( 'Source reliability', 'source-reliability' ),
			'manage_options',
			self::PAGE,
			array( __CLASS__, 'render_page' )
		);
	}

	/**
	 * A "Settings" link on the Plugins screen.
	 *
	 * @param array<int|string, string> $links The plugin's action links.
	 * @return array<int|string, string>
	 */
	public static function action_links( $links ) {
		$url = admin_url( 'options-general.php?page=' . self::PAGE );
		array_unshift( $links, '<a href="' . esc_url( $url ) . '">' . esc_html__( 'Settings', 'source-reliability' ) . '</a>' );
		return $links;
	}

	/**
	 * The Test connection script, on the settings page only.
	 *
	 * @param string $hook_suffix The admin page.
	 */
	public static function enqueue( $hook_suffix ) {
		if ( 'settings_page_' . self::PAGE !== $hook_suffix || ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$url = plugin_dir_url( SOURCE_RELIABILITY_FILE ) . 'assets/';
		wp_enqueue_script( 'source-reliability-settings', $url . 'settings.js', array( 'wp-i18n' ), SOURCE_RELIABILITY_VERSION, true );
		wp_set_script_translations( 'source-reliability-settings', 'source-reliability', SOURCE_RELIABILITY_DIR . 'languages' );
		$config = array(
			'ajaxUrl' => admin_url( 'admin-ajax.php' ),
			'action'  => self::AJAX_TEST,
			'nonce'   => wp_create_nonce( self::AJAX_TEST ),
		);
		wp_add_inline_script( 'source-reliability-settings', 'window.sourceReliabilitySettings = ' . wp_json_encode( $config ) . ';', 'before' );
		wp_enqueue_style( 'source-reliability', $url . 'source-reliability.css', array(), SOURCE_RELIABILITY_VERSION );
	}

	/**
	 * The page.
	 */
	public static function render_page() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage these options.', 'source-reliability' ), 403 );
		}
		echo '<div class="wrap source-reliability-settings">';
		echo '<h1>' . esc_html( get_admin_page_title() ) . '</h1>';
		// Settings pages show settings_errors() already (wp-admin/options-head.php).
		echo '<form action="' . esc_url( admin_url( 'options.php' ) ) . '" method="post">';
		settings_fields( Source_Reliability_Options::GROUP );
		do_settings_sections( self::PAGE );
		submit_button();
		echo '</form>';

		echo '<h2>' . esc_html__( 'Connection', 'source-reliability' ) . '</h2>';
		echo '<p>' . esc_html__( 'Checks that the saved service URL answers /readyz and accepts the saved API key.', 'source-reliability' ) . '</p>';
		echo '<p><button type="button" class="button" id="source-reliability-test">' . esc_html__( 'Test connection', 'source-reliability' ) . '</button> ';
		echo '<span id="source-reliability-test-result" role="status" aria-live="polite"></span></p>';
		echo '</div>';
	}

	/**
	 * Service URL field.
	 */
	public static function field_url() {
		$settings = Source_Reliability_Options::get();
		echo '<input type="url" class="regular-text code" id="source-reliability-url" name="' . esc_attr( Source_Reliability_Options::SETTINGS ) . '[service_url]" value="' . esc_attr( $settings['service_url'] ) . '" placeholder="http://127.0.0.1:8000">';
		echo '<p class="description">' . esc_html__( 'Base address of the scoring service (POST /v1/score is called on it).', 'source-reliability' ) . '</p>';
	}

	/**
	 * API key field: the stored key is never printed, not even masked; "set" or "not set" is.
	 */
	public static function field_key() {
		$has_key = '' !== Source_Reliability_Options::api_key();
		$name    = Source_Reliability_Options::API_KEY;
		echo '<p id="source-reliability-key-status" class="source-reliability-key-status">';
		echo $has_key
			? '<span class="source-reliability-key-set">' . esc_html__( 'An API key is set.', 'source-reliability' ) . '</span>'
			: '<span class="source-reliability-key-unset">' . esc_html__( 'No API key is set.', 'source-reliability' ) . '</span>';
		echo '</p>';
		echo '<input type="password" class="regular-text code" id="source-reliability-key" name="' . esc_attr( $name ) . '[new]" value="" autocomplete="new-password" spellcheck="false" aria-describedby="source-reliability-key-help">';
		echo '<p class="description" id="source-reliability-key-help">'
			. esc_html__( 'Leave empty to keep the current key; type a key to replace it. Created with `reliability keys create NAME`.', 'source-reliability' ) . '</p>';
		if ( $has_key ) {
			echo '<p><label><input type="checkbox" id="source-reliability-key-clear" name="' . esc_attr( $name ) . '[clear]" value="1"> '
				. esc_html__( 'Remove the stored key', 'source-reliability' ) . '</label></p>';
		}
	}

	/**
	 * Timeout field.
	 */
	public static function field_timeout() {
		$settings = Source_Reliability_Options::get();
		echo '<input type="number" min="2" max="120" step="1" class="small-text" id="source-reliability-timeout" name="' . esc_attr( Source_Reliability_Options::SETTINGS ) . '[timeout]" value="' . esc_attr( (string) $settings['timeout'] ) . '"> ';
		echo esc_html__( 'seconds the background job waits for the service', 'source-reliability' );
	}

	/**
	 * Threshold field.
	 */
	public static function field_threshold() {
		$settings = Source_Reliability_Options::get();
		echo '<input type="number" min="0" max="100" step="1" class="small-text" id="source-reliability-threshold" name="' . esc_attr( Source_Reliability_Options::SETTINGS ) . '[threshold]" value="' . esc_attr( (string) $settings['threshold'] ) . '">';
		echo '<p class="description">' . esc_html__( 'Publishing a post scored under this value shows a warning (it does not prevent publishing).', 'source-reliability' ) . '</p>';
	}

	/**
	 * Post types field.
	 */
	public static function field_types() {
		$settings = Source_Reliability_Options::get();
		echo '<fieldset><legend class="screen-reader-text">' . esc_html__( 'Post types', 'source-reliability' ) . '</legend>';
		foreach ( Source_Reliability_Options::available_post_types() as $name => $type ) {
			echo '<label><input type="checkbox" name="' . esc_attr( Source_Reliability_Options::SETTINGS ) . '[post_types][]" value="' . esc_attr( $name ) . '"'
				. checked( in_array( $name, $settings['post_types'], true ), true, false ) . '> '
				. esc_html( $type->labels->name ) . '</label><br>';
		}
		echo '</fieldset>';
	}

	/**
	 * AJAX: Test connection. Nonce and manage_options required; the request to the service
	 * is made here, server side, with the stored key.
	 */
	public static function ajax_test_connection() {
		check_ajax_referer( self::AJAX_TEST, 'nonce' );
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_send_json_error( array( 'message' => __( 'Sorry, you are not allowed to do that.', 'source-reliability' ) ), 403 );
		}
		$result = Source_Reliability_Client::test_connection();
		if ( $result['ok'] ) {
			wp_send_json_success( array( 'message' => $result['message'] ) );
		}
		wp_send_json_error( array( 'message' => $result['message'] ), 200 );
	}
}
