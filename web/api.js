/*
 * api.js - the client of mentord's HTTP API v1: the session, the requests
 * (the session cookie, the CSRF header on writes, no cache) and their
 * problem JSON answers as ApiError.
 *
 * The page signs in once (POST /v1/session, doc/sessions-and-sso.md): the
 * server sets an HttpOnly cookie the page's scripts cannot read, which
 * every tab sends. Nothing secret is kept in storage: the pasted token is
 * sent once and forgotten; the CSRF token and the role live in memory and
 * a new tab (or a reload) learns them from GET /v1/session.
 */

/* Who is signed in, in memory only. The role decides what the page
 * offers (the desk is a coordinator's); what a request may do is always
 * the server's decision. */
export const session = {
	signed: false,
	roleName: 'mentor',
	csrf: null,
	sso: false, /* signed in by the municipality's single sign-on */
	idleMinutes: 30, /* web.session_idle_minutes: the desk stops refreshing itself before it */
	signedIn() {
		return this.signed;
	},
	/* The identity of a POST or GET /v1/session reply. */
	adopt(reply, sso = false) {
		this.signed = true;
		this.roleName = reply && reply.role === 'admin' ? 'admin' : 'mentor';
		this.csrf = reply && typeof reply.csrf_token === 'string' ? reply.csrf_token : null;
		this.sso = sso;
		this.idleMinutes = reply && Number.isInteger(reply.idle_timeout_minutes) && reply.idle_timeout_minutes > 0
			? reply.idle_timeout_minutes : 30;
	},
	clear() {
		this.signed = false;
		this.roleName = 'mentor';
		this.csrf = null;
		this.sso = false;
	},
	role() {
		return this.roleName;
	},
	isAdmin() {
		return this.roleName === 'admin';
	},
};

const API_BASE = (() => {
	const meta = document.querySelector('meta[name="mentord-api-base"]');
	return (meta && meta.content ? meta.content : '/v1').replace(/\/+$/, '');
})();

export class ApiError extends Error {
	/* status 0: no answer from the server at all. */
	constructor(status, problem, cause) {
		super(problem && problem.title ? problem.title : `HTTP ${status}`);
		this.name = 'ApiError';
		this.status = status;
		this.problem = problem && typeof problem === 'object' ? problem : null;
		this.cause = cause;
	}

	get fieldErrors() {
		const list = this.problem && Array.isArray(this.problem.errors) ? this.problem.errors : [];
		return list.filter((e) => e && typeof e === 'object');
	}
}

