/*
 * mentor-page.mjs - the mentors' page in Debian's chromium, headless,
 * driven by playwright-core against a running mentord (issue 7).
 *
 * Run by tests/integration/browser.sh, which starts mentord with the test
 * clock on a temporary database, seeds it through the API and passes
 * everything in MENTORD_TEST_* variables. Prints one "ok - ..." or
 * "not ok - ..." line per check (with "# ..." diagnostics); the wrapper
 * numbers them. `node mentor-page.mjs --count` prints the number of checks
 * without starting a browser.
 *
 * The seeded world, mentor A's queue on Monday 2 March 2026:
 *   C1 Birgitte Nielsen  first contact due 26 Feb: overdue, must stand out
 *   C2 Carsten Holm      retry of the first contact (no answer on 27 Feb)
 *   C3 Dorte Mikkelsen   follow-up due 26 Feb
 *   C4 Erik Sørensen     mentor B's citizen
 * The browser's clock is fixed to the daemon's test clock, because the
 * page asks for the browser's "today".
 */
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const env = process.env;
const BASE = env.MENTORD_TEST_URL;
const ARTIFACTS = env.MENTORD_TEST_ARTIFACTS;
const TOKEN_A = env.MENTORD_TEST_TOKEN_A;
const TOKENS = [env.MENTORD_TEST_ADMIN_TOKEN, TOKEN_A, env.MENTORD_TEST_TOKEN_B].filter(Boolean);
const COURSE = {
	1: Number(env.MENTORD_TEST_COURSE_1),
	2: Number(env.MENTORD_TEST_COURSE_2),
	3: Number(env.MENTORD_TEST_COURSE_3),
	4: Number(env.MENTORD_TEST_COURSE_4),
};
const OFFER = { 1: env.MENTORD_TEST_OFFER_1, 2: env.MENTORD_TEST_OFFER_2, 3: env.MENTORD_TEST_OFFER_3 };
const NAME = { 1: 'Birgitte Nielsen', 2: 'Carsten Holm', 3: 'Dorte Mikkelsen', 4: 'Erik Sørensen' };

/* Monday 2 March and Thursday 5 March 2026, 09:00 in Copenhagen. */
const MONDAY = '2026-03-02T09:00:00+01:00';
const THURSDAY = '2026-03-05T09:00:00+01:00';
const AGREED_DATE = '2026-03-05';
const AGREED_TOPIC = 'Tal om løbeturen og aftalen med psykiatrien';
/* The mentor's note: a line break, and markup that must stay text. */
const NOTE = 'Har det bedre. Vil gerne <b>løbe</b> med andre.\nRinger selv, hvis noget haster.';

const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];

/* ------------------------------------------------------------------------
 * The checks, in order; each is one TAP line.
 * ---------------------------------------------------------------------- */

const steps = [];
function step(name, fn) {
	steps.push({ name, fn });
}

class CheckFailed extends Error {}
function assert(condition, message) {
	if (!condition) {
		throw new CheckFailed(message);
	}
}
function assertEqual(got, want, what) {
	const g = JSON.stringify(got);
	const w = JSON.stringify(want);
	assert(g === w, `${what}: got ${g}, want ${w}`);
}

let page;
const seen = { urls: [], titles: [], consoleErrors: [], pageErrors: [] };

const rows = () => page.locator('ol.calls > li.call');
const row = (n) => rows().filter({ has: page.locator('h2', { hasText: NAME[n] }) });
const rowNames = () => rows().locator('h2').allTextContents();
const statusText = () => page.locator('#status');

async function title() {
	const t = await page.title();
	seen.titles.push(t);
	return t;
}

async function waitForQueue() {
	await page.locator('.queue-summary').filter({ hasText: /opkald/ }).waitFor();
}

/* The outcome form of citizen n, from the queue. */
async function openForm(n) {
	await row(n).getByRole('button', { name: /Registrér opkaldet/ }).click();
	await page.locator('h1', { hasText: 'Registrér opkaldet' }).waitFor();
	await page.locator('.call-summary h2', { hasText: NAME[n] }).waitFor();
}

