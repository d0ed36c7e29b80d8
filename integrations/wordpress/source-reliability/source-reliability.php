<?php
/**
 * Plugin Name:       Source reliability
 * Description:       Scores every draft with the source-reliability service before it is published: score, reasons and flagged passages in the editor, a warning before publishing.
 * Version:           0.1.1
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * Author:            Source reliability
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       source-reliability
 * Domain Path:       /languages
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

define( 'SOURCE_RELIABILITY_VERSION', '0.1.1' );
define( 'SOURCE_RELIABILITY_FILE', __FILE__ );
define( 'SOURCE_RELIABILITY_DIR', plugin_dir_path( __FILE__ ) );

require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-options.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-client.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-jobs.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-rest.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-view.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-editor.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-settings.php';
require_once SOURCE_RELIABILITY_DIR . 'includes/class-source-reliability-list.php';

/**
 * Loads the plugin's translations (languages/source-reliability-LOCALE.mo).
 */
function source_reliability_load_textdomain() {
	load_plugin_textdomain( 'source-reliability', false, dirname( plugin_basename( SOURCE_RELIABILITY_FILE ) ) . '/languages' );
}
add_action( 'init', 'source_reliability_load_textdomain', 0 );

/**
 * Creates the options on activation; the API key is never autoloaded.
 */
function source_reliability_activate() {
	add_option( Source_Reliability_Options::SETTINGS, Source_Reliability_Options::defaults() );
	add_option( Source_Reliability_Options::API_KEY, '', '', false );
}
register_activation_hook( __FILE__, 'source_reliability_activate' );

/**
 * Drops the pending background jobs on deactivation (options and results stay until uninstall).
 */
function source_reliability_deactivate() {
	wp_unschedule_hook( Source_Reliability_Jobs::HOOK );
	wp_unschedule_hook( Source_Reliability_Jobs::FORGET_HOOK );
}
register_deactivation_hook( __FILE__, 'source_reliability_deactivate' );

Source_Reliability_Jobs::init();
Source_Reliability_Rest::init();
Source_Reliability_Editor::init();
Source_Reliability_Settings::init();
Source_Reliability_List::init();
