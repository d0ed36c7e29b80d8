/**
 * Source reliability: helpers shared by the block editor and classic editor scripts.
 * Plain JavaScript against WordPress's globals; no build step. Text from the service is
 * only ever set as text (textContent, React children), never parsed as HTML.
 */
( function ( window ) {
	'use strict';

	const i18n = window.wp && window.wp.i18n;
	const __ = i18n ? i18n.__ : ( text ) => text;

	// The service normalizes typography before it computes flags (typographic quotes to ASCII,
	// no-break spaces to spaces, the ellipsis to three dots, runs of white space to one); fold
	// the editor's text the same way, keeping where each folded character came from.
	const FOLD = {
		'\u2018': "'",
		'\u2019': "'",
		'\u201A': "'",
		'\u2032': "'",
		'\u201C': '"',
		'\u201D': '"',
		'\u201E': '"',
		'\u00AB': '"',
		'\u00BB': '"',
		'\u2026': '...',
		'\u00AD': '',
		'\u200B': '',
		'\uFEFF': '',
	};
	const SPACE = /[\s\u00A0\u2000-\u200A\u202F\u205F\u3000]/;

	function fold( text ) {
		let out = '';
		const map = [];
		let lastSpace = false;
		for ( let i = 0; i < text.length; i++ ) {
			let ch = text[ i ];
			if ( Object.prototype.hasOwnProperty.call( FOLD, ch ) ) {
				ch = FOLD[ ch ];
			}
			if ( ch.length === 1 && SPACE.test( ch ) ) {
				if ( lastSpace ) {
					continue;
				}
				ch = ' ';
				lastSpace = true;
			} else if ( ch.length ) {
				lastSpace = false;
			}
			for ( let k = 0; k < ch.length; k++ ) {
				out += ch[ k ];
				map.push( i );
			}
		}
		return { text: out, map };
	}

	/**
	 * Where `needle` (a flag's text, as the service normalized it) is in `haystack` (a block's
	 * plain text): { start, end } offsets into haystack, or null. Falls back to the flag's
	 * first 80 characters when the whole text is not found (a flag spanning two blocks).
	 *
	 * @param {string} haystack Text to search.
	 * @param {string} needle   Text to find.
	 * @return {{start: number, end: number}|null} The range, or null.
	 */
	function findText( haystack, needle ) {
		const hay = fold( String( haystack ) );
		const full = fold( String( needle ) ).text.trim();
		const tries = full.length > 80 ? [ full, full.slice( 0, 80 ).trim() ] : [ full ];
		for ( const wanted of tries ) {
			if ( ! wanted ) {
				continue;
			}
			const at = hay.text.indexOf( wanted );
			if ( at >= 0 ) {
				return {
					start: hay.map[ at ],
					end: hay.map[ at + wanted.length - 1 ] + 1,
				};
			}
		}
		return null;
	}

	function labelText( label ) {
		switch ( label ) {
			case 'reliable':
				return __( 'reliable', 'source-reliability' );
			case 'mixed':
				return __( 'mixed', 'source-reliability' );
			case 'unreliable':
				return __( 'unreliable', 'source-reliability' );
		}
		return '';
	}

	function flagTypeText( type ) {
		switch ( type ) {
			case 'unsupported_claim':
				return __( 'Unsupported claim', 'source-reliability' );
			case 'generic_assertion':
				return __( 'Generic assertion', 'source-reliability' );
			case 'misspelled_name':
				return __( 'Misspelled name', 'source-reliability' );
			case 'furniture':
				return __( 'Page furniture', 'source-reliability' );
			case 'duplicate':
				return __( 'Duplicate', 'source-reliability' );
			case 'contradiction':
				return __( 'Contradiction', 'source-reliability' );
			case 'loaded_language':
				return __( 'Loaded language', 'source-reliability' );
			case 'translation_artefact':
				return __( 'Translation artefact', 'source-reliability' );
			case 'spelling':
				return __( 'Spelling', 'source-reliability' );
			case 'derivative':
				return __( 'Rewrite of another article', 'source-reliability' );
		}
		return __( 'Other', 'source-reliability' );
	}

	function formatNumber( value, digits ) {
		const lang = window.document.documentElement.lang || undefined;
		try {
			return new Intl.NumberFormat( lang, { maximumFractionDigits: digits } ).format( value );
		} catch ( e ) {
			return String( value );
		}
	}

	function formatTime( iso ) {
		const date = new Date( iso );
		if ( isNaN( date.getTime() ) ) {
			return '';
		}
		const lang = window.document.documentElement.lang || undefined;
		try {
			return date.toLocaleString( lang );
		} catch ( e ) {
			return date.toISOString();
		}
	}

	/** A short excerpt of a flag's text for a list. */
	function excerpt( text, max ) {
		const value = String( text );
		return value.length > max ? value.slice( 0, max - 1 ) + '\u2026' : value;
	}

	/**
	 * Selects `range` (plain-text offsets) inside a contenteditable element: text nodes count
	 * their length, a <br> counts one character (as in the editor's rich-text values).
	 *
	 * @param {Element} root  The editable element.
	 * @param {number}  start Start offset.
	 * @param {number}  end   End offset.
	 * @return {Range|null} The DOM range, or null.
	 */
	function domRange( root, start, end ) {
		const doc = root.ownerDocument;
		const walker = doc.createTreeWalker( root, 5 /* SHOW_ELEMENT | SHOW_TEXT */ );
		const range = doc.createRange();
		let offset = 0;
		let started = false;
		let node = walker.currentNode;
		while ( node ) {
			if ( node.nodeType === 3 ) {
				const length = node.nodeValue.length;
				if ( ! started && start <= offset + length ) {
					range.setStart( node, start - offset );
					started = true;
				}
				if ( started && end <= offset + length ) {
					range.setEnd( node, end - offset );
					return range;
				}
				offset += length;
			} else if ( node.nodeName === 'BR' ) {
				offset += 1;
			}
			node = walker.nextNode();
		}
		return null;
	}

	window.sourceReliability = {
		findText,
		labelText,
		flagTypeText,
		formatNumber,
		formatTime,
		excerpt,
		domRange,
	};
}( window ) );