async function pickToday() {
	await page.getByRole('button', { name: 'I dag', exact: true }).click();
	await waitForQueue();
}

step('the page loads at / in Danish with the sign-in form', async () => {
	await page.goto(`${BASE}/`);
	await page.locator('h1', { hasText: 'Log ind' }).waitFor();
	assertEqual(await page.getAttribute('html', 'lang'), 'da', 'html lang');
	assertEqual(await title(), 'Log ind – Mentorordningen', 'title');
	assert(await page.getByLabel('Adgangsnøgle', { exact: true }).isVisible(), 'no field labelled Adgangsnøgle');
});

step('a wrong token is refused next to the token field', async () => {
	await page.getByLabel('Adgangsnøgle', { exact: true }).fill('not-a-token');
	await page.getByRole('button', { name: 'Log ind' }).click();
	const error = page.locator('#signin-token-error');
	await error.filter({ hasText: 'Nøglen blev ikke godkendt' }).waitFor();
	assertEqual(await page.getAttribute('#signin-token', 'aria-invalid'), 'true', 'aria-invalid');
	assert((await page.getAttribute('#signin-token', 'aria-describedby')).includes('signin-token-error'),
		'the error is not tied to the field');
	assertEqual(await page.evaluate(() => sessionStorage.getItem('mentord.token')), null,
		'a refused token stays in session storage');
});

step('mentor A signs in; the token is kept in sessionStorage and sent as Bearer only', async () => {
	const request = page.waitForRequest((r) => r.url().includes('/v1/queue'));
	await page.getByLabel('Adgangsnøgle', { exact: true }).fill(TOKEN_A);
	await page.getByRole('button', { name: 'Log ind' }).click();
	const headers = (await request).headers();
	assertEqual(headers.authorization, `Bearer ${TOKEN_A}`, 'Authorization header');
	await page.locator('h1', { hasText: 'Dagens opkald' }).waitFor();
	await waitForQueue();
	assertEqual(await page.evaluate(() => sessionStorage.getItem('mentord.token')), TOKEN_A,
		'sessionStorage');
	assertEqual(await page.evaluate(() => localStorage.length), 0, 'localStorage entries');
	assertEqual(await page.evaluate(() => document.cookie), '', 'cookies');
	assert(!page.url().includes(TOKEN_A), `the token is in the URL ${page.url()}`);
});

step("today's queue is in queue order: overdue first contact, retry, follow-up", async () => {
	assert(/mandag den 2\. marts 2026/.test(await page.locator('.lead').textContent()),
		'the queue is not for Monday 2 March');
	assertEqual(await rowNames(), [NAME[1], NAME[2], NAME[3]], 'rows');
	assertEqual(await rows().locator('.badges .badge:first-child').allTextContents(),
		['Første kontakt', 'Nyt forsøg', 'Opfølgning'], 'reasons');
	assertEqual(await title(), 'Dagens opkald – Mentorordningen', 'title');
});

step('the overdue first contact stands out; the others do not', async () => {
	assertEqual(await rows().evaluateAll((els) => els.map((el) => el.classList.contains('urgent'))),
		[true, false, false], 'urgent rows');
	assert(/Haster/.test(await row(1).textContent()), 'no "Haster" on the overdue first contact');
	assert(/4 dage over tid/.test(await row(1).textContent()), 'no "4 dage over tid" on C1');
	const bg = await row(1).evaluate((el) => getComputedStyle(el.querySelector('article') || el).borderLeftColor +
		getComputedStyle(el).borderLeftColor + getComputedStyle(el).backgroundColor);
	const plain = await row(3).evaluate((el) => getComputedStyle(el.querySelector('article') || el).borderLeftColor +
		getComputedStyle(el).borderLeftColor + getComputedStyle(el).backgroundColor);
	assert(bg !== plain, 'the urgent row looks like the others');
});

