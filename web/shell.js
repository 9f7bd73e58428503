/*
 * shell.js - the page around the views: the live regions, titles and
 * focus, failures shown in Danish, and the router. Hash routes carry no
 * data (#/kald, #/borger, ...): the chosen call and course are in state.
 */

import { ApiError, session, sessions } from './api.js';
import { h, replaceChildren } from './dom.js';
import { failureMessage } from './i18n.js';
import { resetState, state } from './state.js';

const APP_NAME = 'Mentorordningen';

const shell = {
	page: null,
	main: null,
	alert: null,
	status: null,
	nav: null,
};

let statusTimer = null;

export function setStatus(text) {
	/* Emptied first so that the same message twice is announced twice. */
	window.clearTimeout(statusTimer);
	shell.status.textContent = '';
	if (text) {
		statusTimer = window.setTimeout(() => {
			shell.status.textContent = text;
		}, 50);
	}
}

export function setAlert(...content) {
	replaceChildren(shell.alert, ...content);
}

export function clearMessages() {
	window.clearTimeout(statusTimer);
	shell.status.textContent = '';
	shell.alert.replaceChildren();
}

function updateNav(hash) {
	shell.nav.hidden = !session.signedIn();
	for (const link of shell.nav.querySelectorAll('a[data-role]')) {
		link.closest('li').hidden = link.dataset.role === 'admin' && !session.isAdmin();
	}
	for (const link of shell.nav.querySelectorAll('a[data-route]')) {
		const current = hash === link.dataset.route ||
			(link.dataset.route === '#/kald' && hash.startsWith('#/kald'));
		if (current) {
			link.setAttribute('aria-current', 'page');
		} else {
			link.removeAttribute('aria-current');
		}
	}
}

/* Put a view on the page, title it, and move focus to its heading so
 * keyboard and screen reader users start at the top of the new view. */
export function showView(title, node, focus = true, { wide = false } = {}) {
	document.title = `${title} – ${APP_NAME}`;
	/* A list of calls may use a wide screen; forms and text keep lines short. */
	shell.page.classList.toggle('wide', wide);
	replaceChildren(shell.main, node);
	if (focus) {
		const heading = node.querySelector('h1');
		(heading || shell.main).focus();
	}
}

export function viewHeading(text) {
	return h('h1', { tabindex: '-1' }, text);
}

export function loading(text) {
	return h('p', { class: 'loading' }, text);
}

/* For a coordinator helping over the phone: the status, which says what
 * kind of failure it was. Never the server's English title or detail. */
function technicalDetail(err) {
	return err instanceof ApiError && err.status > 0
		? h('small', { class: 'technical' }, `Fejlkode: ${err.status}`)
		: null;
}

/* 401 anywhere: the session has expired (idle or at the end of the
 * working day) or was ended elsewhere. Back to sign-in, with a reason. */
export function handleUnauthorised(err) {
	if (err instanceof ApiError && err.status === 401) {
		session.clear();
		resetState();
		state.signInMessage = 'Din session er udløbet, eller du er blevet logget ud. Log ind igen.';
		go('#/log-ind', true);
		return true;
	}
	return false;
}

/* A failure loading a view: message in the alert region and in place. */
export function showLoadFailure(container, err, what, retry) {
	if (handleUnauthorised(err)) {
		return;
	}
	const message = failureMessage(err, what);
	setAlert(message);
	replaceChildren(container,
		h('div', { class: 'notice error static' },
			h('p', null, message),
			err instanceof ApiError && err.status >= 500 ? technicalDetail(err) : null,
			retry ? h('button', { type: 'button', class: 'button secondary', on: { click: retry } },
				'Prøv igen') : null));
}

/* A draft of the same call is kept (outcomeView); another call's is dropped. */
export function openOutcome(call) {
	state.call = call;
	go('#/kald/registrer');
}

export function openTimeline(courseId, returnTo) {
	state.courseId = courseId;
	state.courseReturn = returnTo;
	go('#/borger');
}

/* ---------------------------------------------------------------
 * Router: hash routes without data (#/kald, #/borger, ...)
 * ------------------------------------------------------------- */

/* The views by route, from start(). */
let routes = {};

export let viewSeq = 0; /* bumped on every route: late replies for old views are dropped */

export function go(hash, replace = false) {
	if (location.hash === hash) {
		route();
	} else if (replace) {
		location.replace(hash);
	} else {
		location.hash = hash;
	}
}

export function route() {
	const hash = location.hash || '#/kald';
	if (!hash.startsWith('#/')) {
		return;
	}
	if (!session.signedIn() && hash !== '#/log-ind') {
		go('#/log-ind', true);
		return;
	}
	if (session.signedIn() && hash === '#/log-ind') {
		go('#/kald', true);
		return;
	}
	const view = routes[hash];
	if (!view) {
		go('#/kald', true);
		return;
	}
	viewSeq += 1;
	/* A question asked in the view being left is answered "no". */
	for (const dialog of document.querySelectorAll('dialog[open]')) {
		dialog.close();
	}
	clearMessages();
	updateNav(hash);
	view();
}

/* Sign-out ends the session on the server, for every tab. Under single
 * sign-on the municipality's own login stays (doc/sessions-and-sso.md):
 * the page then does not sign in again by itself. */
async function signOut() {
	const sso = session.sso;
	try {
		await sessions.signOut();
	} catch (e) {
		/* Gone already, or no answer: this tab is signed out either way. */
	}
	resetState();
	state.signInMessage = sso
		? 'Du er logget ud af mentorordningen. Dit kommunale login er stadig aktivt: genindlæs siden for at logge ind igen, eller luk browseren eller log ud hos kommunen for at afslutte det.'
		: 'Du er logget ud.';
	go('#/log-ind');
}

/* A tab opened while the browser has a session is signed in at once: the
 * cookie is there, GET /v1/session gives the rest. Without one, a single
 * sign-on proxy in front may sign the user in without a token. */
async function resumeSession() {
	try {
		await sessions.resume();
		return;
	} catch (e) {
		session.clear();
	}
	try {
		await sessions.signIn(null);
	} catch (e) {
		session.clear();
	}
}

export async function start(views) {
	routes = views;
	shell.main = document.getElementById('main');
	shell.page = shell.main.closest('.page');
	shell.alert = document.getElementById('alert');
	shell.status = document.getElementById('status');
	shell.nav = document.getElementById('mainnav');
	document.getElementById('signout').addEventListener('click', signOut);
	/* The skip link must not change the hash: it is the router's. */
	document.getElementById('skip-link').addEventListener('click', (event) => {
		event.preventDefault();
		shell.main.focus();
	});
	/* The menu's link to the view already shown shows it anew (fresh
	 * data): the hash does not change, so no hashchange would. */
	shell.nav.addEventListener('click', (event) => {
		const link = event.target.closest('a[data-route]');
		if (link && link.dataset.route === location.hash) {
			event.preventDefault();
			route();
		}
	});
	replaceChildren(shell.main, loading('Henter din session …'));
	await resumeSession();
	window.addEventListener('hashchange', route);
	route();
}
