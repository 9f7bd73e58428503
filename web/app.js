/*
 * app.js - the social mentors' page of mentord (issue 7): sign-in, the
 * daily call queue, the outcome form, the citizen's timeline and the
 * offers catalogue, over the HTTP API v1 of DESIGN.md section 4.
 *
 * Plain ES2020, no dependencies, no build step; the page's
 * Content-Security-Policy admits this one file and style.css only, so
 * nothing here uses inline handlers or style attributes.
 *
 * Privacy rules this file keeps:
 *  - citizen data (names, phones, notes, topics) only ever enters the DOM
 *    as text nodes through h(); nothing is parsed as HTML;
 *  - the token lives in sessionStorage and travels only in the
 *    Authorization header; ids and names never go into the page's URL or
 *    title: the hash routes carry no data, the selected call and course
 *    are in-memory state.
 */
'use strict';

(() => {
	/* ---------------------------------------------------------------
	 * Danish wording of the API's codes
	 * ------------------------------------------------------------- */

	const TIME_ZONE = 'Europe/Copenhagen';
	const APP_NAME = 'Mentorordningen';

	const REASONS = {
		first_contact: 'Første kontakt',
		follow_up: 'Opfølgning',
		retry: 'Nyt forsøg',
		agreed: 'Aftalt opkald',
		resumed: 'Genoptaget',
	};

	const RESULTS = {
		reached: 'Talt med',
		no_answer: 'Intet svar',
		wrong_number: 'Forkert nummer',
		declined: 'Ønsker ikke kontakt',
	};

	/* What happens after each result, told before the mentor saves. */
	const RESULT_HINTS = {
		reached: 'Udfyld samtalen og aftal det næste skridt nedenfor.',
		no_answer: 'Der ringes igen næste hverdag, indtil forsøgene er brugt.',
		wrong_number: 'Der ringes ikke igen. Forløbet sendes til koordinatoren.',
		declined: 'Forløbet afsluttes. Borgeren kan selv vende tilbage inden for de seks måneder.',
	};

	/* The nine topic codes of DESIGN.md section 4, in the order of section 1. */
	const TOPICS = [
		['wellbeing', 'Hvordan går det efter udskrivelsen'],
		['treatment_plan', 'Overblik over behandlingsplan og aftaler'],
		['network', 'Støtte fra familie, venner, kolleger'],
		['other_support', 'Støtte efter anden lovgivning'],
		['knows_where_to_get_help', 'Ved hvor der er hjælp at få'],
		['interests', 'Interesser og håb for fremtiden'],
		['offers_advice', 'Ønsker råd om tilbud'],
		['peer_contact', 'Ønsker en frivillig peer'],
		['callback_wish', 'Ønsker at blive ringet op igen'],
	];
	const TOPIC_LABELS = Object.fromEntries(TOPICS);

	const COURSE_STATES = {
		active: 'Aktivt',
		ended: 'Afsluttet (kan genoptages)',
		closed: 'Lukket',
		superseded: 'Erstattet af et nyere forløb',
	};

	const MESSAGE_TYPES = {
		followup: 'Opfølgende besked',
		unreached: 'Besked om at vi ikke har kunnet træffe borgeren',
		closing: 'Afslutningsbesked med steder at finde støtte',
		welcome: 'Velkomstbesked',
	};

	const DELIVERY = {
		pending: 'venter på at blive sendt',
		queued: 'venter på at blive sendt',
		sending: 'sendes',
		sent: 'sendt',
		delivered: 'leveret',
		failed: 'kunne ikke leveres',
		dead: 'kunne ikke leveres',
		dead_letter: 'kunne ikke leveres',
	};

	/* Machine reasons the daemon writes into the log; a mentor's own end
	 * reason is free text and shown as written. */
	const STATE_REASONS = {
		declined: 'borgeren ønsker ikke kontakt',
		window_end: 'de seks måneder efter udskrivelsen er gået',
		superseded: 'en ny udskrivelse har erstattet forløbet',
		ended: 'forløbet blev afsluttet',
		closed: 'forløbet blev lukket',
	};

	/* Why a call task was taken back before it reached the mentor's list. */
	const TASK_WITHDRAWN = {
		outcome: 'fordi opkaldets resultat allerede var registreret',
		call_cancelled: 'fordi opkaldet blev aflyst',
		mentor_changed: 'fordi forløbet fik en anden mentor',
	};

	const AUTHORS = {
		mentor: 'mentor',
		admin: 'koordinator',
		psychiatry: 'psykiatrien',
		system: 'systemet',
	};

	/* ---------------------------------------------------------------
	 * DOM helper: elements are built, never parsed
	 * ------------------------------------------------------------- */

	const PROPERTIES = { for: 'htmlFor', value: 'value', checked: 'checked' };

	/*
	 * h('p', {class: 'x', on: {click: fn}}, 'text', child, [more]) builds an
	 * element. Strings and numbers become text nodes, so untrusted text is
	 * never interpreted. Inline handlers and style attributes are refused:
	 * the CSP would block them anyway, and a silent block is a bug.
	 */
	function h(tag, props, ...children) {
		const el = document.createElement(tag);
		for (const [key, value] of Object.entries(props || {})) {
			setProp(el, key, value);
		}
		append(el, children);
		return el;
	}

	function setProp(el, key, value) {
		if (value === undefined || value === null || value === false) {
			return;
		}
		if (/^on./i.test(key) || key === 'style') {
			throw new Error(`h(): attribute ${key} is not allowed`);
		}
		if (key === 'class') {
			el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
		} else if (key === 'on') {
			for (const [type, fn] of Object.entries(value)) {
				el.addEventListener(type, fn);
			}
		} else if (key === 'dataset') {
			Object.assign(el.dataset, value);
		} else if (key in PROPERTIES) {
			el[PROPERTIES[key]] = value;
		} else {
			el.setAttribute(key, value === true ? '' : String(value));
		}
	}

	function append(el, ...children) {
		for (const child of children.flat(Infinity)) {
			if (child === null || child === undefined || child === false || child === '') {
				continue;
			}
			el.append(child instanceof Node ? child : String(child));
		}
		return el;
	}

	function replaceChildren(el, ...children) {
		el.replaceChildren();
		return append(el, children);
	}

	/* Text only a screen reader hears, e.g. whose call a button is for. */
	function srOnly(text) {
		return h('span', { class: 'vh' }, text);
	}

	let uniqueCounter = 0;
	function uniqueId(prefix) {
		uniqueCounter += 1;
		return `${prefix}-${uniqueCounter}`;
	}

	function setDescribedBy(el, id, present) {
		const ids = new Set((el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
		if (present) {
			ids.add(id);
		} else {
			ids.delete(id);
		}
		if (ids.size > 0) {
			el.setAttribute('aria-describedby', [...ids].join(' '));
		} else {
			el.removeAttribute('aria-describedby');
		}
	}

	/* ---------------------------------------------------------------
	 * Formatting
	 * ------------------------------------------------------------- */

	function isoDateInZone(date) {
		const parts = new Intl.DateTimeFormat('en-GB', {
			timeZone: TIME_ZONE,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
		}).formatToParts(date);
		const get = (type) => parts.find((p) => p.type === type).value;
		return `${get('year')}-${get('month')}-${get('day')}`;
	}

	function today() {
		return isoDateInZone(new Date());
	}

	function isIsoDate(text) {
		return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text);
	}

	function addDays(iso, days) {
		const d = new Date(`${iso}T12:00:00Z`);
		d.setUTCDate(d.getUTCDate() + days);
		return d.toISOString().slice(0, 10);
	}

	/* "mandag den 24. november 2025" style for a YYYY-MM-DD date. */
	/* The API answers in English; a mentor reads Danish. The outcome form's
	 * known refusals get a Danish sentence (dates as the page writes them);
	 * anything else is shown as the server wrote it. */
	const SERVER_MESSAGES = [
		[/^the agreed date falls after the course window ends on (\d{4}-\d{2}-\d{2})$/,
			(m) => `Datoen ligger efter ordningens sidste dag, ${formatDay(m[1], true)}.`],
		[/^the agreed date must be tomorrow or later$/, () => 'Datoen skal være i morgen eller senere.'],
		[/^a follow-up message needs a conversation/,
			() => 'En opfølgende besked kan kun sendes efter en samtale.'],
		[/^no follow-up message after a wrong number$/,
			() => 'Der sendes ingen opfølgende besked til et forkert nummer.'],
		[/^ending a course needs a reason$/, () => 'Skriv kort, hvorfor forløbet afsluttes.'],
		[/^the topic is too long$/, () => 'Emnet er for langt.'],
		[/^the duration must be 0 to (\d+) minutes$/,
			(m) => `Varigheden skal være mellem 0 og ${m[1]} minutter.`],
	];

	function danishMessage(message) {
		if (typeof message !== 'string') {
			return message;
		}
		for (const [pattern, danish] of SERVER_MESSAGES) {
			const m = pattern.exec(message);
			if (m) {
				return danish(m);
			}
		}
		return message;
	}

	function formatDay(iso, long = false) {
		if (!isIsoDate(iso)) {
			return iso == null ? '' : String(iso);
		}
		const options = long
			? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }
			: { day: 'numeric', month: 'short', year: 'numeric' };
		options.timeZone = 'UTC';
		return new Intl.DateTimeFormat('da-DK', options).format(new Date(`${iso}T12:00:00Z`));
	}

	/* A log time: seconds since the epoch, milliseconds, or RFC 3339. */
	function parseInstant(value) {
		if (typeof value === 'number') {
			return new Date(value > 1e12 ? value : value * 1000);
		}
		if (typeof value === 'string' && /^\d+$/.test(value)) {
			return parseInstant(Number(value));
		}
		const d = new Date(value);
		return Number.isNaN(d.getTime()) ? null : d;
	}

	function formatInstant(date) {
		return new Intl.DateTimeFormat('da-DK', {
			timeZone: TIME_ZONE,
			day: 'numeric',
			month: 'short',
			year: 'numeric',
			hour: '2-digit',
			minute: '2-digit',
		}).format(date);
	}

	function plural(n, one, many) {
		return `${n} ${n === 1 ? one : many}`;
	}

	/* Danish numbers as "+45 12 34 56 78"; anything else as given. */
	function formatPhone(phone) {
		const text = String(phone || '');
		const m = /^\+45(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
		return m ? `+45 ${m[1]} ${m[2]} ${m[3]} ${m[4]}` : text;
	}

	function telHref(phone) {
		return `tel:${String(phone || '').replace(/[^+\d]/g, '')}`;
	}

	/* Only http(s) links from the catalogue become links. */
	function safeWebUrl(text) {
		try {
			const url = new URL(String(text));
			return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
		} catch (e) {
			return null;
		}
	}

	function formatCallTime(pref) {
		if (!pref) {
			return '';
		}
		if (typeof pref === 'string') {
			return pref;
		}
		if (pref.from && pref.to) {
			return `kl. ${pref.from}–${pref.to}`;
		}
		return pref.from ? `fra kl. ${pref.from}` : pref.to ? `før kl. ${pref.to}` : '';
	}

	function label(map, code) {
		return Object.prototype.hasOwnProperty.call(map, code) ? map[code] : String(code);
	}

	function authorLabel(author) {
		if (typeof author !== 'string' || author === '') {
			return '';
		}
		const role = author.split(':')[0];
		return Object.prototype.hasOwnProperty.call(AUTHORS, role) ? AUTHORS[role] : author;
	}

	/* ---------------------------------------------------------------
	 * Session: the token, in sessionStorage only
	 * ------------------------------------------------------------- */

	const TOKEN_KEY = 'mentord.token';
	const session = {
		memory: null,
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
			try {
				window.sessionStorage.removeItem(TOKEN_KEY);
			} catch (e) {
				/* storage unavailable: the in-memory copy is gone already */
			}
		},
	};

	/* ---------------------------------------------------------------
	 * API client
	 * ------------------------------------------------------------- */

	const API_BASE = (() => {
		const meta = document.querySelector('meta[name="mentord-api-base"]');
		return (meta && meta.content ? meta.content : '/v1').replace(/\/+$/, '');
	})();

	class ApiError extends Error {
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

	async function api(path, options = {}) {
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

	const endpoints = {
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
		course(courseId) {
			return api(`/courses/${encodeURIComponent(courseId)}`);
		},
		offers() {
			return api('/offers');
		},
	};

	/* ---------------------------------------------------------------
	 * Application state (in memory; nothing of it goes into the URL)
	 * ------------------------------------------------------------- */

	const state = {
		queueDate: null, /* null: today */
		queueMentor: '',
		call: null, /* the queue entry the outcome form is for */
		outcomeForm: null, /* {callId, node}: a draft survives a look at the timeline */
		courseId: null,
		courseReturn: '#/kald',
		offers: null, /* the catalogue, once fetched */
		flash: null, /* a message for the next view */
		signInMessage: null,
	};

	let viewSeq = 0; /* bumped on every route: late replies for old views are dropped */

	function resetState() {
		Object.assign(state, {
			queueDate: null,
			queueMentor: '',
			call: null,
			outcomeForm: null,
			courseId: null,
			courseReturn: '#/kald',
			offers: null,
			flash: null,
		});
	}

	async function loadOffers(force = false) {
		if (state.offers && !force) {
			return state.offers;
		}
		const reply = await endpoints.offers();
		const list = Array.isArray(reply) ? reply : reply && Array.isArray(reply.offers) ? reply.offers : [];
		state.offers = list
			.filter((o) => o && typeof o === 'object')
			.sort((a, b) =>
				String(a.category || '').localeCompare(String(b.category || ''), 'da') ||
				String(a.name || '').localeCompare(String(b.name || ''), 'da'));
		return state.offers;
	}

	/* ---------------------------------------------------------------
	 * The page shell: views, live regions, failures
	 * ------------------------------------------------------------- */

	const shell = {
		main: null,
		alert: null,
		status: null,
		nav: null,
	};

	let statusTimer = null;

	function setStatus(text) {
		/* Emptied first so that the same message twice is announced twice. */
		window.clearTimeout(statusTimer);
		shell.status.textContent = '';
		if (text) {
			statusTimer = window.setTimeout(() => {
				shell.status.textContent = text;
			}, 50);
		}
	}

	function setAlert(...content) {
		replaceChildren(shell.alert, ...content);
	}

	function clearMessages() {
		window.clearTimeout(statusTimer);
		shell.status.textContent = '';
		shell.alert.replaceChildren();
	}

	function updateNav(hash) {
		shell.nav.hidden = !session.get();
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
	function showView(title, node, focus = true) {
		document.title = `${title} – ${APP_NAME}`;
		replaceChildren(shell.main, node);
		if (focus) {
			const heading = node.querySelector('h1');
			(heading || shell.main).focus();
		}
	}

	function viewHeading(text) {
		return h('h1', { tabindex: '-1' }, text);
	}

	function loading(text) {
		return h('p', { class: 'loading' }, text);
	}

	/* The general Danish message for a failed request. */
	function failureMessage(err, what) {
		if (!(err instanceof ApiError)) {
			return 'Der skete en uventet fejl på siden. Genindlæs siden og prøv igen.';
		}
		switch (err.status) {
		case 0:
			return 'Der er ingen forbindelse til serveren. Tjek netforbindelsen og prøv igen.';
		case 403:
			return `Du har ikke adgang til ${what}. Din adgangsnøgle giver ikke lov til det. ` +
				'Kontakt din koordinator, hvis du mener, det er en fejl.';
		case 404:
			return `${capitalise(what)} findes ikke (længere).`;
		case 409:
			return 'Det kan ikke lade sig gøre lige nu, fordi forløbet eller opkaldet har ændret sig. ' +
				'Hent listen igen.';
		case 422:
			return 'Nogle oplysninger er ikke i orden. Ret dem og prøv igen.';
		default:
			if (err.status >= 500) {
				return 'Der skete en fejl på serveren. Prøv igen om lidt. ' +
					'Bliver fejlen ved, så kontakt din koordinator.';
			}
			return `Det lykkedes ikke at hente ${what}.`;
		}
	}

	function capitalise(text) {
		return text.charAt(0).toUpperCase() + text.slice(1);
	}

	/* The server's own words, for a coordinator helping over the phone. */
	function technicalDetail(err) {
		if (!(err instanceof ApiError) || !err.problem) {
			return null;
		}
		const detail = [err.problem.title, err.problem.detail].filter(Boolean).join(': ');
		return detail ? h('small', { class: 'technical' }, `Serverens svar: ${detail}`) : null;
	}

	/* 401 anywhere ends the session: back to sign-in, with a reason. */
	function handleUnauthorised(err) {
		if (err instanceof ApiError && err.status === 401) {
			session.clear();
			resetState();
			state.signInMessage = 'Du er blevet logget ud. Log ind igen med din adgangsnøgle.';
			go('#/log-ind', true);
			return true;
		}
		return false;
	}

	/* A failure loading a view: message in the alert region and in place. */
	function showLoadFailure(container, err, what, retry) {
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

	/* ---------------------------------------------------------------
	 * Form fields and field errors
	 * ------------------------------------------------------------- */

	/*
	 * A form's error bookkeeping: fields are bound to the JSON paths the
	 * API names ("next.date"), and show() puts each message next to its
	 * field, falling back to the parent path ("offers[2]" -> "offers") and
	 * then to the summary at the top of the form.
	 */
	function createErrors(summary) {
		const fields = new Map();
		const shown = [];

		function resolve(path) {
			let p = String(path || '');
			while (p) {
				if (fields.has(p)) {
					return fields.get(p);
				}
				const next = p.replace(/(\[\d*\]|\.[^.[\]]*)$/, '');
				if (next === p) {
					break;
				}
				p = next;
			}
			return null;
		}

		function clear() {
			for (const field of shown.splice(0)) {
				field.slot.textContent = '';
				field.slot.hidden = true;
				for (const el of field.controls) {
					el.removeAttribute('aria-invalid');
					setDescribedBy(el, field.slot.id, false);
				}
			}
			summary.replaceChildren();
			summary.hidden = true;
		}

		/* errors: [{field, message}]; general: strings for the summary. */
		function show(errors, general = []) {
			clear();
			const items = [];
			for (const e of errors) {
				const field = resolve(e.field);
				const message = danishMessage(e.message) || 'Feltet er ikke udfyldt korrekt.';
				if (!field) {
					items.push(h('li', null, message,
						e.field ? h('small', { class: 'technical' }, `(felt: ${e.field})`) : null));
					continue;
				}
				if (!shown.includes(field)) {
					shown.push(field);
				}
				field.slot.textContent = field.slot.textContent ? `${field.slot.textContent} ${message}` : message;
				field.slot.hidden = false;
				for (const el of field.controls) {
					el.setAttribute('aria-invalid', 'true');
					setDescribedBy(el, field.slot.id, true);
				}
				items.push(h('li', null,
					h('button', {
						type: 'button',
						class: 'linklike',
						on: { click: () => field.focus.focus() },
					}, `${field.name}: ${message}`)));
			}
			for (const text of general) {
				items.unshift(h('li', null, text));
			}
			if (items.length === 0) {
				return;
			}
			replaceChildren(summary,
				h('h2', null, errors.length > 0 ? 'Der er noget, der skal rettes' : 'Det lykkedes ikke'),
				h('ul', null, items));
			summary.hidden = false;
			summary.focus();
		}

		return {
			summary,
			/* name: the field's label, used in the summary */
			bind(path, name, slot, focus, controls = [focus]) {
				fields.set(path, { name, slot, focus, controls });
			},
			clear,
			show,
			/* Move focus from the summary straight to one field. */
			focus(path) {
				const field = resolve(path);
				if (field) {
					field.focus.focus();
				}
			},
		};
	}

	function errorSlot(id) {
		return h('p', { class: 'field-error', id, hidden: true });
	}

	function errorSummary() {
		return h('div', { class: 'error-summary', tabindex: '-1', hidden: true });
	}

	/* A labelled single control with optional hint and its error slot. */
	function field({ id, labelText, control, hint, errors, path, extraClass }) {
		const hintId = hint ? `${id}-hint` : null;
		const slot = errorSlot(`${id}-error`);
		control.id = id;
		if (hintId) {
			setDescribedBy(control, hintId, true);
		}
		if (errors && path) {
			errors.bind(path, labelText, slot, control);
		}
		return h('div', { class: ['field', extraClass] },
			h('label', { for: id }, labelText),
			hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
			slot,
			control);
	}

	/* A checkbox or radio button with its label (and hint) beside it. */
	function choice(type, { id, name, value, labelText, hint, checked }) {
		const input = h('input', { type, id, name, value, checked: Boolean(checked) });
		const hintId = hint ? `${id}-hint` : null;
		if (hintId) {
			setDescribedBy(input, hintId, true);
		}
		return {
			input,
			node: h('div', { class: 'choice' },
				input,
				h('label', { for: id }, labelText),
				hint ? h('p', { class: 'hint', id: hintId }, hint) : null),
		};
	}

	const checkbox = (options) => choice('checkbox', options);
	const radio = (options) => choice('radio', options);

	function setSubmitting(button, busy, busyText) {
		if (busy) {
			button.dataset.label = button.textContent;
			button.textContent = busyText;
			button.disabled = true;
			button.setAttribute('aria-busy', 'true');
		} else {
			button.textContent = button.dataset.label || button.textContent;
			button.disabled = false;
			button.removeAttribute('aria-busy');
		}
	}

	/* ---------------------------------------------------------------
	 * View: sign-in
	 * ------------------------------------------------------------- */

	function signInView() {
		const errors = createErrors(errorSummary());
		/* No name attribute: even if a script failed, a native submit
		 * could not carry the token into a URL (and the CSP has
		 * form-action 'none'). */
		const input = h('input', {
			type: 'password',
			autocomplete: 'off',
			autocapitalize: 'off',
			spellcheck: 'false',
			required: true,
		});
		const button = h('button', { type: 'submit', class: 'button primary' }, 'Log ind');
		const form = h('form', { class: 'signin', novalidate: true },
			field({
				id: 'signin-token',
				labelText: 'Adgangsnøgle',
				hint: 'Skriv eller indsæt den adgangsnøgle, du har fået af din koordinator.',
				control: input,
				errors,
				path: 'token',
			}),
			h('div', { class: 'actions' }, button));
		form.addEventListener('submit', (event) => {
			event.preventDefault();
			signIn(input.value.trim(), errors, button);
		});
		const message = state.signInMessage;
		state.signInMessage = null;
		const view = h('section', { class: 'view narrow' },
			viewHeading('Log ind'),
			h('p', null, 'Her finder du dine opkald til borgere i den forebyggende mentorordning.'),
			message ? h('p', { class: 'notice info static' }, message) : null,
			errors.summary,
			form);
		showView('Log ind', view, false);
		input.focus();
	}

	async function signIn(token, errors, button) {
		errors.clear();
		if (!token) {
			errors.show([{ field: 'token', message: 'Skriv din adgangsnøgle.' }]);
			errors.focus('token');
			return;
		}
		if (/[^\x21-\x7e]/.test(token)) {
			errors.show([{ field: 'token', message: 'Nøglen indeholder tegn, den ikke kan indeholde. Tjek at du har kopieret den rigtigt.' }]);
			errors.focus('token');
			return;
		}
		session.set(token);
		setSubmitting(button, true, 'Logger ind …');
		try {
			/* No "who am I" route in v1: today's queue proves the token. */
			await endpoints.queue(today());
		} catch (err) {
			if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
				session.clear();
				setSubmitting(button, false);
				errors.show([{
					field: 'token',
					message: err.status === 401
						? 'Nøglen blev ikke godkendt. Tjek at du har skrevet den rigtigt.'
						: 'Nøglen giver ikke adgang til opkaldslisten. Siden her er for sociale mentorer.',
				}]);
				errors.focus('token');
				return;
			}
			if (err instanceof ApiError && err.status === 0) {
				session.clear();
				setSubmitting(button, false);
				errors.show([], [failureMessage(err, 'opkaldslisten')]);
				return;
			}
			/* Any other answer means the token is good; the queue view explains the rest. */
		}
		setSubmitting(button, false);
		go('#/kald');
	}

	/* ---------------------------------------------------------------
	 * View: the call queue
	 * ------------------------------------------------------------- */

	function queueView() {
		const seq = viewSeq;
		const date = state.queueDate || today();
		const isToday = date === today();
		const errors = createErrors(errorSummary());

		const dateInput = h('input', { type: 'date', name: 'date', value: date, required: true });
		const mentorInput = h('input', {
			type: 'text',
			name: 'mentor',
			inputmode: 'numeric',
			pattern: '[0-9]*',
			autocomplete: 'off',
			value: state.queueMentor,
		});
		const mentorDetails = h('details', { class: 'coordinator', open: Boolean(state.queueMentor) },
			h('summary', null, 'Koordinator: vis en anden mentors liste'),
			field({
				id: 'queue-mentor',
				labelText: 'Mentorens nummer',
				hint: 'Lad feltet være tomt for at se din egen liste.',
				control: mentorInput,
				errors,
				path: 'mentor',
			}));
		const showButton = h('button', { type: 'submit', class: 'button primary' }, 'Vis opkald');
		const todayButton = h('button', {
			type: 'button',
			class: 'button secondary',
			on: {
				click: () => {
					dateInput.value = today();
					pickQueue(dateInput.value, mentorInput.value, errors, mentorDetails);
				},
			},
		}, 'I dag');
		const filter = h('form', { class: 'queue-filter', novalidate: true },
			h('div', { class: 'filter-row' },
				field({ id: 'queue-date', labelText: 'Dato', control: dateInput, errors, path: 'date' }),
				h('div', { class: 'actions' }, showButton, todayButton)),
			mentorDetails);
		filter.addEventListener('submit', (event) => {
			event.preventDefault();
			pickQueue(dateInput.value, mentorInput.value, errors, mentorDetails);
		});

		const summary = h('p', { class: 'queue-summary', 'aria-live': 'polite' });
		const list = h('div', { class: 'queue-list' }, loading('Henter opkald …'));
		const view = h('section', { class: 'view' },
			viewHeading(isToday ? 'Dagens opkald' : 'Opkald'),
			h('p', { class: 'lead' }, formatDay(date, true)),
			errors.summary,
			filter,
			summary,
			list);
		showView(isToday ? 'Dagens opkald' : 'Opkald', view);

		const flash = state.flash;
		state.flash = null;
		if (flash) {
			setStatus(flash);
		}
		fetchQueue(seq, date, list, summary, errors, mentorDetails);
	}

	function pickQueue(date, mentor, errors, mentorDetails) {
		const problems = [];
		if (!isIsoDate(date)) {
			problems.push({ field: 'date', message: 'Vælg en dato.' });
		}
		const m = mentor.trim();
		if (m && !/^\d+$/.test(m)) {
			problems.push({ field: 'mentor', message: 'Mentorens nummer består kun af cifre.' });
			mentorDetails.open = true;
		}
		if (problems.length > 0) {
			errors.show(problems);
			return;
		}
		state.queueDate = date === today() ? null : date;
		state.queueMentor = m;
		route();
	}

	async function fetchQueue(seq, date, list, summary, errors, mentorDetails) {
		let reply;
		try {
			reply = await endpoints.queue(date, state.queueMentor);
		} catch (err) {
			if (seq !== viewSeq) {
				return;
			}
			if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
				if (err.fieldErrors.some((e) => String(e.field).startsWith('mentor'))) {
					mentorDetails.open = true;
				}
				list.replaceChildren();
				errors.show(err.fieldErrors);
				return;
			}
			showLoadFailure(list, err, 'opkaldslisten', () => route());
			return;
		}
		if (seq !== viewSeq) {
			return;
		}
		const calls = reply && Array.isArray(reply.calls) ? reply.calls : [];
		const when = formatDay(reply && reply.date ? reply.date : date, true);
		summary.textContent = calls.length === 0
			? `Der er ingen opkald på listen ${when}.`
			: `${plural(calls.length, 'opkald', 'opkald')} på listen ${when}, i den rækkefølge de bør tages.`;
		if (calls.length === 0) {
			replaceChildren(list, h('p', { class: 'empty' }, 'Ingen opkald. Godt arbejde.'));
			return;
		}
		replaceChildren(list, h('ol', { class: 'calls' }, calls.map(callCard)));
	}

	function isFirstContact(call) {
		return call.first_contact === true || call.reason === 'first_contact';
	}

	function isUrgent(call) {
		return isFirstContact(call) && Number(call.overdue_days) > 0;
	}

	function describeLastContact(last) {
		if (!last) {
			return 'Ingen tidligere kontakt';
		}
		if (typeof last === 'string') {
			return label(RESULTS, last);
		}
		const result = last.result ? label(RESULTS, last.result) : 'Kontakt';
		const day = last.date || last.call_date || last.contact_date ||
			(last.at ? isoDateFromInstant(last.at) : null);
		return day ? `${result} (${formatDay(day)})` : result;
	}

	function isoDateFromInstant(value) {
		const d = parseInstant(value);
		return d ? isoDateInZone(d) : null;
	}

	function fact(term, ...value) {
		return [h('dt', null, term), h('dd', null, value)];
	}

	function callCard(call) {
		const citizen = call.citizen || {};
		const name = citizen.name || 'Borger uden navn';
		const headingId = uniqueId('call');
		const urgent = isUrgent(call);
		const overdue = Number(call.overdue_days) || 0;
		const attempt = Number(call.attempt) || 1;
		const days = Number(call.days_since_discharge);
		const time = formatCallTime(call.preferred_call_time);
		/* Recorded before its day, a call would replace its agreed date or
		 * plan step with whatever follows: not offered from a later queue. */
		const notYet = isIsoDate(call.due_date) && call.due_date > today();

		return h('li', { class: ['call', urgent && 'urgent'] },
			h('article', { 'aria-labelledby': headingId },
				h('div', { class: 'call-head' },
					h('h2', { id: headingId }, name),
					h('p', { class: 'badges' },
						h('span', { class: ['badge', `reason-${call.reason}`] }, label(REASONS, call.reason)),
						attempt > 1 ? h('span', { class: 'badge' }, `Forsøg ${attempt}`) : null,
						overdue > 0 ? h('span', { class: 'badge late' }, `${plural(overdue, 'dag', 'dage')} over tid`) : null)),
				urgent ? h('p', { class: 'urgent-note' },
					h('strong', null, 'Haster: '), 'første kontakt er forsinket. Ring så tidligt som muligt.') : null,
				citizen.phone ? h('p', { class: 'phone' },
					h('a', { class: 'button call-button', href: telHref(citizen.phone) },
						'Ring ', srOnly(`til ${name} på `), formatPhone(citizen.phone))) : null,
				h('dl', { class: 'facts' },
					fact('Årsag', label(REASONS, call.reason)),
					fact('Forsøg', String(attempt)),
					fact('Udskrevet', Number.isFinite(days) ? daysAgo(days) : 'Ukendt'),
					fact('Over tid', overdue > 0 ? plural(overdue, 'dag', 'dage') : 'Nej'),
					call.agreed_topic ? fact('Aftalt emne', call.agreed_topic) : null,
					time ? fact('Foretrækker opkald', time) : null,
					fact('Seneste kontakt', describeLastContact(call.last_contact))),
				h('div', { class: 'actions' },
					notYet
						? h('p', { class: 'not-yet' },
							`Opkaldet kan registreres fra ${formatDay(call.due_date, true)}.`)
						: h('button', {
							type: 'button',
							class: 'button primary',
							on: { click: () => openOutcome(call) },
						}, 'Registrér opkaldet', srOnly(` til ${name}`)),
					h('button', {
						type: 'button',
						class: 'button secondary',
						on: { click: () => openTimeline(call.course_id, '#/kald') },
					}, 'Se forløbet', srOnly(` for ${name}`)))));
	}

	function daysAgo(days) {
		if (days <= 0) {
			return 'i dag';
		}
		return days === 1 ? 'i går' : `for ${days} dage siden`;
	}

	/* A draft of the same call is kept (outcomeView); another call's is dropped. */
	function openOutcome(call) {
		state.call = call;
		go('#/kald/registrer');
	}

	function openTimeline(courseId, returnTo) {
		state.courseId = courseId;
		state.courseReturn = returnTo;
		go('#/borger');
	}

	/* ---------------------------------------------------------------
	 * View: the outcome form
	 * ------------------------------------------------------------- */

	function outcomeView() {
		const call = state.call;
		if (!call) {
			go('#/kald', true);
			return;
		}
		if (!state.outcomeForm || state.outcomeForm.callId !== call.call_id) {
			state.outcomeForm = { callId: call.call_id, node: buildOutcomeView(call) };
		}
		showView('Registrér opkald', state.outcomeForm.node);
	}

	function buildOutcomeView(call) {
		const citizen = call.citizen || {};
		const name = citizen.name || 'Borger uden navn';
		const errors = createErrors(errorSummary());
		const form = buildOutcomeForm(call, errors);
		const time = formatCallTime(call.preferred_call_time);

		return h('section', { class: 'view' },
			h('p', { class: 'back' },
				h('a', { href: '#/kald' }, '← Tilbage til listen')),
			viewHeading('Registrér opkaldet'),
			h('div', { class: 'call-summary' },
				h('h2', null, name),
				h('dl', { class: 'facts' },
					citizen.phone ? fact('Telefon', h('a', { class: 'nowrap', href: telHref(citizen.phone) }, formatPhone(citizen.phone))) : null,
					fact('Årsag', label(REASONS, call.reason)),
					fact('Forsøg', String(Number(call.attempt) || 1)),
					call.agreed_topic ? fact('Aftalt emne', call.agreed_topic) : null,
					time ? fact('Foretrækker opkald', time) : null,
					fact('Seneste kontakt', describeLastContact(call.last_contact))),
				h('button', {
					type: 'button',
					class: 'button secondary',
					on: { click: () => openTimeline(call.course_id, '#/kald/registrer') },
				}, 'Se forløbet', srOnly(` for ${name}`))),
			errors.summary,
			form);
	}

	function buildOutcomeForm(call, errors) {
		const form = h('form', { class: 'outcome', novalidate: true });
		const parts = {
			result: resultFieldset(errors),
			conversation: conversationSection(errors),
			offers: offersSection(errors),
			next: nextStepSection(errors),
			note: noteField(errors),
		};
		const submit = h('button', { type: 'submit', class: 'button primary' }, 'Gem opkaldet');
		const reachedOnly = h('div', { class: 'reached-only', hidden: true },
			parts.conversation.node, parts.offers.node, parts.next.node);

		const resultHint = h('p', { class: 'result-hint', 'aria-live': 'polite' });
		parts.result.onChange((result) => {
			reachedOnly.hidden = result !== 'reached';
			resultHint.textContent = result ? RESULT_HINTS[result] : '';
		});

		append(form, parts.result.node, resultHint, reachedOnly, parts.note.node,
			h('div', { class: 'actions' },
				submit,
				h('button', { type: 'button', class: 'button secondary', on: { click: cancelOutcome } }, 'Annullér')));

		form.addEventListener('submit', (event) => {
			event.preventDefault();
			submitOutcome(call, parts, errors, submit);
		});
		return form;
	}

	/* Cancel drops the draft; the back link keeps it. */
	function cancelOutcome() {
		state.call = null;
		state.outcomeForm = null;
		go('#/kald');
	}

	function resultFieldset(errors) {
		const slot = errorSlot('outcome-result-error');
		const radios = Object.entries(RESULTS).map(([value, text]) =>
			radio({ id: `outcome-result-${value}`, name: 'result', value, labelText: text }));
		const inputs = radios.map((r) => r.input);
		const node = h('fieldset', { class: 'group' },
			h('legend', null, 'Hvordan gik opkaldet?'),
			slot,
			h('div', { class: 'choices' }, radios.map((r) => r.node)));
		errors.bind('result', 'Hvordan gik opkaldet?', slot, inputs[0], inputs);
		return {
			node,
			value: () => (inputs.find((i) => i.checked) || {}).value || '',
			onChange(fn) {
				for (const input of inputs) {
					input.addEventListener('change', () => fn(input.value));
				}
			},
		};
	}

	function conversationSection(errors) {
		const topicsSlot = errorSlot('outcome-topics-error');
		const boxes = TOPICS.map(([code, text]) =>
			checkbox({ id: `outcome-topic-${code}`, name: 'topics', value: code, labelText: text }));
		const inputs = boxes.map((b) => b.input);
		errors.bind('topics', 'Samtalens emner', topicsSlot, inputs[0], inputs);

		const duration = h('input', {
			type: 'number',
			name: 'duration_minutes',
			inputmode: 'numeric',
			min: '0',
			max: '600',
			step: '1',
		});

		const node = h('fieldset', { class: 'group' },
			h('legend', null, 'Samtalen'),
			h('p', { class: 'hint' }, 'Sæt kryds ved det, I kom ind på. Der er ingen fast spørgeramme.'),
			topicsSlot,
			h('div', { class: 'choices' }, boxes.map((b) => b.node)),
			field({
				id: 'outcome-duration',
				labelText: 'Varighed i minutter (frivilligt)',
				control: duration,
				errors,
				path: 'duration_minutes',
				extraClass: 'short',
			}));
		return {
			node,
			topics: () => inputs.filter((i) => i.checked).map((i) => i.value),
			duration: () => duration.value.trim(),
		};
	}

	function noteField(errors) {
		const note = h('textarea', { name: 'note', rows: '5', maxlength: '10000' });
		return {
			node: field({
				id: 'outcome-note',
				labelText: 'Notat (frivilligt)',
				hint: 'Kun til brug i forløbet. Skriv kun det, der er nødvendigt.',
				control: note,
				errors,
				path: 'note',
			}),
			value: () => note.value.trim(),
		};
	}

	/* The catalogue as a searchable list of checkboxes; chosen offers stay
	 * visible whatever the search says. */
	function offersSection(errors) {
		const slot = errorSlot('outcome-offers-error');
		const search = h('input', { type: 'search', name: 'offer-search', autocomplete: 'off' });
		const count = h('p', { class: 'hint', 'aria-live': 'polite' });
		const list = h('div', { class: 'choices offer-choices' }, loading('Henter tilbud …'));
		const followup = checkbox({
			id: 'outcome-followup',
			name: 'send_followup',
			value: 'true',
			labelText: 'Send en opfølgende besked til borgeren',
			hint: 'Beskeden indeholder kontaktoplysninger på de valgte tilbud og det næste aftalte opkald.',
		});
		const followupSlot = errorSlot('outcome-followup-error');
		let inputs = [];

		const searchField = field({
			id: 'outcome-offer-search',
			labelText: 'Søg efter tilbud (navn eller kategori)',
			control: search,
		});
		errors.bind('offers', 'Tilbud', slot, search);
		errors.bind('send_followup', 'Opfølgende besked', followupSlot, followup.input);

		function refresh() {
			const q = search.value.trim();
			let visible = 0;
			for (const input of inputs) {
				const show = input.checked || offerMatches(input.offer, q);
				input.closest('.choice').hidden = !show;
				visible += show ? 1 : 0;
			}
			const chosen = inputs.filter((i) => i.checked).length;
			count.textContent = `${plural(visible, 'tilbud', 'tilbud')} vist, ${chosen} valgt.`;
		}

		search.addEventListener('input', refresh);
		loadOffers().then((offers) => {
			if (offers.length === 0) {
				replaceChildren(list, h('p', { class: 'empty' }, 'Kataloget har ingen tilbud endnu.'));
				return;
			}
			const boxes = offers.map((offer) => {
				const box = checkbox({
					id: `outcome-offer-${offer.id}`,
					name: 'offers',
					value: String(offer.id),
					labelText: offer.category ? `${offer.name} – ${offer.category}` : offer.name,
				});
				box.input.offer = offer;
				box.input.addEventListener('change', refresh);
				return box;
			});
			inputs = boxes.map((b) => b.input);
			replaceChildren(list, boxes.map((b) => b.node));
			refresh();
		}).catch((err) => {
			if (handleUnauthorised(err)) {
				return;
			}
			replaceChildren(list, h('p', { class: 'notice error static' },
				`${failureMessage(err, 'tilbudskataloget')} Du kan gemme opkaldet uden tilbud.`));
		});

		const node = h('fieldset', { class: 'group' },
			h('legend', null, 'Tilbud og opfølgende besked'),
			searchField,
			count,
			slot,
			list,
			followupSlot,
			followup.node);
		return {
			node,
			chosen: () => inputs.filter((i) => i.checked).map((i) => i.offer.id),
			followup: () => followup.input.checked,
		};
	}

	function offerMatches(offer, query) {
		if (!query) {
			return true;
		}
		const q = query.toLocaleLowerCase('da');
		return [offer.name, offer.category, offer.provider]
			.some((v) => typeof v === 'string' && v.toLocaleLowerCase('da').includes(q));
	}

	function nextStepSection(errors) {
		const slot = errorSlot('outcome-next-error');
		const choices = [
			radio({
				id: 'outcome-next-plan', name: 'next', value: 'plan', checked: true,
				labelText: 'Fortsæt efter planen',
				hint: 'Det næste opkald planlægges automatisk.',
			}),
			radio({
				id: 'outcome-next-agreed', name: 'next', value: 'agreed',
				labelText: 'Fortsæt på en aftalt dato',
			}),
			radio({
				id: 'outcome-next-end', name: 'next', value: 'end',
				labelText: 'Afslut forløbet',
				hint: 'Borgeren får en afslutningsbesked og kan selv vende tilbage inden for de seks måneder.',
			}),
		];
		const inputs = choices.map((c) => c.input);

		const date = h('input', { type: 'date', name: 'next-date', min: addDays(today(), 1) });
		const topic = h('input', { type: 'text', name: 'next-topic', maxlength: '200', autocomplete: 'off' });
		const reason = h('input', { type: 'text', name: 'next-reason', maxlength: '200', autocomplete: 'off' });

		const agreed = h('div', { class: 'subfields', hidden: true },
			field({
				id: 'outcome-next-date', labelText: 'Aftalt dato', control: date, errors, path: 'next.date',
				hint: 'Tidligst i morgen. Falder dagen ikke på en hverdag, flyttes opkaldet til næste hverdag.',
			}),
			field({
				id: 'outcome-next-topic', labelText: 'Hvad skal I tale om?', control: topic, errors, path: 'next.topic',
			}));
		const end = h('div', { class: 'subfields', hidden: true },
			field({
				id: 'outcome-next-reason', labelText: 'Hvorfor afsluttes forløbet?', control: reason, errors,
				path: 'next.reason',
			}));
		/* Sub-fields follow their choice, so keyboard order matches reading order. */
		const group = h('div', { class: 'choices' },
			choices[0].node, choices[1].node, agreed, choices[2].node, end);

		for (const input of inputs) {
			input.addEventListener('change', () => {
				agreed.hidden = value() !== 'agreed';
				end.hidden = value() !== 'end';
			});
		}
		function value() {
			return (inputs.find((i) => i.checked) || {}).value || 'plan';
		}

		errors.bind('next', 'Næste skridt', slot, inputs[0], inputs);
		errors.bind('next.action', 'Næste skridt', slot, inputs[0], inputs);

		const node = h('fieldset', { class: 'group' },
			h('legend', null, 'Næste skridt'),
			slot,
			group);
		return {
			node,
			value,
			date: () => date.value,
			topic: () => topic.value.trim(),
			reason: () => reason.value.trim(),
		};
	}

	/* The request body of POST /v1/calls/{id}/outcome, and the problems a
	 * mentor can be told about before the server is asked. */
	function collectOutcome(parts) {
		const result = parts.result.value();
		const body = { result };
		const problems = [];
		if (!result) {
			problems.push({ field: 'result', message: 'Vælg hvordan opkaldet gik.' });
		}
		const note = parts.note.value();
		if (note) {
			body.note = note;
		}
		if (result !== 'reached') {
			return { body, problems };
		}

		body.topics = parts.conversation.topics();
		const duration = parts.conversation.duration();
		if (duration !== '') {
			const minutes = Number(duration);
			if (!Number.isInteger(minutes) || minutes < 0 || minutes > 600) {
				problems.push({ field: 'duration_minutes', message: 'Skriv varigheden i hele minutter, fra 0 til 600.' });
			} else {
				body.duration_minutes = minutes;
			}
		}
		body.offers = parts.offers.chosen();
		body.send_followup = parts.offers.followup();

		const next = parts.next.value();
		if (next === 'plan') {
			body.next = { action: 'continue' };
		} else if (next === 'agreed') {
			body.next = { action: 'continue' };
			const date = parts.next.date();
			if (!isIsoDate(date)) {
				problems.push({ field: 'next.date', message: 'Vælg den dato, I har aftalt.' });
			} else if (date <= today()) {
				problems.push({ field: 'next.date', message: 'Datoen skal være i morgen eller senere.' });
			} else {
				body.next.date = date;
			}
			const topic = parts.next.topic();
			if (topic) {
				body.next.topic = topic;
			}
		} else {
			const reason = parts.next.reason();
			body.next = { action: 'end', reason };
			if (!reason) {
				problems.push({ field: 'next.reason', message: 'Skriv kort, hvorfor forløbet afsluttes.' });
			}
		}
		return { body, problems };
	}

	async function submitOutcome(call, parts, errors, submit) {
		if (submit.disabled) {
			return;
		}
		const { body, problems } = collectOutcome(parts);
		if (problems.length > 0) {
			errors.show(problems);
			return;
		}
		errors.clear();
		clearMessages();
		setSubmitting(submit, true, 'Gemmer …');
		let reply;
		try {
			reply = await endpoints.outcome(call.call_id, body);
		} catch (err) {
			setSubmitting(submit, false);
			outcomeFailed(err, errors);
			return;
		}
		setSubmitting(submit, false);
		state.flash = describeOutcomeReply(body.result, reply);
		state.call = null;
		state.outcomeForm = null;
		go('#/kald', true);
	}

	function outcomeFailed(err, errors) {
		if (handleUnauthorised(err)) {
			return;
		}
		if (err instanceof ApiError && err.status === 422 && err.fieldErrors.length > 0) {
			errors.show(err.fieldErrors, [failureMessage(err, 'opkaldet')]);
			return;
		}
		if (err instanceof ApiError && err.status === 409) {
			errors.show([], ['Opkaldet er allerede registreret, eller det er aflyst. Gå tilbage til listen og hent den igen.']);
			return;
		}
		const general = [failureMessage(err, 'opkaldet')];
		if (err instanceof ApiError && err.problem && err.problem.detail && err.status >= 500) {
			general.push(`Serverens svar: ${err.problem.detail}`);
		}
		errors.show([], general);
	}

	/* "Course state and next call due": read leniently, the field names
	 * of this reply are not fixed by DESIGN.md. */
	function describeOutcomeReply(result, reply) {
		const saved = `Opkaldet er gemt: ${label(RESULTS, result)}.`;
		if (!reply || typeof reply !== 'object') {
			return saved;
		}
		const course = reply.course && typeof reply.course === 'object' ? reply.course : reply;
		const nextCall = course.next_call || reply.next_call;
		const due = (nextCall && (nextCall.due_date || nextCall.due)) ||
			course.next_call_due || course.next_due || null;
		if (course.state && course.state !== 'active') {
			return `${saved} Forløbet er nu: ${label(COURSE_STATES, course.state).toLowerCase()}.`;
		}
		if (isIsoDate(due)) {
			return `${saved} Næste opkald: ${formatDay(due, true)}.`;
		}
		if ('next_call' in course || 'next_call_due' in course) {
			return `${saved} Der er ikke planlagt flere opkald. Borgeren kan selv ringe.`;
		}
		return saved;
	}

	/* ---------------------------------------------------------------
	 * View: the citizen's timeline
	 * ------------------------------------------------------------- */

	function timelineView() {
		const seq = viewSeq;
		const courseId = state.courseId;
		if (courseId === null || courseId === undefined) {
			go('#/kald', true);
			return;
		}
		const backHref = state.courseReturn === '#/kald/registrer' && state.call ? '#/kald/registrer' : '#/kald';
		const backText = backHref === '#/kald' ? '← Tilbage til listen' : '← Tilbage til registreringen';
		const body = h('div', { class: 'timeline-body' }, loading('Henter forløbet …'));
		const view = h('section', { class: 'view' },
			h('p', { class: 'back' }, h('a', { href: backHref }, backText)),
			viewHeading('Borgerens forløb'),
			body);
		showView('Borgerens forløb', view);
		fetchCourse(seq, courseId, body);
	}

	async function fetchCourse(seq, courseId, body) {
		let reply;
		try {
			reply = await endpoints.course(courseId);
		} catch (err) {
			if (seq === viewSeq) {
				showLoadFailure(body, err, 'forløbet', () => route());
			}
			return;
		}
		if (seq !== viewSeq) {
			return;
		}
		const { course, log, calls } = normaliseCourse(reply);
		/* Outcomes name their offers by id: fetch the catalogue once for
		 * their names. Without it the log still reads, with numbers. */
		if (!state.offers && log.some((e) => Array.isArray(entryDetails(e).offers) && entryDetails(e).offers.length > 0)) {
			await loadOffers().catch(() => null);
			if (seq !== viewSeq) {
				return;
			}
		}
		replaceChildren(body, courseSummary(course), timeline(log, calls));
	}

	function normaliseCourse(reply) {
		const data = reply && typeof reply === 'object' ? reply : {};
		const course = data.course && typeof data.course === 'object' ? data.course : data;
		const log = [data.log, data.timeline, data.entries, course.log, course.timeline]
			.find(Array.isArray) || [];
		/* The log keeps only codes; the calls carry what the mentor wrote,
		 * found by the call_id of each outcome entry. */
		const calls = new Map();
		for (const call of [data.calls, course.calls].find(Array.isArray) || []) {
			if (call && typeof call === 'object' && call.call_id !== undefined) {
				calls.set(String(call.call_id), call);
			}
		}
		return { course, log, calls };
	}

	function courseSummary(course) {
		const citizen = course.citizen && typeof course.citizen === 'object' ? course.citizen : course;
		const span = course.window && typeof course.window === 'object' ? course.window : {};
		const discharge = course.discharge_date || span.start || span.discharge ||
			(course.discharged_at ? isoDateFromInstant(course.discharged_at) : null);
		const windowEnd = course.window_end || course.window_ends || span.end || null;
		const nextCall = course.next_call && typeof course.next_call === 'object' ? course.next_call : null;
		const nextDue = nextCall ? nextCall.due_date || nextCall.due : course.next_call_due;
		const time = formatCallTime(citizen.preferred_call_time || course.preferred_call_time);

		return h('div', { class: 'call-summary' },
			h('h2', null, citizen.name || 'Borger uden navn'),
			h('dl', { class: 'facts' },
				citizen.phone ? fact('Telefon', h('a', { class: 'nowrap', href: telHref(citizen.phone) }, formatPhone(citizen.phone))) : null,
				course.state ? fact('Forløbet er', label(COURSE_STATES, course.state)) : null,
				discharge ? fact('Udskrevet', formatDay(discharge, true)) : null,
				windowEnd ? fact('Ordningen varer til og med', formatDay(windowEnd, true)) : null,
				nextDue ? fact('Næste opkald', formatDay(nextDue, true)) : null,
				time ? fact('Foretrækker opkald', time) : null));
	}

	function timeline(log, calls) {
		if (log.length === 0) {
			return h('p', { class: 'empty' }, 'Forløbet har ingen registreringer endnu.');
		}
		return h('section', { class: 'timeline-section', 'aria-labelledby': 'timeline-heading' },
			h('h2', { id: 'timeline-heading' }, 'Forløbet fra start til nu'),
			h('ol', { class: 'timeline' }, log.map((entry) => timelineEntry(entry, calls || new Map()))));
	}

	function entryDetails(entry) {
		let details = entry.details;
		if (typeof details === 'string') {
			try {
				details = JSON.parse(details);
			} catch (e) {
				details = { tekst: details };
			}
		}
		return details && typeof details === 'object' && !Array.isArray(details) ? details : {};
	}

	function timelineEntry(entry, calls) {
		const details = entryDetails(entry);
		const kind = typeof entry.kind === 'string' ? entry.kind : '';
		const describe = Object.prototype.hasOwnProperty.call(ENTRY_KINDS, kind) ? ENTRY_KINDS[kind] : null;
		const call = details.call_id !== undefined ? calls.get(String(details.call_id)) : undefined;
		const story = describe ? describe(details, call || null) : genericEntry(kind, details);
		const at = parseInstant(entry.at);
		const who = authorLabel(entry.author);

		return h('li', { class: ['entry', `entry-${story.group || 'other'}`] },
			h('p', { class: 'entry-meta' },
				at ? h('time', { datetime: at.toISOString() }, formatInstant(at)) : null,
				who ? ` · ${capitalise(who)}` : null),
			h('p', { class: 'entry-text' }, story.text),
			story.more && story.more.length > 0 ? h('ul', { class: 'entry-more' }, story.more.map((m) => h('li', null, m))) : null,
			story.note ? h('p', { class: 'entry-note' }, `Notat: ${story.note}`) : null,
			story.facts ? story.facts : null);
	}

	function stateReason(reason) {
		if (!reason) {
			return '';
		}
		return Object.prototype.hasOwnProperty.call(STATE_REASONS, reason)
			? `: ${STATE_REASONS[reason]}`
			: `. Begrundelse: „${reason}“`;
	}

	function offerName(id) {
		const offer = (state.offers || []).find((o) => String(o.id) === String(id));
		return offer ? offer.name : `tilbud nr. ${id}`;
	}

	function deliveryText(details) {
		const status = details.delivery || details.status || details.state;
		return status ? `Status: ${label(DELIVERY, status)}.` : null;
	}

	/* One Danish sentence (plus details) per log kind the daemon writes. */
	const ENTRY_KINDS = {
		discharge: (d) => ({
			group: 'state',
			text: d.discharge_date
				? `Udskrivelsen blev meldt til kommunen. Borgeren blev udskrevet ${formatDay(d.discharge_date, true)}.`
				: 'Udskrivelsen blev meldt til kommunen.',
			more: d.window_end ? [`Borgeren kan få opkald til og med ${formatDay(d.window_end, true)}.`] : [],
		}),
		correction: () => ({ group: 'state', text: 'Psykiatrien rettede udskrivelsen. Opkaldene er planlagt igen.' }),
		cancellation: () => ({ group: 'state', text: 'Psykiatrien annullerede udskrivelsen. Forløbet er stoppet.' }),
		deceased: () => ({ group: 'state', text: 'Kommunen har fået besked om, at borgeren er død. Al kontakt er stoppet.' }),
		supersedes: () => ({ group: 'state', text: 'Forløbet erstatter et tidligere forløb efter en ny udskrivelse.' }),
		superseded: () => ({ group: 'state', text: 'Forløbet blev erstattet af et nyt forløb efter en ny udskrivelse.' }),
		/* A coordinator's assignment names the mentor before, or null when
		 * the course had none; the intake's own has no previous_mentor_id. */
		mentor_assigned: (d) => ({
			group: 'state',
			text: d.mentor_id === undefined ? 'Forløbet fik en mentor.'
				: d.previous_mentor_id != null
					? `Forløbet skiftede fra mentor nr. ${d.previous_mentor_id} til mentor nr. ${d.mentor_id}.`
					: d.previous_mentor_id === null
						? `En koordinator tildelte forløbet mentor nr. ${d.mentor_id}.`
						: `Forløbet fik mentor nr. ${d.mentor_id}.`,
		}),
		mentor_unassigned: () => ({
			group: 'state',
			text: 'Der var ingen ledig mentor. En koordinator skal tildele forløbet en mentor.',
		}),
		call_scheduled: (d) => ({
			group: 'call',
			text: `${label(REASONS, d.reason || 'follow_up')} planlagt${d.due_date ? ` til ${formatDay(d.due_date, true)}` : ''}` +
				`${Number(d.attempt) > 1 ? ` (forsøg ${d.attempt})` : ''}.`,
			more: d.topic ? [`Aftalt emne: ${d.topic}`] : [],
		}),
		call_cancelled: (d) => ({
			group: 'call',
			text: `Det planlagte opkald blev aflyst${d.reason ? `, fordi ${label(STATE_REASONS, d.reason)}` : ''}.`,
		}),
		outcome: (d, call) => outcomeEntry(d, call),
		unreached: (d) => ({
			group: 'call',
			text: d.attempts
				? `Borgeren blev ikke truffet efter ${plural(Number(d.attempts), 'forsøg', 'forsøg')}.`
				: 'Borgeren blev ikke truffet.',
			more: ['Næste opkald følger planen.'],
		}),
		message: (d) => ({
			group: 'message',
			text: `${d.type && MESSAGE_TYPES[d.type] ? MESSAGE_TYPES[d.type] : `En besked (${d.type || 'ukendt type'})`} blev sat til afsendelse.`,
			more: [deliveryText(d)].filter(Boolean),
		}),
		message_delivered: (d) => ({
			group: 'message',
			text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} blev leveret.`,
		}),
		call_task_delivered: () => ({
			group: 'call',
			text: 'Opkaldet blev sendt til mentorens opgaveliste.',
		}),
		call_task_withdrawn: (d) => ({
			group: 'call',
			text: `Opkaldet blev taget af mentorens opgaveliste, før det blev sendt${TASK_WITHDRAWN[d.reason] ? `, ${TASK_WITHDRAWN[d.reason]}` : ''}.`,
		}),
		call_task_failed: () => ({
			group: 'call',
			text: 'Opkaldet kunne ikke sendes til mentorens opgaveliste. Koordinatoren kan se fejlen.',
		}),
		message_withdrawn: (d) => ({
			group: 'message',
			text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} blev ikke sendt, fordi forløbet blev genoptaget.`,
		}),
		message_skipped: (d) => ({
			group: 'message',
			text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} blev ikke sendt: telefonnummeret er forkert, og der er intet CPR-nummer at sende den til.`,
		}),
		message_failed: (d) => ({
			group: 'message',
			text: `${label(MESSAGE_TYPES, d.type || 'Beskeden')} kunne ikke leveres. Koordinatoren kan se fejlen.`,
		}),
		contact: (d) => ({
			group: 'call',
			text: d.resumes || d.resumed
				? 'Borgeren tog selv kontakt, og forløbet blev genoptaget.'
				: 'Borgeren tog selv kontakt.',
		}),
		resumed: () => ({ group: 'state', text: 'Forløbet blev genoptaget.' }),
		ended: (d) => ({ group: 'state', text: `Forløbet blev afsluttet${stateReason(d.reason)}.` }),
		closed: (d) => ({ group: 'state', text: `Forløbet blev lukket${stateReason(d.reason)}.` }),
		flagged: (d) => ({
			group: 'state',
			text: d.flag === 'wrong_number'
				? 'Telefonnummeret var forkert. Forløbet er sendt til koordinatoren.'
				: `Forløbet blev sendt til koordinatoren${d.flag ? ` (${d.flag})` : ''}.`,
		}),
	};
	/* Names a delivery report may plausibly get; the same sentences. */
	ENTRY_KINDS.message_sent = ENTRY_KINDS.message_delivered;
	ENTRY_KINDS.message_dead = ENTRY_KINDS.message_failed;
	ENTRY_KINDS.message_dead_letter = ENTRY_KINDS.message_failed;

	/* call: the call the outcome is about, with its note, or null. */
	function outcomeEntry(d, call) {
		const bits = [];
		if (Number(d.attempt) > 1) {
			bits.push(`forsøg ${d.attempt}`);
		}
		if (d.duration_minutes !== undefined && d.duration_minutes !== null) {
			bits.push(`${d.duration_minutes} min.`);
		}
		const more = [];
		if (Array.isArray(d.topics) && d.topics.length > 0) {
			more.push(`Emner: ${d.topics.map((t) => label(TOPIC_LABELS, t)).join('; ')}.`);
		}
		if (Array.isArray(d.offers) && d.offers.length > 0) {
			more.push(`Tilbud: ${d.offers.map(offerName).join('; ')}.`);
		}
		if (d.followup || d.send_followup) {
			more.push('Borgeren skal have en opfølgende besked.');
		}
		if (d.result === 'reached' && d.next === 'end') {
			more.push('Det blev aftalt at afslutte forløbet.');
		} else if (d.result === 'reached' && d.next === 'continue') {
			more.push('Det blev aftalt at fortsætte.');
		}
		return {
			group: 'outcome',
			text: `Opkald: ${label(RESULTS, d.result || '')}${bits.length ? ` (${bits.join(', ')})` : ''}.`,
			more,
			note: call && typeof call.note === 'string' && call.note.trim() !== '' ? call.note : null,
		};
	}

	/* A kind this page does not know yet: its name and details, as text. */
	function genericEntry(kind, details) {
		const entries = Object.entries(details);
		return {
			group: 'other',
			text: `Hændelse: ${kind || 'ukendt'}.`,
			facts: entries.length > 0
				? h('dl', { class: 'entry-facts' }, entries.map(([k, v]) =>
					fact(k, v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v))))
				: null,
		};
	}

	/* ---------------------------------------------------------------
	 * View: the offers catalogue (read-only)
	 * ------------------------------------------------------------- */

	function offersView() {
		const seq = viewSeq;
		const search = h('input', { type: 'search', name: 'search', autocomplete: 'off' });
		const count = h('p', { class: 'queue-summary', 'aria-live': 'polite' });
		const list = h('div', { class: 'offer-list' }, loading('Henter tilbud …'));
		const view = h('section', { class: 'view' },
			viewHeading('Tilbud'),
			h('p', { class: 'lead' }, 'Kommunale tilbud og tilbud fra civilsamfundet, som du kan henvise borgere til.'),
			h('form', { class: 'search-form', role: 'search', novalidate: true, on: { submit: (e) => e.preventDefault() } },
				field({ id: 'offers-search', labelText: 'Søg i tilbud (navn eller kategori)', control: search })),
			count,
			list);
		showView('Tilbud', view);

		loadOffers(true).then((offers) => {
			if (seq !== viewSeq) {
				return;
			}
			const render = () => renderOffers(list, count, offers, search.value.trim());
			search.addEventListener('input', render);
			render();
		}).catch((err) => {
			if (seq === viewSeq) {
				showLoadFailure(list, err, 'tilbudskataloget', () => route());
			}
		});
	}

	function renderOffers(list, count, offers, query) {
		const shown = offers.filter((o) => offerMatches(o, query));
		count.textContent = query
			? `${plural(shown.length, 'tilbud', 'tilbud')} passer på søgningen.`
			: `${plural(shown.length, 'tilbud', 'tilbud')} i kataloget.`;
		if (shown.length === 0) {
			replaceChildren(list, h('p', { class: 'empty' }, 'Ingen tilbud passer på søgningen.'));
			return;
		}
		replaceChildren(list, h('ul', { class: 'offers' }, shown.map(offerCard)));
	}

	function offerCard(offer) {
		const url = offer.url ? safeWebUrl(offer.url) : null;
		return h('li', { class: 'offer' },
			h('article', null,
				h('h2', null, offer.name || 'Tilbud uden navn'),
				offer.category ? h('p', { class: 'badges' }, h('span', { class: 'badge' }, offer.category)) : null,
				offer.description ? h('p', null, offer.description) : null,
				h('dl', { class: 'facts' },
					offer.provider ? fact('Udbyder', offer.provider) : null,
					offer.phone ? fact('Telefon', h('a', { class: 'nowrap', href: telHref(offer.phone) }, formatPhone(offer.phone))) : null,
					offer.email ? fact('E-mail', h('a', { href: `mailto:${offer.email}` }, offer.email)) : null,
					offer.address ? fact('Adresse', offer.address) : null,
					offer.hours ? fact('Åbningstid', offer.hours) : null,
					offer.url ? fact('Hjemmeside', url
						? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, offer.url, srOnly(' (åbner i et nyt vindue)'))
						: offer.url) : null)));
	}

	/* ---------------------------------------------------------------
	 * Router: hash routes without data (#/kald, #/borger, ...)
	 * ------------------------------------------------------------- */

	const ROUTES = {
		'#/log-ind': signInView,
		'#/kald': queueView,
		'#/kald/registrer': outcomeView,
		'#/borger': timelineView,
		'#/tilbud': offersView,
	};

	function go(hash, replace = false) {
		if (location.hash === hash) {
			route();
		} else if (replace) {
			location.replace(hash);
		} else {
			location.hash = hash;
		}
	}

	function route() {
		const hash = location.hash || '#/kald';
		if (!hash.startsWith('#/')) {
			return;
		}
		if (!session.get() && hash !== '#/log-ind') {
			go('#/log-ind', true);
			return;
		}
		if (session.get() && hash === '#/log-ind') {
			go('#/kald', true);
			return;
		}
		const view = ROUTES[hash];
		if (!view) {
			go('#/kald', true);
			return;
		}
		viewSeq += 1;
		clearMessages();
		updateNav(hash);
		view();
	}

	function signOut() {
		session.clear();
		resetState();
		state.signInMessage = 'Du er logget ud.';
		go('#/log-ind');
	}

	function start() {
		shell.main = document.getElementById('main');
		shell.alert = document.getElementById('alert');
		shell.status = document.getElementById('status');
		shell.nav = document.getElementById('mainnav');
		document.getElementById('signout').addEventListener('click', signOut);
		/* The skip link must not change the hash: it is the router's. */
		document.getElementById('skip-link').addEventListener('click', (event) => {
			event.preventDefault();
			shell.main.focus();
		});
		window.addEventListener('hashchange', route);
		route();
	}

	start();
})();
