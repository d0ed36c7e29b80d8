<?php
/**
 * Server-side rendering of a result (classic editor meta box, posts list). Everything the
 * service sent is escaped on output.
 *
 * @package SourceReliability
 */

defined( 'ABSPATH' ) || exit;

/**
 * Renders results as escaped HTML.
 */
final class Source_Reliability_View {

	/**
	 * The translated name of a label.
	 *
	 * @param string $label reliable, mixed or unreliable.
	 * @return string
	 */
	public static function label_text( $label ) {
		switch ( $label ) {
			case 'reliable':
				return __( 'reliable', 'source-reliability' );
			case 'mixed':
				return __( 'mixed', 'source-reliability' );
			case 'unreliable':
				return __( 'unreliable', 'source-reliability' );
		}
		return '';
	}

	/**
	 * The translated name of a flag type.
	 *
	 * @param string $type A flag type.
	 * @return string
	 */
	public static function flag_type_text( $type ) {
		$names = array(
			'unsupported_claim'    => __( 'Unsupported claim', 'source-reliability' ),
			'generic_assertion'    => __( 'Generic assertion', 'source-reliability' ),
			'misspelled_name'      => __( 'Misspelled name', 'source-reliability' ),
			'furniture'            => __( 'Page furniture', 'source-reliability' ),
			'duplicate'            => __( 'Duplicate', 'source-reliability' ),
			'contradiction'        => __( 'Contradiction', 'source-reliability' ),
			'loaded_language'      => __( 'Loaded language', 'source-reliability' ),
			'translation_artefact' => __( 'Translation artefact', 'source-reliability' ),
			'spelling'             => __( 'Spelling', 'source-reliability' ),
			'derivative'           => __( 'Rewrite of another article', 'source-reliability' ),
		);
		return $names[ $type ] ?? __( 'Other', 'source-reliability' );
	}

	/**
	 * A score as the service gives it (one decimal at most), in the site's number format.
	 *
	 * @param float $score The score.
	 * @return string
	 */
	public static function format_score( $score ) {
		$score = round( (float) $score, 1 );
		return number_format_i18n( $score, floor( $score ) === $score ? 0 : 1 );
	}