step('a queue row shows every field: phone, attempt, discharge, call time, last contact', async () => {
	const c1 = await row(1).textContent();
	assert(/\+45 21 43 65 87/.test(c1), `C1 phone missing: ${c1}`);
	assert(/kl\. 10:00–12:00/.test(c1), 'C1 preferred call time missing');
	assert(/for 5 dage siden/.test(c1), 'C1 days since discharge missing');
	assert(/Ingen tidligere kontakt/.test(c1), 'C1 last contact missing');
	assertEqual(await row(1).locator('a[href^="tel:"]').getAttribute('href'), 'tel:+4521436587', 'tel link');
	const c2 = await row(2).textContent();
	assert(/Forsøg 2/.test(c2), 'C2 attempt 2 missing');
	assert(/Intet svar \(27\. feb\.? 2026\)/.test(c2), `C2 last contact missing: ${c2}`);
	const c3 = await row(3).textContent();
	assert(/Talt med \(20\. feb\.? 2026\)/.test(c3), `C3 last contact missing: ${c3}`);
});

step('screenshot of the queue: queue.png (desktop) and queue-phone.png', async () => {
	await page.screenshot({ path: path.join(ARTIFACTS, 'queue.png'), fullPage: true });
	await page.setViewportSize({ width: 390, height: 844 });
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
	await page.screenshot({ path: path.join(ARTIFACTS, 'queue-phone.png'), fullPage: true });
	await page.setViewportSize({ width: 1280, height: 900 });
	assert(overflow <= 0, `the queue scrolls sideways by ${overflow}px at phone width`);
});

step('the outcome form: no personal data in title or URL, every input labelled', async () => {
	await openForm(1);
	assertEqual(await title(), 'Registrér opkald – Mentorordningen', 'title');
	assertEqual(new URL(page.url()).hash, '#/kald/registrer', 'URL hash');
	await page.getByLabel('Talt med', { exact: true }).check();
	const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input, main textarea, main select')]
		.filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
		.map((el) => el.id || el.name || el.outerHTML));
	assertEqual(unlabelled, [], 'inputs without a label');
});

step('the nine topics are checkboxes with Danish labels', async () => {
	const boxes = page.locator('input[type="checkbox"][name="topics"]');
	assertEqual(await boxes.count(), 9, 'topic checkboxes');
	const labels = await boxes.evaluateAll((els) => els.map((el) => el.labels[0].textContent));
	assertEqual(labels[0], 'Hvordan går det efter udskrivelsen', 'first topic label');
	assert(labels.includes('Ønsker en frivillig peer'), 'peer_contact label');
	assert(labels.every((l) => !/_/.test(l)), `a code instead of a label: ${labels}`);
});

step('the offer picker is searchable', async () => {
	await page.locator(`#outcome-offer-${OFFER[2]}`).waitFor({ state: 'attached' });
	await page.getByLabel('Søg efter tilbud (navn eller kategori)', { exact: true }).fill('løb');
	assert(await page.locator(`#outcome-offer-${OFFER[2]}`).isVisible(), 'Løbefællesskabet hidden');
	assert(!(await page.locator(`#outcome-offer-${OFFER[1]}`).isVisible()), 'Headspace still shown');
	assert(!(await page.locator(`#outcome-offer-${OFFER[3]}`).isVisible()), 'Aktivitetshuset still shown');
});

