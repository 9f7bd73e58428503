/*
 * i18n.js - the page's Danish: the API's codes (reasons, results, topics,
 * states, message types) and its refusals, which it writes in English for
 * machines, as a mentor should read them.
 */

import { ApiError } from './api.js';
import { capitalise, formatDay, isoDateFromInstant } from './format.js';

/* The course window in months (schedule.window_months), from GET
 * /v1/config/public once loaded: texts such as "de seks måneder" follow
 * the configuration. */
let windowMonths = 6;
const MONTH_WORDS = ['', 'en', 'to', 'tre', 'fire', 'fem', 'seks', 'syv', 'otte', 'ni', 'ti', 'elleve', 'tolv'];

export function setWindowMonths(n) {
	if (Number.isInteger(n) && n > 0) {
		windowMonths = n;
	}
}

export function getWindowMonths() {
	return windowMonths;
}

/* "seks måneder" (or "en måned"): the scheme's period, indefinite. */
export function windowLength() {
	if (windowMonths === 1) {
		return 'en måned';
	}
	const word = windowMonths < MONTH_WORDS.length ? MONTH_WORDS[windowMonths] : String(windowMonths);
	return `${word} måneder`;
}

/* "de seks måneder" (or "den ene måned"): the scheme's period. */
export function windowText() {
	if (windowMonths === 1) {
		return 'den ene måned';
	}
	const word = windowMonths < MONTH_WORDS.length ? MONTH_WORDS[windowMonths] : String(windowMonths);
	return `de ${word} måneder`;
}

export const REASONS = {
	first_contact: 'Første kontakt',
	follow_up: 'Opfølgning',
	retry: 'Nyt forsøg',
	agreed: 'Aftalt opkald',
	resumed: 'Genoptaget',
};

export const RESULTS = {
	reached: 'Talt med',
	no_answer: 'Intet svar',
	wrong_number: 'Forkert nummer',
	declined: 'Ønsker ikke kontakt',
};

/* What happens after each result, told before the mentor saves. */
export const RESULT_HINTS = {
	reached: 'Udfyld samtalen og aftal det næste skridt nedenfor.',
	no_answer: 'Der ringes igen næste hverdag, indtil forsøgene er brugt.',
	wrong_number: 'Der ringes ikke igen. Forløbet sendes til koordinatoren.',
	get declined() {
		return `Forløbet afsluttes. Borgeren kan selv vende tilbage inden for ${windowText()}.`;
	},
};

