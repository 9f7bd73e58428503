/*
 * format.js - dates (Copenhagen's calendar), times, phone numbers, links
 * and plurals as the page writes them.
 */

const TIME_ZONE = 'Europe/Copenhagen';

export function isoDateInZone(date) {
	const parts = new Intl.DateTimeFormat('en-GB', {
		timeZone: TIME_ZONE,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
	}).formatToParts(date);
	const get = (type) => parts.find((p) => p.type === type).value;
	return `${get('year')}-${get('month')}-${get('day')}`;
}

export function today() {
	return isoDateInZone(new Date());
}

export function isIsoDate(text) {
	return typeof text === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(text);
}

export function addDays(iso, days) {
	const d = new Date(`${iso}T12:00:00Z`);
	d.setUTCDate(d.getUTCDate() + days);
	return d.toISOString().slice(0, 10);
}

/* months later (or earlier), on the same day of the month or the month's
 * last: how mentord counts the window (cal_add_months). */
export function addMonths(iso, months) {
	const [y, m, d] = iso.split('-').map(Number);
	const index = y * 12 + (m - 1) + months;
	const year = Math.floor(index / 12);
	const month = index - year * 12 + 1;
	const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
	const pad = (n) => String(n).padStart(2, '0');
	return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(Math.min(d, last))}`;
}

/* The earliest discharge day whose window of months still runs today. */
export function earliestDischarge(todayIso, months) {
	let day = addMonths(todayIso, -months);
	while (addMonths(day, months) < todayIso) {
		day = addDays(day, 1);
	}
	return day;
}

/* "mandag den 24. november 2025" style for a YYYY-MM-DD date. */
export function formatDay(iso, long = false) {
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
export function parseInstant(value) {
	if (typeof value === 'number') {
		return new Date(value > 1e12 ? value : value * 1000);
	}
	if (typeof value === 'string' && /^\d+$/.test(value)) {
		return parseInstant(Number(value));
	}
	const d = new Date(value);
	return Number.isNaN(d.getTime()) ? null : d;
}

export function formatInstant(date) {
	return new Intl.DateTimeFormat('da-DK', {
		timeZone: TIME_ZONE,
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		hour: '2-digit',
		minute: '2-digit',
	}).format(date);
}

export function plural(n, one, many) {
	return `${n} ${n === 1 ? one : many}`;
}

/* Danish numbers as "+45 12 34 56 78"; anything else as given. */
export function formatPhone(phone) {
	const text = String(phone || '');
	const m = /^\+45(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
	return m ? `+45 ${m[1]} ${m[2]} ${m[3]} ${m[4]}` : text;
}

export function telHref(phone) {
	return `tel:${String(phone || '').replace(/[^+\d]/g, '')}`;
}

/* Only http(s) links from the catalogue become links. */
export function safeWebUrl(text) {
	try {
		const url = new URL(String(text));
		return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
	} catch (e) {
		return null;
	}
}

export function formatCallTime(pref) {
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

export function capitalise(text) {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/* The Copenhagen day of a log time. */
export function isoDateFromInstant(value) {
	const d = parseInstant(value);
	return d ? isoDateInZone(d) : null;
}

/* How long ago a discharge was, from a number of days. */
export function daysAgo(days) {
	if (days <= 0) {
		return 'i dag';
	}
	return days === 1 ? 'i går' : `for ${days} dage siden`;
}