step('fill a reached call: topics, an offer, follow-up, agreed date and topic (form.png)', async () => {
	await page.getByLabel('Hvordan går det efter udskrivelsen', { exact: true }).check();
	await page.getByLabel('Støtte fra familie, venner, kolleger', { exact: true }).check();
	await page.getByLabel('Ønsker råd om tilbud', { exact: true }).check();
	await page.getByLabel('Varighed i minutter (frivilligt)', { exact: true }).fill('20');
	await page.locator(`#outcome-offer-${OFFER[2]}`).check();
	await page.getByLabel('Send en opfølgende besked til borgeren', { exact: true }).check();
	await page.getByLabel('Fortsæt på en aftalt dato', { exact: true }).check();
	await page.getByLabel('Aftalt dato', { exact: true }).fill(AGREED_DATE);
	await page.getByLabel('Hvad skal I tale om?', { exact: true }).fill(AGREED_TOPIC);
	await page.getByLabel('Notat (frivilligt)', { exact: true }).fill(NOTE);
	await page.screenshot({ path: path.join(ARTIFACTS, 'form.png'), fullPage: true });
	assert(await page.getByLabel('Aftalt dato', { exact: true }).isVisible(), 'the agreed date field is hidden');
});

step('saving it shows the next call and takes C1 off the queue', async () => {
	const reply = page.waitForResponse((r) => r.url().includes('/outcome'));
	await page.getByRole('button', { name: 'Gem opkaldet' }).click();
	assertEqual((await reply).status(), 200, 'outcome status');
	await statusText().filter({ hasText: 'Opkaldet er gemt: Talt med' }).waitFor();
	assert(/Næste opkald: torsdag den 5\. marts 2026/.test(await statusText().textContent()),
		`status: ${await statusText().textContent()}`);
	await waitForQueue();
	assertEqual(await rowNames(), [NAME[2], NAME[3]], 'rows after saving');
});

step('on 5 March (picked in the date field) C1 is an agreed call with its topic', async () => {
	await page.getByLabel('Dato', { exact: true }).fill(AGREED_DATE);
	await page.getByRole('button', { name: 'Vis opkald' }).click();
	await page.locator('.lead', { hasText: 'torsdag den 5. marts 2026' }).waitFor();
	await waitForQueue();
	const c1 = await row(1).textContent();
	assert(/Aftalt opkald/.test(c1), `C1 is not an agreed call: ${c1}`);
	assert(c1.includes(AGREED_TOPIC), 'the agreed topic is missing');
});

step("C1's timeline shows the outcome, oldest first, without personal data in the title", async () => {
	await row(1).getByRole('button', { name: /Se forløbet/ }).click();
	await page.locator('h1', { hasText: 'Borgerens forløb' }).waitFor();
	const entries = page.locator('ol.timeline > li.entry');
	await entries.first().waitFor();
	const texts = await entries.allTextContents();
	assert(/Udskrivelsen blev meldt/.test(texts[0]), `the first entry is not the discharge: ${texts[0]}`);
	const times = await entries.locator('time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime')));
	assert(times.every((t, i) => i === 0 || times[i - 1] <= t), `not oldest first: ${times}`);
	const outcome = texts.find((t) => /Opkald: Talt med/.test(t)) || '';
	assert(/20 min\./.test(outcome), `no duration: ${outcome}`);
	assert(/Emner: Hvordan går det efter udskrivelsen; Støtte fra familie, venner, kolleger; Ønsker råd om tilbud/
		.test(outcome), `no topics: ${outcome}`);
	assert(/Tilbud: Løbefællesskabet/.test(outcome), `no offer: ${outcome}`);
	assert(/opfølgende besked/.test(outcome), `no follow-up: ${outcome}`);
	assert(texts.some((t) => /Aftalt opkald planlagt til torsdag den 5\. marts 2026/.test(t) && t.includes(AGREED_TOPIC)),
		'no agreed call in the log');
	assert(texts.some((t) => /Opfølgende besked blev sat til afsendelse/.test(t)), 'no follow-up message in the log');
	assert(/Birgitte Nielsen/.test(await page.locator('.call-summary h2').textContent()), 'no citizen name');
	assertEqual(await title(), 'Borgerens forløb – Mentorordningen', 'title');
	assertEqual(new URL(page.url()).hash, '#/borger', 'URL hash');
	await page.screenshot({ path: path.join(ARTIFACTS, 'timeline.png'), fullPage: true });
});

