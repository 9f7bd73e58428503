/*
 * app.js - the social mentors' page of mentord: sign-in, the daily call
 * queue, the outcome form, finding a citizen, the citizen's timeline and
 * the offers catalogue, and for coordinators the desk, a citizen's access report and
 * the yearly report,
 * over mentord's HTTP API v1. This module only names the views
 * by route and starts the page; each concern has its own module (see
 * README.md in this directory).
 *
 * Plain ES modules, no dependencies, no build step; the page's
 * Content-Security-Policy admits scripts from its own origin only and
 * style.css, so nothing uses inline handlers or style attributes.
 *
 * Privacy rules every module keeps:
 *  - citizen data (names, phones, notes, topics) only ever enters the DOM
 *    as text nodes through h() (dom.js); nothing is parsed as HTML;
 *  - the page holds a session cookie it cannot read (api.js); a pasted
 *    token is sent once and kept nowhere; ids and names never go into the page's
 *    URL or title: the hash routes carry no data, the selected call and
 *    course are in-memory state (state.js).
 */
import { accessView } from './access.js';
import { deskView } from './desk.js';
import { searchView } from './inbound.js';
import { offersView } from './offers.js';
import { outcomeView } from './outcome.js';
import { queueView } from './queue.js';
import { referralsView } from './referrals.js';
import { selfReferralView } from './selfreferral.js';
import { start } from './shell.js';
import { signInView } from './signin.js';
import { timelineView } from './timeline.js';
import { yearlyView } from './yearly.js';

start({
	'#/log-ind': signInView,
	'#/kald': queueView,
	'#/kald/registrer': outcomeView,
	'#/borger': timelineView,
	'#/tilbud': offersView,
	'#/selvhenvendelse': selfReferralView,
	'#/find-borger': searchView,
	'#/skrivebord': deskView,
	'#/adgang': accessView,
	'#/henvisninger': referralsView,
	'#/aarsrapport': yearlyView,
});
