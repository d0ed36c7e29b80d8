<?php
/**
 * The posts list: a sortable "Reliability" column.
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Adds, fills and sorts the column.
 */
final class Source_Reliability_List {

	/** The column's key and its orderby value. */
	const COLUMN = 'source_reliability';

	/**
	 * Hooks.
	 */
	public static function init() {
		add_action( 'admin_init', array( __CLASS__, 'register_columns' ) );
		add_action( 'pre_get_posts', array( __CLASS__, 'sort' ) );
		add_filter( 'posts_orderby', array( __CLASS__, 'unscored_last' ), 10, 2 );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
	}

	/**
	 * The column for each enabled post type, for users who may edit posts.
	 */
	public static function register_columns() {
		if ( ! current_user_can( 'edit_posts' ) ) {
			return;
		}
		foreach ( Source_Reliability_Options::get()['post_types'] as $post_type ) {
			add_filter( "manage_{$post_type}_posts_columns", array( __CLASS__, 'columns' ) );
			add_action( "manage_{$post_type}_posts_custom_column", array( __CLASS__, 'cell' ), 10, 2 );
			add_filter( "manage_edit-{$post_type}_sortable_columns", array( __CLASS__, 'sortable' ) );
		}
	}

	/**
	 * Adds the column after the title.
	 *
	 * @param array<string, string> $columns The list's columns.
	 * @return array<string, string>
	 */
	public static function columns( $columns ) {
		$out = array();
		foreach ( $columns as $key => $name ) {
			$out[ $key ] = $name;
			if ( 'title' === $key ) {
				$out[ self::COLUMN ] = __( 'Reliability', 'source-reliability' );
			}
		}
		if ( ! isset( $out[ self::COLUMN ] ) ) {
			$out[ self::COLUMN ] = __( 'Reliability', 'source-reliability' );
		}
		return $out;
	}

	/**
	 * A cell of the column.
	 *
	 * @param string $column  The column.
	 * @param int    $post_id The row's post.
	 */
	public static function cell( $column, $post_id ) {
		if ( self::COLUMN === $column && current_user_can( 'edit_post', $post_id ) ) {
			Source_Reliability_View::render_cell( (int) $post_id );
		}
	}

	/**
	 * Makes the column sortable (first click: lowest score first).
	 *
	 * @param array<string, mixed> $columns Sortable columns.
	 * @return array<string, mixed>
	 */
	public static function sortable( $columns ) {
		$columns[ self::COLUMN ] = array( self::COLUMN, false );
		return $columns;
	}

	/**
	 * Orders the admin list by score (then date); unscored posts are kept, after the scored ones.
	 *
	 * @param WP_Query $query The list's query.
	 */
	public static function sort( $query ) {
		if ( ! is_admin() || ! $query->is_main_query() || self::COLUMN !== $query->get( 'orderby' ) ) {
			return;
		}
		$query->set(
			'meta_query',
			array(
				'relation'                => 'OR',
				'source_reliability_none' => array(
					'key'     => Source_Reliability_Jobs::META_SCORE,
					'compare' => 'NOT EXISTS',
				),
				'source_reliability_score' => array(
					'key'  => Source_Reliability_Jobs::META_SCORE,
					'type' => 'DECIMAL(6,2)',
				),
			)
		);
		$query->set( 'source_reliability_sort', true );
		$order = 'DESC' === strtoupper( (string) $query->get( 'order' ) ) ? 'DESC' : 'ASC';
		$query->set(
			'orderby',
			array(
				'source_reliability_score' => $order,
				'date'                     => 'DESC',
			)
		);
	}

	/**
	 * Puts the posts without a score after the scored ones, in either order.
	 *
	 * @param string   $orderby The ORDER BY clause.
	 * @param WP_Query $query   The query.
	 * @return string
	 */
	public static function unscored_last( $orderby, $query ) {
		if ( ! $query->get( 'source_reliability_sort' ) || ! $query->meta_query instanceof WP_Meta_Query ) {
			return $orderby;
		}
		$clauses = $query->meta_query->get_clauses();
		if ( empty( $clauses['source_reliability_score']['alias'] ) ) {
			return $orderby;
		}
		$alias = preg_replace( '/[^A-Za-z0-9_]/', '', (string) $clauses['source_reliability_score']['alias'] );
		return $alias . '.meta_value IS NULL ASC, ' . $orderby;
	}

	/**
	 * Column styles on the posts list.
	 *
	 * @param string $hook_suffix The admin page.
	 */
	public static function enqueue( $hook_suffix ) {
		if ( 'edit.php' === $hook_suffix ) {
			wp_enqueue_style( 'source-reliability', plugin_dir_url( SOURCE_RELIABILITY_FILE ) . 'assets/source-reliability.css', array(), SOURCE_RELIABILITY_VERSION );
		}
	}
}