step("the outcome entry shows the mentor's note, as text and with its line break", async () => {
	const entry = page.locator('ol.timeline > li.entry', { hasText: 'Opkald: Talt med' });
	const note = entry.locator('.entry-note');
	assertEqual(await note.count(), 1, 'note paragraphs in the outcome entry');
	assertEqual(await note.textContent(), `Notat: ${NOTE}`, 'the note');
	/* The markup in the note must stay text: no element is made of it. */
	assertEqual(await note.locator('b').count(), 0, 'elements parsed from the note');
	assertEqual(await page.locator('ol.timeline .entry-note').count(), 1, 'notes in the timeline');
});

step('record no answer for C2 with the keyboard only', async () => {
	await page.getByRole('link', { name: '← Tilbage til listen' }).focus();
	await page.keyboard.press('Enter');
	await page.getByRole('button', { name: 'I dag', exact: true }).focus();
	await page.keyboard.press('Enter');
	await page.locator('.lead', { hasText: 'mandag den 2. marts 2026' }).waitFor();
	await waitForQueue();
	await row(2).getByRole('button', { name: /Registrér opkaldet/ }).focus();
	await page.keyboard.press('Enter');
	await page.locator('.call-summary h2', { hasText: NAME[2] }).waitFor();
	await page.locator('#outcome-result-no_answer').focus();
	await page.keyboard.press('Space');
	assert(await page.locator('#outcome-result-no_answer').isChecked(), 'Space did not choose "Intet svar"');
	assert(await page.locator('.reached-only').isHidden(), 'the conversation part is shown for no answer');
	await page.getByRole('button', { name: 'Gem opkaldet' }).focus();
	await page.keyboard.press('Enter');
	await statusText().filter({ hasText: 'Opkaldet er gemt: Intet svar' }).waitFor();
	assert(/Næste opkald: tirsdag den 3\. marts 2026/.test(await statusText().textContent()),
		`status: ${await statusText().textContent()}`);
	await waitForQueue();
	assertEqual(await rowNames(), [NAME[3]], 'rows after no answer');
});

step('an agreed date after the window: the server\'s error is shown in Danish next to the date field', async () => {
	await openForm(3);
	await page.getByLabel('Talt med', { exact: true }).check();
	await page.getByLabel('Fortsæt på en aftalt dato', { exact: true }).check();
	await page.getByLabel('Aftalt dato', { exact: true }).fill('2026-09-01');
	const reply = page.waitForResponse((r) => r.url().includes('/outcome'));
	await page.getByRole('button', { name: 'Gem opkaldet' }).click();
	const response = await reply;
	assertEqual(response.status(), 422, 'outcome status');
	const problem = await response.json();
	assertEqual(problem.errors.map((e) => e.field), ['next.date'], 'fields the server names');
	const error = page.locator('#outcome-next-date-error');
	await error.waitFor();
	/* In Danish, with the window's last day as the page writes dates. */
	const slot = await error.textContent();
	assert(/^Datoen ligger efter ordningens sidste dag, \S+ den \d+\. \S+ \d{4}\.$/.test(slot.trim()),
		`the slot says ${slot} (the server: ${problem.errors[0].message})`);
	assertEqual(await page.getAttribute('#outcome-next-date', 'aria-invalid'), 'true', 'aria-invalid');
	assert((await page.getAttribute('#outcome-next-date', 'aria-describedby')).includes('outcome-next-date-error'),
		'the error is not tied to the date field');
	/* The error sits by its field: right before the input, in the same field. */
	assert(await page.locator('.field:has(#outcome-next-date) #outcome-next-date-error').isVisible(),
		'the error is not in the date field');
	assert(await page.locator('.error-summary').isVisible(), 'no error summary');
});

