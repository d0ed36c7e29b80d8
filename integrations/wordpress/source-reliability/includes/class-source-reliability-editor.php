<?php
/**
 * The editors: the block editor's sidebar and pre-publish panel (assets/editor.js), and the
 * classic editor's meta box (assets/classic.js).
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Enqueues the editor scripts and renders the classic meta box.
 */
final class Source_Reliability_Editor {

	/** Script handles. */
	const COMMON  = 'source-reliability-common';
	const EDITOR  = 'source-reliability-editor';
	const CLASSIC = 'source-reliability-classic';

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'init', array( __CLASS__, 'register_assets' ) );
		add_action( 'enqueue_block_editor_assets', array( __CLASS__, 'enqueue_block_editor' ) );
		add_action( 'add_meta_boxes', array( __CLASS__, 'add_meta_box' ), 10, 2 );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue_classic' ) );
	}

	/**
	 * Registers the scripts, their translations and the stylesheet.
	 */
	public static function register_assets() {
		$url = plugin_dir_url( SOURCE_RELIABILITY_FILE ) . 'assets/';
		$ver = SOURCE_RELIABILITY_VERSION;
		wp_register_script( self::COMMON, $url . 'common.js', array( 'wp-i18n' ), $ver, true );
		wp_register_script(
			self::EDITOR,
			$url . 'editor.js',
			array( self::COMMON, 'wp-plugins', 'wp-edit-post', 'wp-editor', 'wp-element', 'wp-components', 'wp-data', 'wp-i18n', 'wp-api-fetch', 'wp-rich-text', 'wp-block-editor' ),
			$ver,
			true
		);
		wp_register_script( self::CLASSIC, $url . 'classic.js', array( self::COMMON, 'wp-i18n', 'wp-api-fetch' ), $ver, true );
		wp_register_style( 'source-reliability', $url . 'source-reliability.css', array(), $ver );
		$languages = SOURCE_RELIABILITY_DIR . 'languages';
		wp_set_script_translations( self::COMMON, 'source-reliability', $languages );
		wp_set_script_translations( self::EDITOR, 'source-reliability', $languages );
		wp_set_script_translations( self::CLASSIC, 'source-reliability', $languages );
	}

	/**
	 * What the scripts need (no secret: never the API key).
	 *
	 * @return string JavaScript assigning window.sourceReliabilityConfig.
	 */
	private static function config_script() {
		$config = array(
			'threshold'    => Source_Reliability_Options::get()['threshold'],
			'pollInterval' => 1500,
			'pollTimeout'  => 180000,
			'restPath'     => '/' . Source_Reliability_Rest::NAMESPACE . '/posts/',
		);
		return 'window.sourceReliabilityConfig = ' . wp_json_encode( $config ) . ';';
	}

	/**
	 * Whether the current screen edits a post of an enabled type that this user may edit.
	 *
	 * @return bool
	 */
	private static function on_enabled_edit_screen() {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		return $screen instanceof WP_Screen
			&& 'post' === $screen->base
			&& Source_Reliability_Options::is_enabled_type( $screen->post_type )
			&& current_user_can( 'edit_posts' );
	}

	/**
	 * The block editor's sidebar and pre-publish panel.
	 */
	public static function enqueue_block_editor() {
		if ( ! self::on_enabled_edit_screen() ) {
			return;
		}
		wp_enqueue_script( self::EDITOR );
		wp_add_inline_script( self::COMMON, self::config_script(), 'before' );
		wp_enqueue_style( 'source-reliability' );
	}

	/**
	 * The classic editor's script (the meta box refreshes itself while a result is pending).
	 *
	 * @param string $hook_suffix The admin page.
	 */
	public static function enqueue_classic( $hook_suffix ) {
		if ( ! in_array( $hook_suffix, array( 'post.php', 'post-new.php' ), true ) || ! self::on_enabled_edit_screen() ) {
			return;
		}
		$screen = get_current_screen();
		if ( $screen instanceof WP_Screen && $screen->is_block_editor() ) {
			return;
		}
		wp_enqueue_script( self::CLASSIC );
		wp_add_inline_script( self::COMMON, self::config_script(), 'before' );
		wp_enqueue_style( 'source-reliability' );
	}

	/**
	 * The meta box, for the classic editor only (the block editor has the sidebar).
	 *
	 * @param string  $post_type The post type.
	 * @param WP_Post $post      The post.
	 */
	public static function add_meta_box( $post_type, $post ) {
		if ( ! Source_Reliability_Options::is_enabled_type( $post_type ) || ! $post instanceof WP_Post || ! current_user_can( 'edit_post', $post->ID ) ) {
			return;
		}
		add_meta_box(
			'source-reliability',
			__( 'Source reliability', 'source-reliability' ),
			array( __CLASS__, 'render_meta_box' ),
			$post_type,
			'side',
			'high',
			array( '__back_compat_meta_box' => true )
		);
	}

	/**
	 * The meta box's body.
	 *
	 * @param WP_Post $post The post.
	 */
	public static function render_meta_box( $post ) {
		if ( ! current_user_can( 'edit_post', $post->ID ) ) {
			return;
		}
		$payload = Source_Reliability_Rest::payload( $post->ID );
		echo '<div id="source-reliability-box" class="source-reliability-box" data-post-id="' . esc_attr( (string) $post->ID ) . '" data-state="' . esc_attr( (string) $payload['state'] ) . '">';
		Source_Reliability_View::render_box( $payload );
		echo '</div>';
	}
}