	/**
	 * Echoes the meta box body: state, score, label, confidence, reasons and flags.
	 *
	 * @param array<string, mixed> $payload Source_Reliability_Rest::payload().
	 */
	public static function render_box( array $payload ) {
		$state     = (string) $payload['state'];
		$result    = is_array( $payload['result'] ) ? $payload['result'] : null;
		$threshold = (int) $payload['threshold'];

		if ( 'pending' === $state ) {
			echo '<p class="source-reliability-status"><span class="spinner is-active source-reliability-spinner"></span>'
				. esc_html__( 'Scoring in the background…', 'source-reliability' ) . '</p>';
		} elseif ( 'error' === $state ) {
			echo '<div class="notice notice-error inline source-reliability-error"><p>'
				. esc_html( (string) $payload['error'] ) . '</p></div>';
		} elseif ( null === $result ) {
			echo '<p class="source-reliability-status">' . esc_html__( 'Not scored yet: save the post to score it.', 'source-reliability' ) . '</p>';
		}
		if ( null === $result ) {
			return;
		}

		$score = (float) $result['score'];
		$label = (string) $result['label'];
		echo '<p class="source-reliability-summary">';
		echo '<span class="source-reliability-score source-reliability-' . esc_attr( $label ) . '">'
			/* translators: %s: a score from 0 to 100 */
			. esc_html( sprintf( __( '%s / 100', 'source-reliability' ), self::format_score( $score ) ) ) . '</span> ';
		echo '<span class="source-reliability-label">' . esc_html( self::label_text( $label ) ) . '</span>';
		echo '</p>';
		echo '<p class="source-reliability-confidence">'
			/* translators: %s: a percentage */
			. esc_html( sprintf( __( 'Confidence: %s%%', 'source-reliability' ), number_format_i18n( 100 * (float) $result['confidence'] ) ) ) . '</p>';
		if ( $score < $threshold ) {
			echo '<div class="notice notice-warning inline source-reliability-warning"><p>'
				/* translators: %d: the score threshold set on the settings page */
				. esc_html( sprintf( __( 'Below the threshold of %d: check the flagged passages before publishing.', 'source-reliability' ), $threshold ) )
				. '</p></div>';
		}

		if ( ! empty( $result['reasons'] ) && is_array( $result['reasons'] ) ) {
			echo '<h4>' . esc_html__( 'Main reasons', 'source-reliability' ) . '</h4><ul class="source-reliability-reasons">';
			foreach ( $result['reasons'] as $reason ) {
				echo '<li>' . esc_html( (string) $reason ) . '</li>';
			}
			echo '</ul>';
		}

		$flags = ! empty( $result['flags'] ) && is_array( $result['flags'] ) ? $result['flags'] : array();
		echo '<h4>' . esc_html(
			/* translators: %d: number of flagged passages */
			sprintf( _n( '%d flag', '%d flags', count( $flags ), 'source-reliability' ), count( $flags ) )
		) . '</h4>';
		if ( $flags ) {
			echo '<ul class="source-reliability-flags">';
			foreach ( $flags as $flag ) {
				if ( ! is_array( $flag ) ) {
					continue;
				}
				echo '<li class="source-reliability-flag" data-flag-type="' . esc_attr( (string) $flag['type'] ) . '">';
				echo '<strong>' . esc_html( self::flag_type_text( (string) $flag['type'] ) ) . '</strong> ';
				echo '<button type="button" class="button-link source-reliability-flag-text" data-text="' . esc_attr( (string) $flag['text'] ) . '">'
					. esc_html( wp_html_excerpt( (string) $flag['text'], 120, '…' ) ) . '</button>';
				if ( ! empty( $flag['suggestion'] ) ) {
					/* translators: %s: the suggested spelling */
					echo '<br><em>' . esc_html( sprintf( __( 'Suggestion: %s', 'source-reliability' ), (string) $flag['suggestion'] ) ) . '</em>';
				}
				if ( ! empty( $flag['reason'] ) ) {
					echo '<br><span class="description">' . esc_html( (string) $flag['reason'] ) . '</span>';
				}
				echo '</li>';
			}
			echo '</ul>';
		}

		$time = isset( $result['scored_at'] ) ? strtotime( (string) $result['scored_at'] ) : false;
		echo '<p class="description source-reliability-meta">';
		echo esc_html(
			sprintf(
				/* translators: 1: model version, 2: date and time */
				__( 'Model %1$s, scored %2$s', 'source-reliability' ),
				(string) $result['model_version'],
				false !== $time ? wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time ) : ''
			)
		);
		echo '</p>';
	}

	/**
	 * Echoes the posts-list cell.
	 *
	 * @param int $post_id The post ID.
	 */
	public static function render_cell( $post_id ) {
		$state  = Source_Reliability_Jobs::state( $post_id );
		$result = Source_Reliability_Jobs::result( $post_id );
		if ( null !== $result ) {
			$label = (string) $result['label'];
			echo '<span class="source-reliability-score source-reliability-' . esc_attr( $label ) . '">'
				. esc_html( self::format_score( (float) $result['score'] ) ) . '</span> '
				. '<span class="source-reliability-label">' . esc_html( self::label_text( $label ) ) . '</span>';
		}
		if ( 'pending' === $state ) {
			echo ' <span class="source-reliability-pending">' . esc_html__( 'scoring…', 'source-reliability' ) . '</span>';
		} elseif ( 'error' === $state ) {
			echo ' <span class="source-reliability-error" title="' . esc_attr( (string) get_post_meta( $post_id, Source_Reliability_Jobs::META_ERROR, true ) ) . '">'
				. esc_html__( 'error', 'source-reliability' ) . '</span>';
		} elseif ( null === $result ) {
			echo '<span aria-hidden="true">—</span><span class="screen-reader-text">' . esc_html__( 'Not scored', 'source-reliability' ) . '</span>';
		}
	}
}
