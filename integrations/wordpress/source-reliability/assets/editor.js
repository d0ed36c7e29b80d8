/**
 * Source reliability in the block editor: a sidebar with the score, label, confidence, main
 * reasons and flags (a click on a flag selects its text in the content), and a pre-publish
 * panel that warns when the score is under the threshold. After each save the panel polls
 * the plugin's REST route until the background result arrives.
 *
 * Plain JavaScript against the editor's globals (no build step). WordPress 6.1 has the
 * plugin slots in wp.editPost; newer versions have them in wp.editor: both are supported.
 */
( function ( wp, sr, config ) {
	'use strict';

	if ( ! wp || ! wp.plugins || ! wp.element || ! wp.data || ! sr || ! config ) {
		return;
	}

	const el = wp.element.createElement;
	const { Fragment, useEffect, useState } = wp.element;
	const { __, _n, sprintf } = wp.i18n;
	const { Button, Notice, PanelBody, Spinner } = wp.components;
	const data = wp.data;
	const slots = wp.editor && wp.editor.PluginSidebar ? wp.editor : wp.editPost || {};
	const PluginSidebar = slots.PluginSidebar;
	const PluginSidebarMoreMenuItem = slots.PluginSidebarMoreMenuItem;
	const PluginPrePublishPanel = slots.PluginPrePublishPanel;
	const SIDEBAR = 'source-reliability-sidebar';
	const ICON = 'shield';

	if ( ! PluginSidebar ) {
		return;
	}

	// -- the result, shared by the sidebar and the pre-publish panel ------------------------

	const store = { value: null, error: '', polling: false };
	const listeners = new Set();
	let timer = null;
	let deadline = 0;
	let started = false;

	function emit() {
		listeners.forEach( ( listener ) => listener() );
	}

	function useResult() {
		const [ , setTick ] = useState( 0 );
		useEffect( () => {
			const listener = () => setTick( ( tick ) => tick + 1 );
			listeners.add( listener );
			return () => listeners.delete( listener );
		}, [] );
		return store;
	}

	function currentPostId() {
		const editor = data.select( 'core/editor' );
		return editor ? editor.getCurrentPostId() : 0;
	}

	function fetchResult() {
		const postId = currentPostId();
		if ( ! postId ) {
			return Promise.resolve();
		}
		return wp
			.apiFetch( { path: config.restPath + encodeURIComponent( postId ) } )
			.then( ( value ) => {
				store.value = value && typeof value === 'object' ? value : null;
				store.error = '';
			} )
			.catch( ( error ) => {
				store.error =
					error && typeof error.message === 'string'
						? error.message
						: __( 'The score could not be loaded.', 'source-reliability' );
			} );
	}

	function poll() {
		timer = null;
		fetchResult().then( () => {
			const pending = store.value && store.value.state === 'pending';
			store.polling = Boolean( pending && Date.now() < deadline );
			if ( store.polling ) {
				timer = window.setTimeout( poll, config.pollInterval );
			}
			emit();
		} );
	}

	/** Reads the result now, then every pollInterval ms while it is pending (up to pollTimeout). */
	function startPolling() {
		deadline = Date.now() + config.pollTimeout;
		if ( timer ) {
			window.clearTimeout( timer );
		}
		store.polling = true;
		emit();
		poll();
	}

	// A save (not an autosave) that succeeded has queued a scoring job: follow it.
	let wasSaving = false;
	data.subscribe( () => {
		const editor = data.select( 'core/editor' );
		if ( ! editor ) {
			return;
		}
		const saving = editor.isSavingPost() && ! editor.isAutosavingPost();
		if ( wasSaving && ! saving && editor.didPostSaveRequestSucceed() ) {
			startPolling();
		}
		wasSaving = saving;
	} );

	// -- selecting a flag's text in the content ---------------------------------------------

	const TEXT_ATTRIBUTES = [ 'content', 'value', 'citation', 'caption', 'text' ];

	function plainText( value ) {
		const html =
			typeof value === 'string'
				? value
				: value && typeof value.toHTMLString === 'function'
				? value.toHTMLString()
				: String( value );
		return wp.richText.create( { html } ).text;
	}

	function textAttributes( blocks, out ) {
		blocks.forEach( ( block ) => {
			TEXT_ATTRIBUTES.forEach( ( key ) => {
				const value = block.attributes ? block.attributes[ key ] : undefined;
				if ( value !== undefined && value !== null && value !== '' && typeof value !== 'number' ) {
					out.push( { clientId: block.clientId, key, text: plainText( value ) } );
				}
			} );
			if ( block.innerBlocks && block.innerBlocks.length ) {
				textAttributes( block.innerBlocks, out );
			}
		} );
		return out;
	}

	function canvasDocument() {
		const iframe = window.document.querySelector( 'iframe[name="editor-canvas"]' );
		return iframe && iframe.contentDocument ? iframe.contentDocument : window.document;
	}

	/** Puts the browser's selection on the range too, so the editor shows it and scrolls to it. */
	function showSelection( clientId, range ) {
		window.setTimeout( () => {
			const doc = canvasDocument();
			const block = doc.querySelector( '[data-block="' + window.CSS.escape( clientId ) + '"]' );
			if ( ! block ) {
				return;
			}
			const editable = block.isContentEditable ? block : block.querySelector( '[contenteditable="true"]' );
			if ( ! editable ) {
				return;
			}
			const domRange = sr.domRange( editable, range.start, range.end );
			editable.focus();
			if ( domRange ) {
				const selection = doc.defaultView.getSelection();
				selection.removeAllRanges();
				selection.addRange( domRange );
			}
			block.scrollIntoView( { block: 'center' } );
		}, 50 );
	}

	/**
	 * Selects a flag's text: finds it in the blocks' rich text and sets the block editor's
	 * selection on it. Returns 'content', 'title' or '' (not found).
	 *
	 * @param {Object} flag A flag of the result.
	 * @return {string} Where the text was found.
	 */
	function selectFlag( flag ) {
		const blocks = data.select( 'core/block-editor' ).getBlocks();
		for ( const candidate of textAttributes( blocks, [] ) ) {
			const range = sr.findText( candidate.text, flag.text );
			if ( range ) {
				data.dispatch( 'core/block-editor' ).selectionChange( candidate.clientId, candidate.key, range.start, range.end );
				showSelection( candidate.clientId, range );
				return 'content';
			}
		}
		const title = data.select( 'core/editor' ).getEditedPostAttribute( 'title' ) || '';
		return sr.findText( title, flag.text ) ? 'title' : '';
	}

	// -- rendering ----------------------------------------------------------------------------

	function Summary( { result, threshold, compact } ) {
		const below = result.score < threshold;
		return el(
			Fragment,
			null,
			el(
				'p',
				{ className: 'source-reliability-summary' },
				el(
					'span',
					{ className: 'source-reliability-score source-reliability-' + result.label },
					/* translators: %s: a score from 0 to 100 */
					sprintf( __( '%s / 100', 'source-reliability' ), sr.formatNumber( result.score, 1 ) )
				),
				' ',
				el( 'span', { className: 'source-reliability-label' }, sr.labelText( result.label ) )
			),
			el(
				'p',
				{ className: 'source-reliability-confidence' },
				/* translators: %s: a percentage */
				sprintf( __( 'Confidence: %s%%', 'source-reliability' ), sr.formatNumber( 100 * result.confidence, 0 ) )
			),
			below
				? el(
						Notice,
						{ status: 'warning', isDismissible: false, className: 'source-reliability-warning' },
						compact
							? sprintf(
									/* translators: 1: the score, 2: the threshold */
									__(
										'This post scores %1$s, under the threshold of %2$s. Check the flagged passages before publishing; you can still publish.',
										'source-reliability'
									),
									sr.formatNumber( result.score, 1 ),
									threshold
							  )
							: sprintf(
									/* translators: %d: the score threshold set on the settings page */
									__( 'Below the threshold of %d: check the flagged passages before publishing.', 'source-reliability' ),
									threshold
							  )
				  )
				: null
		);
	}

	function Reasons( { reasons } ) {
		if ( ! Array.isArray( reasons ) || ! reasons.length ) {
			return null;
		}
		return el(
			Fragment,
			null,
			el( 'h4', null, __( 'Main reasons', 'source-reliability' ) ),
			el(
				'ul',
				{ className: 'source-reliability-reasons' },
				reasons.map( ( reason, index ) => el( 'li', { key: index }, String( reason ) ) )
			)
		);
	}

	function Flags( { flags, onSelect, message } ) {
		const list = Array.isArray( flags ) ? flags : [];
		return el(
			Fragment,
			null,
			/* translators: %d: number of flagged passages */
			el( 'h4', null, sprintf( _n( '%d flag', '%d flags', list.length, 'source-reliability' ), list.length ) ),
			list.length
				? el(
						'ul',
						{ className: 'source-reliability-flags' },
						list.map( ( flag, index ) =>
							el(
								'li',
								{ key: index, className: 'source-reliability-flag', 'data-flag-type': String( flag.type ) },
								el( 'strong', null, sr.flagTypeText( flag.type ) ),
								' ',
								el(
									Button,
									{
										variant: 'link',
										className: 'source-reliability-flag-text',
										onClick: () => onSelect( flag ),
									},
									sr.excerpt( flag.text, 120 )
								),
								flag.suggestion
									? el(
											'div',
											{ className: 'source-reliability-suggestion' },
											/* translators: %s: the suggested spelling */
											sprintf( __( 'Suggestion: %s', 'source-reliability' ), String( flag.suggestion ) )
									  )
									: null,
								flag.reason ? el( 'div', { className: 'source-reliability-reason' }, String( flag.reason ) ) : null
							)
						)
				  )
				: null,
			message ? el( 'p', { className: 'source-reliability-select-message', role: 'status' }, message ) : null
		);
	}

	function ResultView( { compact } ) {
		const state = useResult();
		const [ message, setMessage ] = useState( '' );
		const value = state.value;
		const parts = [];

		if ( state.error ) {
			parts.push( el( Notice, { key: 'load-error', status: 'error', isDismissible: false }, state.error ) );
		}
		if ( ! value ) {
			if ( ! state.error ) {
				parts.push( el( Spinner, { key: 'loading' } ) );
			}
			return el( 'div', { className: 'source-reliability-panel' }, parts );
		}
		const result = value.result;
		const threshold = typeof value.threshold === 'number' ? value.threshold : config.threshold;

		if ( value.state === 'pending' ) {
			parts.push(
				el(
					'p',
					{ key: 'pending', className: 'source-reliability-status source-reliability-pending' },
					el( Spinner, null ),
					result
						? __( 'Scoring the saved version in the background; the result below is the previous one.', 'source-reliability' )
						: __( 'Scoring in the background…', 'source-reliability' )
				)
			);
		} else if ( value.state === 'error' ) {
			parts.push(
				el(
					Notice,
					{ key: 'error', status: 'error', isDismissible: false, className: 'source-reliability-error' },
					String( value.error || __( 'Scoring failed.', 'source-reliability' ) )
				)
			);
		}
		if ( ! result ) {
			if ( value.state === 'none' ) {
				parts.push(
					el(
						'p',
						{ key: 'none', className: 'source-reliability-status' },
						compact
							? __( 'Not scored yet: save a draft to score it before publishing.', 'source-reliability' )
							: __( 'Not scored yet: save the post to score it.', 'source-reliability' )
					)
				);
			}
			return el( 'div', { className: 'source-reliability-panel', 'data-state': value.state }, parts );
		}

		parts.push( el( Summary, { key: 'summary', result, threshold, compact } ) );
		if ( compact ) {
			const count = Array.isArray( result.flags ) ? result.flags.length : 0;
			parts.push(
				el(
					'p',
					{ key: 'count', className: 'source-reliability-flag-count' },
					/* translators: %d: number of flagged passages */
					sprintf( _n( '%d flagged passage.', '%d flagged passages.', count, 'source-reliability' ), count )
				)
			);
			parts.push( el( Reasons, { key: 'reasons', reasons: ( result.reasons || [] ).slice( 0, 2 ) } ) );
		} else {
			parts.push( el( Reasons, { key: 'reasons', reasons: result.reasons } ) );
			parts.push(
				el( Flags, {
					key: 'flags',
					flags: result.flags,
					message,
					onSelect: ( flag ) => {
						const where = selectFlag( flag );
						setMessage(
							where === 'content'
								? ''
								: where === 'title'
								? __( 'This passage is in the title.', 'source-reliability' )
								: __( 'This passage was not found in the content (it may have been edited since).', 'source-reliability' )
						);
					},
				} )
			);
		}
		parts.push(
			el(
				'p',
				{ key: 'meta', className: 'source-reliability-meta' },
				sprintf(
					/* translators: 1: model version, 2: date and time */
					__( 'Model %1$s, scored %2$s', 'source-reliability' ),
					String( result.model_version ),
					sr.formatTime( result.scored_at )
				)
			)
		);
		return el( 'div', { className: 'source-reliability-panel', 'data-state': value.state }, parts );
	}

	function SourceReliabilityPlugin() {
		useEffect( () => {
			if ( ! started ) {
				started = true;
				startPolling();
			}
		}, [] );
		const title = __( 'Source reliability', 'source-reliability' );
		return el(
			Fragment,
			null,
			PluginSidebarMoreMenuItem ? el( PluginSidebarMoreMenuItem, { target: SIDEBAR, icon: ICON }, title ) : null,
			el(
				PluginSidebar,
				{ name: SIDEBAR, title, icon: ICON, className: 'source-reliability-sidebar' },
				el( PanelBody, null, el( ResultView, { compact: false } ) )
			),
			PluginPrePublishPanel
				? el(
						PluginPrePublishPanel,
						{ title, initialOpen: true, className: 'source-reliability-prepublish' },
						el( ResultView, { compact: true } )
				  )
				: null
		);
	}

	wp.plugins.registerPlugin( 'source-reliability', { icon: ICON, render: SourceReliabilityPlugin } );
}( window.wp, window.sourceReliability, window.sourceReliabilityConfig ) );