step('ending without a reason is refused next to the reason field', async () => {
	await page.getByLabel('Afslut forløbet', { exact: true }).check();
	await page.getByRole('button', { name: 'Gem opkaldet' }).click();
	const error = page.locator('#outcome-next-reason-error');
	await error.filter({ hasText: 'Skriv kort, hvorfor forløbet afsluttes.' }).waitFor();
	assertEqual(await page.getAttribute('#outcome-next-reason', 'aria-invalid'), 'true', 'aria-invalid');
	await page.getByRole('button', { name: 'Annullér' }).click();
	await waitForQueue();
	assertEqual(await rowNames(), [NAME[3]], 'C3 is still waiting');
});

step('the offers catalogue lists and searches the offers', async () => {
	await page.getByRole('link', { name: 'Tilbud', exact: true }).click();
	await page.locator('h1', { hasText: 'Tilbud' }).waitFor();
	await page.locator('ul.offers > li').first().waitFor();
	assertEqual(await page.locator('ul.offers > li h2').allTextContents(),
		['Løbefællesskabet', 'Aktivitetshuset', 'Headspace'], 'offers by category, then name');
	await page.getByLabel('Søg i tilbud (navn eller kategori)', { exact: true }).fill('kommunal');
	await page.locator('.queue-summary', { hasText: '1 tilbud passer på søgningen.' }).waitFor();
	assertEqual(await page.locator('ul.offers > li h2').allTextContents(), ['Aktivitetshuset'], 'search result');
	await page.getByRole('link', { name: 'Dagens opkald' }).click();
	await waitForQueue();
});

step("mentor A cannot open mentor B's citizen: the API says 403, the page says so", async () => {
	const api = await page.evaluate(async (id) => {
		const r = await fetch(`/v1/courses/${id}`, {
			headers: { Authorization: `Bearer ${sessionStorage.getItem('mentord.token')}` },
		});
		return r.status;
	}, COURSE[4]);
	assertEqual(api, 403, 'GET /v1/courses/{B\'s course} with A\'s token');
	/* The page never lists B's citizen to A; a stale or tampered list is
	 * the only way to ask. Swap C3's course for C4's in the next queue. */
	await page.route('**/v1/queue?*', async (route) => {
		const response = await route.fetch();
		const json = await response.json();
		for (const call of json.calls) {
			if (call.course_id === COURSE[3]) {
				call.course_id = COURSE[4];
			}
		}
		await route.fulfill({ response, json });
	}, { times: 1 });
	await pickToday();
	const reply = page.waitForResponse((r) => r.url().endsWith(`/v1/courses/${COURSE[4]}`));
	await row(3).getByRole('button', { name: /Se forløbet/ }).click();
	assertEqual((await reply).status(), 403, 'the page\'s request');
	await page.locator('#alert', { hasText: 'Du har ikke adgang til forløbet' }).waitFor();
	const text = await page.locator('body').textContent();
	assert(!text.includes(NAME[4]), "B's citizen's name is on the page");
	await page.unroute('**/v1/queue?*');
});

step('on 5 March (test clock and page clock) the agreed call is in the queue', async () => {
	const r = await fetch(`${BASE}/v1/test/clock`, {
		method: 'PUT',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ now: THURSDAY }),
	});
	assertEqual(r.status, 200, 'PUT /v1/test/clock');
	await page.clock.setFixedTime(new Date(THURSDAY));
	await page.reload();
	await page.locator('h1', { hasText: 'Dagens opkald' }).waitFor();
	await page.locator('.lead', { hasText: 'torsdag den 5. marts 2026' }).waitFor();
	await waitForQueue();
	/* The retry of C2's first contact is first and, two days late, urgent
	 * (first_contact from the API); then the overdue follow-up; then C1. */
	assertEqual(await rowNames(), [NAME[2], NAME[3], NAME[1]], 'rows on 5 March');
	assert(/Aftalt opkald/.test(await row(1).textContent()), 'C1 is not an agreed call');
	assert((await row(1).textContent()).includes(AGREED_TOPIC), 'the agreed topic is missing');
	assertEqual(await rows().evaluateAll((els) => els.map((el) => el.classList.contains('urgent'))),
		[true, false, false], 'urgent rows');
	await page.screenshot({ path: path.join(ARTIFACTS, 'queue-agreed.png'), fullPage: true });
});

