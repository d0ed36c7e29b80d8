<?php
/**
 * Uninstall: removes the plugin's options, post meta and scheduled jobs (on every site of a
 * network).
 *
 * @package SourceReliability
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

/**
 * Removes the plugin's data from the current site.
 */
function source_reliability_uninstall_site() {
	delete_option( 'source_reliability_settings' );
	delete_option( 'source_reliability_api_key' );
	wp_unschedule_hook( 'source_reliability_score_post' );
	wp_unschedule_hook( 'source_reliability_forget_article' );
	$keys = array(
		'_source_reliability_result',
		'_source_reliability_score',
		'_source_reliability_label',
		'_source_reliability_scored_at',
		'_source_reliability_state',
		'_source_reliability_job',
		'_source_reliability_error',
	);
	foreach ( $keys as $key ) {
		delete_post_meta_by_key( $key );
	}
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $source_reliability_site ) {
		switch_to_blog( (int) $source_reliability_site );
		source_reliability_uninstall_site();
		restore_current_blog();
	}
} else {
	source_reliability_uninstall_site();
}
