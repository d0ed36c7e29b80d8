<?php
/**
 * Every value an echo or print statement outputs must be a literal or go through an escaping
 * function: a small stand-in for WordPress-Coding-Standards' EscapeOutput sniff, which Debian
 * does not package.
 *
 * @package SourceReliability
 */

namespace SourceReliability\Sniffs\Security;

use PHP_CodeSniffer\Files\File;
use PHP_CodeSniffer\Sniffs\Sniff;

/**
 * Flags echo/print operands that are neither literals nor escaped.
 */
class EscapedOutputSniff implements Sniff {

	/**
	 * Functions whose result is safe to print.
	 *
	 * @var array<int, string>
	 */
	public $safe_functions = array(
		'esc_html',
		'esc_attr',
		'esc_url',
		'esc_textarea',
		'esc_js',
		'esc_html__',
		'esc_attr__',
		'esc_html_x',
		'esc_attr_x',
		'wp_kses',
		'wp_kses_post',
		'wp_kses_data',
		'checked',
		'selected',
		'disabled',
		'absint',
		'intval',
		'wp_json_encode',
		'get_submit_button',
		'wp_nonce_field',
	);

	/**
	 * Tokens this sniff looks at.
	 *
	 * @return array<int, int>
	 */
	public function register() {
		return array( T_ECHO, T_PRINT, T_OPEN_TAG_WITH_ECHO );
	}

	/**
	 * Checks one statement.
	 *
	 * @param File $phpcs_file The file.
	 * @param int  $stack_ptr  The echo token.
	 * @return void
	 */
	public function process( File $phpcs_file, $stack_ptr ) {
		$tokens = $phpcs_file->getTokens();
		$end    = $phpcs_file->findNext( array( T_SEMICOLON, T_CLOSE_TAG ), $stack_ptr + 1 );
		if ( false === $end ) {
			return;
		}
		$this->check_expression( $phpcs_file, $tokens, $stack_ptr + 1, $end );
	}

	/**
	 * Checks the operands of an output expression between $start and $end (exclusive):
	 * split on concatenation, commas and the branches of a ternary (its condition is not output).
	 *
	 * @param File                              $phpcs_file The file.
	 * @param array<int, array<string, mixed>> $tokens     The file's tokens.
	 * @param int                               $start      First token.
	 * @param int                               $end        Token after the last one.
	 * @return void
	 */
	private function check_expression( File $phpcs_file, array $tokens, $start, $end ) {
		$operand = $start;
		$depth   = 0;
		for ( $i = $start; $i <= $end; $i++ ) {
			$code = $i < $end ? $tokens[ $i ]['code'] : null;
			if ( in_array( $code, array( T_OPEN_PARENTHESIS, T_OPEN_SHORT_ARRAY, T_OPEN_SQUARE_BRACKET ), true ) ) {
				$depth++;
				continue;
			}
			if ( in_array( $code, array( T_CLOSE_PARENTHESIS, T_CLOSE_SHORT_ARRAY, T_CLOSE_SQUARE_BRACKET ), true ) ) {
				$depth--;
				continue;
			}
			if ( $depth > 0 && $i < $end ) {
				continue;
			}
			if ( T_INLINE_THEN === $code ) {
				$operand = $i + 1; // What came before is the condition.
				continue;
			}
			if ( $i === $end || in_array( $code, array( T_STRING_CONCAT, T_COMMA, T_INLINE_ELSE ), true ) ) {
				$this->check_operand( $phpcs_file, $tokens, $operand, $i );
				$operand = $i + 1;
			}
		}
	}

	/**
	 * One operand: a literal, a safe function's call, or a parenthesized expression of those.
	 *
	 * @param File                              $phpcs_file The file.
	 * @param array<int, array<string, mixed>> $tokens     The file's tokens.
	 * @param int                               $start      First token.
	 * @param int                               $end        Token after the last one.
	 * @return void
	 */
	private function check_operand( File $phpcs_file, array $tokens, $start, $end ) {
		$first = $phpcs_file->findNext( array( T_WHITESPACE, T_COMMENT ), $start, $end, true );
		if ( false === $first ) {
			return;
		}
		$code = $tokens[ $first ]['code'];
		if ( in_array( $code, array( T_CONSTANT_ENCAPSED_STRING, T_LNUMBER, T_DNUMBER ), true ) ) {
			return;
		}
		if ( T_OPEN_PARENTHESIS === $code && isset( $tokens[ $first ]['parenthesis_closer'] ) ) {
			$this->check_expression( $phpcs_file, $tokens, $first + 1, $tokens[ $first ]['parenthesis_closer'] );
			return;
		}
		if ( T_STRING === $code && in_array( strtolower( $tokens[ $first ]['content'] ), $this->safe_functions, true ) ) {
			$open = $phpcs_file->findNext( T_WHITESPACE, $first + 1, null, true );
			if ( false !== $open && T_OPEN_PARENTHESIS === $tokens[ $open ]['code'] && isset( $tokens[ $open ]['parenthesis_closer'] ) ) {
				$after = $phpcs_file->findNext( array( T_WHITESPACE, T_COMMENT ), $tokens[ $open ]['parenthesis_closer'] + 1, $end, true );
				if ( false === $after ) {
					return;
				}
			}
		}
		$phpcs_file->addError(
			'Output not escaped: %s. Print literals or the result of an escaping function (esc_html, esc_attr, esc_url, wp_kses...).',
			$first,
			'Unescaped',
			array( trim( $phpcs_file->getTokensAsString( $first, max( 1, min( 8, $end - $first ) ) ) ) )
		);
	}
}