step('no token and no citizen name ever in a URL or a title', async () => {
	const urls = [...seen.urls, page.url()];
	const leaks = urls.filter((u) => TOKENS.some((t) => u.includes(t)) || Object.values(NAME)
		.some((n) => u.includes(encodeURIComponent(n)) || u.includes(n)));
	assertEqual(leaks, [], 'URLs with a token or a name');
	const titles = seen.titles.filter((t) => Object.values(NAME).some((n) => t.includes(n)));
	assertEqual(titles, [], 'titles with a name');
	assert(seen.titles.length >= 5, 'too few titles checked');
});

step('no script error and no Content-Security-Policy violation', async () => {
	/* 4xx answers the test provoked show as "Failed to load resource". */
	const errors = seen.consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(m));
	assertEqual([...seen.pageErrors, ...errors], [], 'errors');
});

step('signing out forgets the token', async () => {
	await page.getByRole('button', { name: 'Log ud' }).click();
	await page.locator('h1', { hasText: 'Log ind' }).waitFor();
	assertEqual(await page.evaluate(() => sessionStorage.getItem('mentord.token')), null, 'sessionStorage');
	assert(await page.locator('#mainnav').isHidden(), 'the menu is still shown');
});

/* ------------------------------------------------------------------------
 * Running them
 * ---------------------------------------------------------------------- */

function diag(text) {
	for (const line of String(text).split('\n').slice(0, 12)) {
		console.log(`# ${line}`);
	}
}

async function main() {
	if (process.argv.includes('--count')) {
		console.log(steps.length);
		return 0;
	}
	for (const name of ['MENTORD_TEST_URL', 'MENTORD_TEST_ARTIFACTS', 'MENTORD_TEST_PROFILE', 'MENTORD_TEST_TOKEN_A']) {
		if (!env[name]) {
			console.error(`mentor-page.mjs: ${name} is not set (run it through tests/integration/browser.sh)`);
			return 2;
		}
	}
	/* node_modules lives in the build tree, not next to this file. */
	const require = createRequire(path.join(env.MENTORD_TEST_MODULES || '.', 'package.json'));
	const { chromium } = require('playwright-core');
	mkdirSync(ARTIFACTS, { recursive: true });

	const context = await chromium.launchPersistentContext(env.MENTORD_TEST_PROFILE, {
		executablePath: env.MENTORD_TEST_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: LAUNCH_ARGS,
		locale: 'da-DK',
		timezoneId: 'Europe/Copenhagen',
		viewport: { width: 1280, height: 900 },
	});
	let failed = 0;
	try {
		context.setDefaultTimeout(15000);
		page = context.pages()[0] || await context.newPage();
		page.on('request', (r) => seen.urls.push(r.url()));
		page.on('framenavigated', (f) => seen.urls.push(f.url()));
		page.on('console', (m) => {
			if (m.type() === 'error') {
				seen.consoleErrors.push(m.text());
			}
		});
		page.on('pageerror', (e) => seen.pageErrors.push(String(e)));
		/* Before the first load: the page's "today" is the test clock's. */
		await page.clock.setFixedTime(new Date(MONDAY));

		for (const [i, s] of steps.entries()) {
			try {
				await s.fn();
				await title();
				console.log(`ok - ${s.name}`);
			} catch (e) {
				failed += 1;
				console.log(`not ok - ${s.name}`);
				diag(e instanceof CheckFailed ? e.message : e.stack || e);
				await page.screenshot({ path: path.join(ARTIFACTS, `failed-${i + 1}.png`), fullPage: true })
					.catch(() => null);
			}
		}
	} finally {
		await context.close();
	}
	return failed === 0 ? 0 : 1;
}

main().then((code) => {
	process.exitCode = code;
}, (e) => {
	console.error(e.stack || String(e));
	process.exitCode = 2;
});