/* The nine topic codes of the outcome, in the order the scheme lists them. */
export const TOPICS = [
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
export const TOPIC_LABELS = Object.fromEntries(TOPICS);

export const COURSE_STATES = {
	active: 'Aktivt',
	ended: 'Afsluttet (kan genoptages)',
	closed: 'Lukket',
	superseded: 'Erstattet af et nyere forløb',
	awaiting_discharge: 'Venter på udskrivelsen',
	awaiting_decision: 'Venter på afgørelse',
	paused: 'Indlagt igen (ingen opkald)',
	cancelled: 'Annulleret',
	deceased: 'Borgeren er død',
};

export const MESSAGE_TYPES = {
	followup: 'Opfølgende besked',
	unreached: 'Besked om at vi ikke har kunnet træffe borgeren',
	closing: 'Afslutningsbesked med steder at finde støtte',
	welcome: 'Velkomstbesked',
	concern: 'Besked til koordinatorens telefon om en bekymring',
};

/* What the outbox holds, as the desk names it. */
export const OUTBOX_KINDS = {
	call_task: 'Opkald til mentorens opgaveliste',
	message: 'Besked',
};

export const DELIVERY = {
	pending: 'venter på at blive sendt',
	queued: 'venter på at blive sendt',
	sending: 'sendes',
	sent: 'sendt',
	delivered: 'leveret',
	failed: 'kunne ikke leveres',
	dead: 'kunne ikke leveres',
	dead_letter: 'kunne ikke leveres',
};

/* A goal's progress at a follow-up meeting. */
export const PROGRESS = {
	none: 'ingen fremgang',
	some: 'lidt fremgang',
	good: 'god fremgang',
	achieved: 'nået',
};

/* Machine reasons the daemon writes into the log; a mentor's own end
 * reason is free text and shown as written. */
export const STATE_REASONS = {
	declined: 'borgeren ønsker ikke kontakt',
	citizen_wish: 'den unge ønsker at afslutte',
	professional_reasons: 'vægtige faglige grunde',
	awaiting_checklist: 'perioden er slut; afslutningens tjekliste mangler',
	get window_end() {
		return `${windowText()} efter udskrivelsen er gået`;
	},
	superseded: 'en ny udskrivelse har erstattet forløbet',
	outcome_corrected: 'udfaldet af et opkald blev rettet',
	ended: 'forløbet blev afsluttet',
	closed: 'forløbet blev lukket',
	referral_expired: 'udskrivelsen kom ikke inden for ventetiden',
	rejected: 'henvisningen blev afvist',
	readmission_expired: 'borgeren blev ikke udskrevet igen inden for ventetiden',
	admitted: 'borgeren blev indlagt igen',
	deceased: 'borgeren er død',
	cancelled: 'udskrivelsen blev annulleret',
	entered_in_error: 'udskrivelsen var sendt ved en fejl',
	consent_withdrawn: 'borgeren trak sit samtykke tilbage',
	corrected: 'psykiatrien rettede udskrivelsen',
	death_withdrawn: 'hospitalet trak beskeden om borgerens død tilbage',
	undone: 'hospitalet trak en besked om borgerens ophold tilbage',
	reassigned: 'forløbet fik en anden mentor, som har fået opkaldet i stedet',
};

/* The fields a correction names (the notification's own names). */
export const DISCHARGE_FIELDS = {
	name: 'navn',
	cpr: 'CPR-nummer',
	phone: 'telefonnummer',
	'preferred_call_time.from': 'foretrukken tid for opkald',
	'preferred_call_time.to': 'foretrukken tid for opkald',
	discharged_at: 'udskrivelsestidspunkt',
	unit: 'afsnit',
	'consent.given_at': 'dato for samtykke',
};

/* Why a message was not sent after all. */
export const MESSAGE_WITHDRAWN = {
	resumed: 'fordi forløbet blev genoptaget',
	admitted: 'fordi borgeren blev indlagt igen',
	deceased: 'fordi borgeren er død',
	cancelled: 'fordi udskrivelsen blev annulleret',
	paused: 'fordi borgeren er indlagt igen',
	outcome_corrected: 'fordi udfaldet blev rettet',
	undone: 'fordi hospitalet trak en besked om borgerens ophold tilbage',
};

/* Why a call task was taken back before it reached the mentor's list. */
export const TASK_WITHDRAWN = {
	outcome: 'fordi opkaldets resultat allerede var registreret',
	call_cancelled: 'fordi opkaldet blev aflyst',
	outcome_corrected: 'fordi udfaldet blev rettet',
	mentor_changed: 'fordi forløbet fik en anden mentor',
	admitted: 'fordi borgeren blev indlagt igen',
	paused: 'fordi borgeren er indlagt igen',
	deceased: 'fordi borgeren er død',
	cancelled: 'fordi udskrivelsen blev annulleret',
	corrected: 'fordi udskrivelsen blev rettet',
	closed: 'fordi forløbet er lukket',
	ended: 'fordi forløbet er afsluttet',
	undone: 'fordi hospitalet trak en besked om borgerens ophold tilbage',
};

const AUTHORS = {
	mentor: 'mentor',
	admin: 'koordinator',
	psychiatry: 'psykiatrien',
	caseworker: 'sagsbehandler',
	system: 'systemet',
};

/* The access report: what was done, and why, in words a citizen reads.
 * The API writes codes and English purposes (every api_job_audit() in
 * src/; tests/integration/web.sh checks that each has its Danish here).
 * One the page does not know yet prints a neutral Danish phrase
 * (auditAction, auditPurpose), never the English. */
export const AUDIT_ACTIONS = {
	discharge: 'Modtog meldingen om udskrivelsen',
	'discharge-repeat': 'Modtog meldingen om udskrivelsen igen',
	'self-referral': 'Skrev ind, at du selv henvendte dig til kommunen',
	'self-referral-repeat': 'Skrev din henvendelse til kommunen ind igen',
	correct: 'Rettede meldingen om udskrivelsen',
	'correct-repeat': 'Modtog rettelsen af meldingen om udskrivelsen igen',
	cancel: 'Stoppede forløbet',
	'cancel-repeat': 'Modtog beskeden om at stoppe forløbet igen',
	'life-event': 'Modtog en besked om indlæggelse eller udskrivelse',
	'life-event-undone': 'Modtog en tilbagekaldelse af en besked fra hospitalet',
	medcom_leave: 'Modtog en besked om orlov fra hospitalet',
	medcom_cancel: 'Modtog en annullering fra hospitalet',
	medcom_revise: 'Modtog en rettelse fra hospitalet',
	read: 'Så oplysningerne',
	outcome: 'Skrev et opkald ind',
	contact: 'Skrev ind, at borgeren tog kontakt',
	resume: 'Genoptog forløbet',
	end: 'Afsluttede forløbet',
	goals: 'Skrev mål for forløbet ind',
	checklist: 'Ændrede afslutningens tjekliste',
	assign_mentor: 'Tildelte en mentor',
	concern_handled: 'Fulgte op på en bekymring',
	outbox_retry: 'Sendte en besked igen',
	refer: 'Henviste dig til et mentorforløb',
	decide: 'Traf afgørelse om henvisningen',
	sign_in: 'Loggede ind',
	sign_out: 'Loggede ud',
};

export const AUDIT_PURPOSES = {
	'discharge notification from psychiatry': 'Melding om udskrivelse med dit samtykke',
	'self-referral registered by the municipality': 'Din egen henvendelse til kommunen',
	'correction of a discharge notification': 'Psykiatriens rettelse af meldingen om udskrivelse',
	'consent withdrawn': 'Du trak dit samtykke tilbage',
	'notification entered in error': 'Meldingen om udskrivelse var sendt ved en fejl',
	'life event from psychiatry': 'Besked fra psykiatrien om indlæggelse eller udskrivelse',
	'HospitalNotification from the hospital': 'Besked fra hospitalet om dit ophold',
	'daily call queue': 'Dagens liste over opkald',
	'view the course and its log': 'Se forløbet og dets historik',
	'list courses': 'Oversigt over forløb',
	'find a citizen': 'Søgning efter en borger',
	"record a call's outcome": 'Skrive et opkald ind',
	"correct a call's outcome": 'Rette et opkald, der var skrevet forkert ind',
	'act on the course': 'Ændre forløbet',
	"agree the course's goals": 'Aftale mål for forløbet',
	'work the closing checklist': 'Afslutte forløbet',
	"assign the course's mentor": 'Vælge din mentor',
	"list concerns for citizens' safety": 'Følge op på bekymringer for borgeres sikkerhed',
	"follow up a concern for the citizen's safety": 'Følge op på en bekymring for din sikkerhed',
	'send a dead letter again': 'Sende en besked, der ikke kom frem, igen',
	'referral by a caseworker': 'Din sagsbehandlers henvisning',
	'list referrals': 'Oversigt over henvisninger, der venter på afgørelse',
	'decision on a referral': 'Afgørelse om din henvisning',
	'propose mentors for a course': 'Finde den mentor, der passer bedst til dig',
	'sign in to the page by single sign-on': 'Logge ind',
	'sign in to the page with a token': 'Logge ind',
	'sign out of the page': 'Logge ud',
};

/* A code the page does not know yet (a newer server): a neutral phrase
 * rather than English on a page handed to a citizen. */
export function auditAction(code) {
	return Object.prototype.hasOwnProperty.call(AUDIT_ACTIONS, code) ? AUDIT_ACTIONS[code] : 'Behandlede oplysningerne';
}

export function auditPurpose(purpose) {
	return Object.prototype.hasOwnProperty.call(AUDIT_PURPOSES, purpose) ? AUDIT_PURPOSES[purpose] : 'Arbejdet med ordningen';
}

export const ROLE_NAMES = {
	mentor: 'Mentor',
	admin: 'Koordinator',
	psychiatry: 'Psykiatrien',
	caseworker: 'Sagsbehandler',
	system: 'Systemet',
};

/* Matching (doc/programmes.md): the reasons "kind:value" of a proposal,
 * the profile's genders and the usual languages in Danish; a tag the page
 * does not know is shown as it is. */
export const GENDERS = { female: 'kvinde', male: 'mand', other: 'andet' };
const LANGUAGES = {
	da: 'dansk', en: 'engelsk', ar: 'arabisk', de: 'tysk', so: 'somali', tr: 'tyrkisk',
	fa: 'persisk', ur: 'urdu', pl: 'polsk', uk: 'ukrainsk', ru: 'russisk', es: 'spansk',
	fr: 'fransk', sv: 'svensk', no: 'norsk', ti: 'tigrinya', ku: 'kurdisk', bs: 'bosnisk',
};
const REASON_KINDS = {
	gender: (v) => `Køn: ${label(GENDERS, v)}`,
	language: (v) => `Sprog: ${label(LANGUAGES, v)}`,
	competence: (v) => `Kompetence: ${v}`,
	interest: (v) => `Interesse: ${v}`,
};

export function matchReason(reason) {
	const at = String(reason).indexOf(':');
	const kind = String(reason).slice(0, at);
	const value = String(reason).slice(at + 1);
	return at > 0 && Object.prototype.hasOwnProperty.call(REASON_KINDS, kind)
		? REASON_KINDS[kind](value) : String(reason);
}

export function label(map, code) {
	return Object.prototype.hasOwnProperty.call(map, code) ? map[code] : String(code);
}

/* "mentor Anna Andersen": the role, and the name when the API gives one. */
export function authorLabel(author, name) {
	if (typeof author !== 'string' || author === '') {
		return '';
	}
	const role = author.split(':')[0];
	const who = Object.prototype.hasOwnProperty.call(AUTHORS, role) ? AUTHORS[role] : author;
	return typeof name === 'string' && name !== '' ? `${who} ${name}` : who;
}

/* The API writes its refusals in English, for machines; a mentor reads
 * Danish and never sees the English. A field error's message is matched
 * against what the server says (src/api*.c, call.c, schedule.c), most
 * specific first; one the page does not know yet still gets a Danish
 * sentence, just a vaguer one. */
const SERVER_MESSAGES = [
	[/^the agreed date falls after the course window ends on (\d{4}-\d{2}-\d{2})$/,
		(m) => `Datoen ligger efter ordningens sidste dag, ${formatDay(m[1], true)}.`],
	[/^is older than the \d+-month window/,
		() => `Udskrivelsen ligger mere end ${windowLength()} tilbage. Ordningen er slut for borgeren.`],
	[/^needs at least 3 letters of a name, or digits of a phone or course number$/,
		() => 'Skriv mindst tre bogstaver af navnet eller tre cifre af telefonnummeret, eller forløbets nummer.'],
	[/^a phone number needs at least 3 digits$/, () => 'Skriv mindst tre cifre af telefonnummeret.'],
	[/^must name a citizen, a phone number or a course number$/,
		() => 'Skriv et navn, et telefonnummer eller et forløbsnummer.'],
	[/^the agreed date must be tomorrow or later$/, () => 'Datoen skal være i morgen eller senere.'],
	[/^a follow-up message needs a conversation/,
		() => 'En opfølgende besked kan kun sendes efter en samtale.'],
	[/^no follow-up message after a wrong number$/,
		() => 'Der sendes ingen opfølgende besked til et forkert nummer.'],
	[/^ending a course needs a reason$/, () => 'Skriv kort, hvorfor forløbet afsluttes.'],
	[/^is required to move the course to another mentor$/,
		() => 'Skriv kort, hvorfor forløbet skal have en anden mentor.'],
	[/^the topic is too long$/, () => 'Emnet er for langt.'],
	[/^the note is too long$/, () => 'Notatet er for langt.'],
	[/^the duration must be 0 to (\d+) minutes$/,
		(m) => `Varigheden skal være mellem 0 og ${m[1]} minutter.`],
	[/^unknown result$/, () => 'Vælg hvordan opkaldet gik.'],
	[/^(is not a known topic|unknown topic)/, () => 'Emnet findes ikke. Genindlæs siden og prøv igen.'],
	[/^is not an offer in the catalogue$/,
		() => 'Tilbuddet findes ikke længere i kataloget. Fjern krydset og prøv igen.'],
	[/^must be a list of at most (\d+) offer ids$/, (m) => `Vælg højst ${m[1]} tilbud.`],
	[/^is only taken with result "reached"$/,
		() => 'Næste skridt kan kun vælges, når I har talt sammen.'],
	[/^must be a mentor id$/, () => 'Vælg en mentor.'],
	[/^is required for an admin$/, () => 'Som koordinator skal du vælge en mentor.'],
	[/^a concern needs a conversation/,
		() => 'En bekymring kan kun skrives ind, når I har talt sammen.'],
	[/^must be true or false$/, () => 'Vælg ja eller nej.'],
	[/^no mentor \d+$/, () => 'Mentoren findes ikke. Hent listen igen.'],
	[/^mentor \d+ is not active$/, () => 'Mentoren er ikke aktiv. Vælg en anden.'],
	[/^must be on or after from and at most (\d+) days after it$/,
		(m) => `Vælg en periode på højst ${Number(m[1]) + 1} dage.`],
	[/^must be open, handled or all$/, () => 'Vælg åbne, fulgt op eller alle.'],
	[/^must be a date/, () => 'Skriv en dato.'],
	[/^is required$|^must not be empty$|^must not be only white space$|^must not be null$/,
		() => 'Feltet skal udfyldes.'],
	[/^must be at most \d+ bytes$/, () => 'Teksten er for lang.'],
	[/^must not contain (NUL|control) characters$/, () => 'Teksten indeholder tegn, der ikke kan gemmes.'],
	[/^must be an integer from (-?\d+) to (-?\d+)$/,
		(m) => `Skriv et helt tal fra ${m[1]} til ${m[2]}.`],
];

/* The Danish message for one of problem JSON's errors[] ({field, message}). */
export function fieldErrorMessage(error) {
	const message = error && typeof error.message === 'string' ? error.message : '';
	for (const [pattern, danish] of SERVER_MESSAGES) {
		const m = pattern.exec(message);
		if (m) {
			return danish(m);
		}
	}
	return 'Feltet er ikke udfyldt korrekt.';
}

/* The fields the API names, for an error the page has no input for. */
const FIELD_NAMES = {
	result: 'Hvordan gik opkaldet',
	topics: 'Samtalens emner',
	duration_minutes: 'Varighed',
	note: 'Notat',
	offers: 'Tilbud',
	send_followup: 'Opfølgende besked',
	next: 'Næste skridt',
	'next.action': 'Næste skridt',
	'next.date': 'Aftalt dato',
	'next.topic': 'Emne for næste opkald',
	'next.reason': 'Begrundelse for at afslutte',
	date: 'Dato',
	mentor: 'Mentor',
	mentor_id: 'Mentor',
	concern: 'Bekymring for borgerens sikkerhed',
	topic: 'Emne',
	from: 'Fra',
	to: 'Til',
	state: 'Vis',
};

/* "offers[2]" is named as "offers" is; an unknown field by no name. */
export function fieldName(path) {
	let p = String(path || '');
	while (p) {
		if (Object.prototype.hasOwnProperty.call(FIELD_NAMES, p)) {
			return FIELD_NAMES[p];
		}
		const next = p.replace(/(\[\d*\]|\.[^.[\]]*)$/, '');
		if (next === p) {
			break;
		}
		p = next;
	}
	return null;
}

/* The general Danish message for a failed request: by its status, never
 * the server's English title or detail. */
export function failureMessage(err, what) {
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
	case 400:
	case 413:
	case 415:
		return 'Serveren kunne ikke læse det, siden sendte. Genindlæs siden og prøv igen.';
	case 503:
		return 'Serveren kunne ikke gemme eller hente noget lige nu. Prøv igen om lidt.';
	default:
		if (err.status >= 500) {
			return 'Der skete en fejl på serveren. Prøv igen om lidt. ' +
				'Bliver fejlen ved, så kontakt din koordinator.';
		}
		return `Det lykkedes ikke at hente ${what}.`;
	}
}

/* A queue entry's last_contact, as a mentor says it. */
export function describeLastContact(last) {
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
