/*
 * state.js - what the page remembers between views, in memory only:
 * nothing of it goes into the URL, the title or storage. And what is
 * fetched once: the offers catalogue, the public settings (the window,
 * the crisis numbers) and, for a coordinator, the mentors by name.
 */

import { endpoints } from './api.js';
import { today } from './format.js';
import { setWindowMonths } from './i18n.js';

export const state = {
	queueDate: null, /* null: today */
	queueMentor: '',
	call: null, /* the queue entry the outcome form is for */
	outcomeForm: null, /* {callId, node}: a draft survives a look at the timeline */
	courseId: null,
	courseReturn: '#/kald',
	offers: null, /* the catalogue, once fetched */
	flash: null, /* a message for the next view */
	signInMessage: null,
	done: [], /* calls registered on this page: {day, mentor, callId, courseId, name, result, next, call, body} */
	oldestFirst: false, /* the timeline's order */
	config: null, /* GET /v1/config/public, once fetched */
	mentors: null, /* a coordinator's list of mentors, once fetched */
	accessCourseId: null, /* the course of the access report */
	search: null, /* {q}: the last search for a citizen (search.js) */
};

export function resetState() {
	Object.assign(state, {
		queueDate: null,
		queueMentor: '',
		call: null,
		outcomeForm: null,
		courseId: null,
		courseReturn: '#/kald',
		offers: null,
		flash: null,
		done: [],
		oldestFirst: false,
		config: null,
		mentors: null,
		accessCourseId: null,
		search: null,
	});
}

/* The public settings; on failure the page words itself by the defaults
 * (six months, 112 and Livslinien) rather than fail a view. */
export async function loadConfig() {
	if (state.config) {
		return state.config;
	}
	try {
		const reply = await endpoints.config();
		state.config = reply && typeof reply === 'object' ? reply : null;
	} catch (e) {
		state.config = null;
	}
	if (state.config && Number.isInteger(state.config.window_months)) {
		setWindowMonths(state.config.window_months);
	}
	return state.config || {};
}

/* The name of programme id (doc/programmes.md), to show only when more
 * than one programme is configured: with the preventive scheme alone the
 * page reads as it always did. null otherwise, or before the config. */
export function programmeName(id) {
	const list = state.config && Array.isArray(state.config.programmes) ? state.config.programmes : [];
	if (list.length < 2 || !id) {
		return null;
	}
	const p = list.find((x) => x && x.id === id);
	return p && p.name ? String(p.name) : String(id);
}

/* Whether programme id takes referrals from a caseworker: moving such a
 * course to another mentor is a re-match and needs a reason. */
export function isReferralProgramme(id) {
	const list = state.config && Array.isArray(state.config.programmes) ? state.config.programmes : [];
	const p = list.find((x) => x && x.id === id);
	return Boolean(p && p.intake === 'referral');
}

/* The mentors by id order, for pickers by name (a coordinator's). */
export async function loadMentors(force = false) {
	if (state.mentors && !force) {
		return state.mentors;
	}
	const reply = await endpoints.mentors();
	const list = reply && Array.isArray(reply.mentors) ? reply.mentors : [];
	state.mentors = list.filter((m) => m && typeof m === 'object');
	return state.mentors;
}

export function mentorName(mentorId) {
	const m = (state.mentors || []).find((x) => String(x.id) === String(mentorId));
	return m ? m.name : null;
}

/* Today's registered calls of a queue ('' is the mentor's own), oldest
 * first. Kept in memory: a reload starts the count again. */
export function doneToday(mentor) {
	const day = today();
	return state.done.filter((d) => d.day === day && d.mentor === mentor);
}

/* A corrected call keeps its place in the list, with its new result. */
export function addDone(entry) {
	const old = state.done.find((d) => d.callId === entry.callId && d.day === today());
	if (old) {
		Object.assign(old, entry);
		return;
	}
	state.done = state.done.filter((d) => d.day === today());
	state.done.push({ ...entry, day: today() });
}

export async function loadOffers(force = false) {
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

/* An offer whose name, category or provider contains the query. */
export function offerMatches(offer, query) {
	if (!query) {
		return true;
	}
	const q = query.toLocaleLowerCase('da');
	return [offer.name, offer.category, offer.provider]
		.some((v) => typeof v === 'string' && v.toLocaleLowerCase('da').includes(q));
}
