/**
 * Source reliability settings: the "Test connection" button. The check runs server side
 * (admin-ajax, nonce, manage_options) with the saved URL and key; only its message comes back.
 */
( function ( window, wp, config ) {
	'use strict';

	const doc = window.document;
	const button = doc.getElementById( 'source-reliability-test' );
	const output = doc.getElementById( 'source-reliability-test-result' );
	if ( ! button || ! output || ! config ) {
		return;
	}
	const __ = wp && wp.i18n ? wp.i18n.__ : ( text ) => text;

	button.addEventListener( 'click', () => {
		button.disabled = true;
		output.className = 'source-reliability-testing';
		output.textContent = __( 'Testing…', 'source-reliability' );
		const body = new window.URLSearchParams();
		body.append( 'action', config.action );
		body.append( 'nonce', config.nonce );
		window
			.fetch( config.ajaxUrl, { method: 'POST', credentials: 'same-origin', body } )
			.then( ( response ) => response.json().catch( () => null ) )
			.then( ( answer ) => {
				const ok = Boolean( answer && answer.success );
				const message =
					answer && answer.data && typeof answer.data.message === 'string'
						? answer.data.message
						: __( 'The test could not be run.', 'source-reliability' );
				output.className = ok ? 'source-reliability-ok' : 'source-reliability-fail';
				output.textContent = message;
			} )
			.catch( () => {
				output.className = 'source-reliability-fail';
				output.textContent = __( 'The test could not be run.', 'source-reliability' );
			} )
			.finally( () => {
				button.disabled = false;
			} );
	} );
}( window, window.wp, window.sourceReliabilitySettings ) );
