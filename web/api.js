/*
 * api.js - the client of mentord's HTTP API v1: the token, the requests
 * (Authorization: Bearer, no cookies, no cache) and their problem JSON
 * answers as ApiError.
 *
 * The token lives in sessionStorage and travels only in the Authorization
 * header, never in a URL.
 */

/* The token, in sessionStorage only (memory if storage is refused), and
 * the role the sign-in found for it ('mentor' or 'admin'): the desk is
 * shown to a coordinator only. The role decides what the page offers;
 * what the token may do is always the server's decision. */
const TOKEN_KEY = 'mentord.token';
const ROLE_KEY = 'mentord.role';
export const session = {
	memory: null,
	roleMemory: null,
	get() {
		try {
			return window.sessionStorage.getItem(TOKEN_KEY) || null;
		} catch (e) {
			return this.memory;
		}
	},
	set(token) {
		try {
			window.sessionStorage.setItem(TOKEN_KEY, token);
		} catch (e) {
			this.memory = token;
		}
	},
	clear() {
		this.memory = null;
		this.roleMemory = null;
		try {
			window.sessionStorage.removeItem(TOKEN_KEY);
			window.sessionStorage.removeItem(ROLE_KEY);
		} catch (e) {
			/* storage unavailable: the in-memory copy is gone already */
		}
	},
	role() {
		try {
			return window.sessionStorage.getItem(ROLE_KEY) || this.roleMemory || 'mentor';
		} catch (e) {
			return this.roleMemory || 'mentor';
		}
	},
	setRole(role) {
		this.roleMemory = role;
		try {
			window.sessionStorage.setItem(ROLE_KEY, role);
		} catch (e) {
			/* kept in memory */
		}
	},
	isAdmin() {
		return this.role() === 'admin';
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

export async function api(path, options = {}) {
	const token = session.get();
	if (!token) {
		throw new ApiError(401, null);
	}
	const init = {
		method: options.method || 'GET',
		headers: {
			Accept: 'application/json, application/problem+json',
			Authorization: `Bearer ${token}`,
		},
		cache: 'no-store',
		credentials: 'omit',
		referrerPolicy: 'no-referrer',
	};
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
	offers() {
		return api('/offers');
	},
	/* The settings the page words itself by (window, crisis numbers). */
	config() {
		return api('/config/public');
	},
	/* An inbound call: resumes an ended course inside its window. */
	contact(courseId, body) {
		return api(`/courses/${id(courseId)}/contacts`, { method: 'POST', body });
	},
	resume(courseId, body) {
		return api(`/courses/${id(courseId)}/resume`, { method: 'POST', body });
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
	assignMentor(courseId, mentorId) {
		return api(`/courses/${id(courseId)}`, { method: 'PATCH', body: { mentor_id: Number(mentorId) } });
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
	audit(courseId, after) {
		const query = new URLSearchParams({ course: String(courseId), limit: '1000' });
		if (after) {
			query.set('after', after);
		}
		return api(`/audit?${query}`);
	},
};