async function readJson(response) {
	const text = await response.text();
	if (text === '') {
		return null;
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		return null;
	}
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/* One request with the session cookie (same origin only) and, for a
 * write, the session's CSRF token; a bearer token is never sent. */
export async function request(path, options = {}) {
	const method = options.method || 'GET';
	const init = {
		method,
		headers: { Accept: 'application/json, application/problem+json' },
		cache: 'no-store',
		credentials: 'same-origin',
		referrerPolicy: 'no-referrer',
	};
	if (UNSAFE.has(method) && session.csrf) {
		init.headers['X-CSRF-Token'] = session.csrf;
	}
	if (options.body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(options.body);
	}
	let response;
	try {
		response = await fetch(API_BASE + path, init);
	} catch (e) {
		throw new ApiError(0, null, e);
	}
	const data = await readJson(response);
	if (!response.ok) {
		throw new ApiError(response.status, data);
	}
	return data;
}

export async function api(path, options = {}) {
	if (!session.signedIn()) {
		throw new ApiError(401, null);
	}
	return request(path, options);
}

/* The session routes: sign in with a token (sent once, kept nowhere) or,
 * without one, by single sign-on; who is signed in; sign out. */
export const sessions = {
	async signIn(token) {
		const reply = await request('/session', { method: 'POST', body: token ? { token } : {} });
		session.adopt(reply, !token);
		return reply;
	},
	async resume() {
		const reply = await request('/session');
		/* A session, not a bearer token, must be behind it. */
		if (!reply || typeof reply.csrf_token !== 'string') {
			throw new ApiError(401, null);
		}
		session.adopt(reply);
		return reply;
	},
	async signOut() {
		try {
			await request('/session', { method: 'DELETE' });
		} finally {
			session.clear();
		}
	},
};

const id = (v) => encodeURIComponent(v);

export const endpoints = {
	queue(date, mentor) {
		const query = new URLSearchParams({ date });
		if (mentor) {
			query.set('mentor', mentor);
		}
		return api(`/queue?${query}`);
	},
	outcome(callId, body) {
		return api(`/calls/${encodeURIComponent(callId)}/outcome`, { method: 'POST', body });
	},
	/* A same-day correction of an outcome: the same body. */
	correctOutcome(callId, body) {
		return api(`/calls/${encodeURIComponent(callId)}/outcome`, { method: 'PUT', body });
	},
	course(courseId) {
		return api(`/courses/${encodeURIComponent(courseId)}`);
	},
	/* The closing checklist (doc/programmes.md): tick or untick an item. */
	checklist(courseId, item, ticked) {
		return api(`/courses/${id(courseId)}/checklist/${encodeURIComponent(item)}`,
			{ method: ticked ? 'POST' : 'DELETE' });
	},
	offers() {
		return api('/offers');
	},
	/* The settings the page words itself by (window, crisis numbers). */
	config() {
		return api('/config/public');
	},
	/* A citizen who contacted the municipality themself (POST /v1/courses). */
	selfReferral(body) {
		return api('/courses', { method: 'POST', body });
	},
	/* An inbound call: resumes an ended course inside its window. */
	contact(courseId, body) {
		return api(`/courses/${id(courseId)}/contacts`, { method: 'POST', body });
	},
	resume(courseId, body) {
		return api(`/courses/${id(courseId)}/resume`, { method: 'POST', body });
	},
	/* Find a citizen (doc/api.md "Finding a citizen"): part of a name,
	 * a phone number or a course number; a page at a time. */
	search(q, after, limit = 25) {
		const query = new URLSearchParams({ q, limit: String(limit) });
		if (after) {
			query.set('after', after);
		}
		return api(`/courses?${query}`);
	},
	/* The coordinator's: */
	mentors() {
		return api('/mentors');
	},
	mentorLoad(from, to) {
		return api(`/mentors/load?${new URLSearchParams({ from, to })}`);
	},
	courses({ mentor, state, after, limit = 100 } = {}) {
		const query = new URLSearchParams({ limit: String(limit) });
		if (mentor) {
			query.set('mentor', mentor);
		}
		if (state) {
			query.set('state', state);
		}
		if (after) {
			query.set('after', after);
		}
		return api(`/courses?${query}`);
	},
	assignMentor(courseId, mentorId, reason) {
		const body = { mentor_id: Number(mentorId) };
		if (reason) {
			body.reason = reason;
		}
		return api(`/courses/${id(courseId)}`, { method: 'PATCH', body });
	},
	/* Referrals awaiting a decision, the mentors proposed, the decision. */
	referrals() {
		return api('/referrals?limit=1000');
	},
	proposals(courseId, startOn) {
		return api(`/referrals/${id(courseId)}/proposals?${new URLSearchParams({ start_on: startOn })}`);
	},
	decide(courseId, body) {
		return api(`/referrals/${id(courseId)}/decision`, { method: 'POST', body });
	},
	concerns(state = 'open') {
		return api(`/concerns?${new URLSearchParams({ state, limit: '1000' })}`);
	},
	concernHandled(concernId) {
		return api(`/concerns/${id(concernId)}/handled`, { method: 'POST' });
	},
	deadLetters() {
		return api('/outbox?state=dead&limit=1000');
	},
	retryOutbox(rowId) {
		return api(`/outbox/${id(rowId)}/retry`, { method: 'POST' });
	},
	yearly(from, to) {
		return api(`/reports/yearly?${new URLSearchParams({ from, to })}`);
	},
	audit(courseId, after) {
		const query = new URLSearchParams({ course: String(courseId), limit: '1000' });
		if (after) {
			query.set('after', after);
		}
		return api(`/audit?${query}`);
	},
};
