/**
 * Source reliability in the classic editor: the meta box refreshes itself while a result is
 * pending (polling the plugin's REST route), and a click on a flag selects its text in the
 * visual (TinyMCE) or text editor. Everything is built with DOM methods and textContent.
 */
( function ( window, wp, sr, config ) {
	'use strict';

	const box = window.document.getElementById( 'source-reliability-box' );
	if ( ! box || ! wp || ! wp.apiFetch || ! sr || ! config ) {
		return;
	}
	const { __, _n, sprintf } = wp.i18n;
	const doc = window.document;
	const postId = parseInt( box.getAttribute( 'data-post-id' ), 10 );

	function node( tag, className, text ) {
		const element = doc.createElement( tag );
		if ( className ) {
			element.className = className;
		}
		if ( text !== undefined && text !== null ) {
			element.textContent = String( text );
		}
		return element;
	}

	function notice( kind, className, text ) {
		const wrap = node( 'div', 'notice notice-' + kind + ' inline ' + className );
		wrap.appendChild( node( 'p', '', text ) );
		return wrap;
	}

	function render( value ) {
		while ( box.firstChild ) {
			box.removeChild( box.firstChild );
		}
		box.setAttribute( 'data-state', String( value.state ) );
		const result = value.result;
		if ( value.state === 'pending' ) {
			const status = node( 'p', 'source-reliability-status' );
			status.appendChild( node( 'span', 'spinner is-active source-reliability-spinner' ) );
			status.appendChild( doc.createTextNode( __( 'Scoring in the background…', 'source-reliability' ) ) );
			box.appendChild( status );
		} else if ( value.state === 'error' ) {
			box.appendChild( notice( 'error', 'source-reliability-error', value.error ) );
		} else if ( ! result ) {
			box.appendChild(
				node( 'p', 'source-reliability-status', __( 'Not scored yet: save the post to score it.', 'source-reliability' ) )
			);
		}
		if ( ! result ) {
			return;
		}
		const summary = node( 'p', 'source-reliability-summary' );
		summary.appendChild(
			node(
				'span',
				'source-reliability-score source-reliability-' + String( result.label ),
				/* translators: %s: a score from 0 to 100 */
				sprintf( __( '%s / 100', 'source-reliability' ), sr.formatNumber( result.score, 1 ) )
			)
		);
		summary.appendChild( doc.createTextNode( ' ' ) );
		summary.appendChild( node( 'span', 'source-reliability-label', sr.labelText( result.label ) ) );
		box.appendChild( summary );
		box.appendChild(
			node(
				'p',
				'source-reliability-confidence',
				/* translators: %s: a percentage */
				sprintf( __( 'Confidence: %s%%', 'source-reliability' ), sr.formatNumber( 100 * result.confidence, 0 ) )
			)
		);
		if ( result.score < value.threshold ) {
			box.appendChild(
				notice(
					'warning',
					'source-reliability-warning',
					/* translators: %d: the score threshold set on the settings page */
					sprintf( __( 'Below the threshold of %d: check the flagged passages before publishing.', 'source-reliability' ), value.threshold )
				)
			);
		}
		if ( Array.isArray( result.reasons ) && result.reasons.length ) {
			box.appendChild( node( 'h4', '', __( 'Main reasons', 'source-reliability' ) ) );
			const reasons = node( 'ul', 'source-reliability-reasons' );
			result.reasons.forEach( ( reason ) => reasons.appendChild( node( 'li', '', reason ) ) );
			box.appendChild( reasons );
		}
		const flags = Array.isArray( result.flags ) ? result.flags : [];
		/* translators: %d: number of flagged passages */
		box.appendChild( node( 'h4', '', sprintf( _n( '%d flag', '%d flags', flags.length, 'source-reliability' ), flags.length ) ) );
		if ( flags.length ) {
			const list = node( 'ul', 'source-reliability-flags' );
			flags.forEach( ( flag ) => {
				const item = node( 'li', 'source-reliability-flag' );
				item.setAttribute( 'data-flag-type', String( flag.type ) );
				item.appendChild( node( 'strong', '', sr.flagTypeText( flag.type ) ) );
				item.appendChild( doc.createTextNode( ' ' ) );
				const button = node( 'button', 'button-link source-reliability-flag-text', sr.excerpt( flag.text, 120 ) );
				button.type = 'button';
				button.setAttribute( 'data-text', String( flag.text ) );
				item.appendChild( button );
				if ( flag.suggestion ) {
					item.appendChild( doc.createElement( 'br' ) );
					/* translators: %s: the suggested spelling */
					item.appendChild( node( 'em', '', sprintf( __( 'Suggestion: %s', 'source-reliability' ), flag.suggestion ) ) );
				}
				if ( flag.reason ) {
					item.appendChild( doc.createElement( 'br' ) );
					item.appendChild( node( 'span', 'description', flag.reason ) );
				}
				list.appendChild( item );
			} );
			box.appendChild( list );
		}
		box.appendChild(
			node(
				'p',
				'description source-reliability-meta',
				/* translators: 1: model version, 2: date and time */
				sprintf( __( 'Model %1$s, scored %2$s', 'source-reliability' ), String( result.model_version ), sr.formatTime( result.scored_at ) )
			)
		);
	}

	// -- polling while pending ----------------------------------------------------------------

	const deadline = Date.now() + config.pollTimeout;

	function poll() {
		wp.apiFetch( { path: config.restPath + encodeURIComponent( postId ) } )
			.then( ( value ) => {
				if ( value && typeof value === 'object' ) {
					render( value );
					if ( value.state === 'pending' && Date.now() < deadline ) {
						window.setTimeout( poll, config.pollInterval );
					}
				}
			} )
			.catch( () => {
				if ( Date.now() < deadline ) {
					window.setTimeout( poll, 5 * config.pollInterval );
				}
			} );
	}

	if ( box.getAttribute( 'data-state' ) === 'pending' ) {
		window.setTimeout( poll, config.pollInterval );
	}

	// -- a click on a flag selects its text -----------------------------------------------------

	function selectInVisualEditor( editor, text ) {
		const body = editor.getBody();
		const walker = editor.getDoc().createTreeWalker( body, 5 );
		for ( let current = walker.nextNode(); current; current = walker.nextNode() ) {
			if ( current.nodeType !== 1 || ! /^(P|H[1-6]|LI|BLOCKQUOTE|TD|DIV)$/.test( current.nodeName ) ) {
				continue;
			}
			const range = sr.findText( current.textContent, text );
			if ( range ) {
				const domRange = sr.domRange( current, range.start, range.end );
				if ( domRange ) {
					editor.focus();
					editor.selection.setRng( domRange );
					editor.selection.scrollIntoView();
					return true;
				}
			}
		}
		return false;
	}

	function selectInTextarea( text ) {
		const area = doc.getElementById( 'content' );
		if ( ! area ) {
			return false;
		}
		const range = sr.findText( area.value, text );
		if ( ! range ) {
			return false;
		}
		area.focus();
		area.setSelectionRange( range.start, range.end );
		return true;
	}

	box.addEventListener( 'click', ( event ) => {
		const button = event.target.closest( '.source-reliability-flag-text' );
		if ( ! button ) {
			return;
		}
		event.preventDefault();
		const text = button.getAttribute( 'data-text' ) || '';
		const editor = window.tinymce && window.tinymce.get( 'content' );
		const found = editor && ! editor.isHidden() ? selectInVisualEditor( editor, text ) : selectInTextarea( text );
		button.setAttribute( 'aria-pressed', found ? 'true' : 'false' );
	} );
}( window, window.wp, window.sourceReliability, window.sourceReliabilityConfig ) );
