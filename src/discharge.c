/*
 * discharge.c - the one validation of a discharge notification
 * (discharge.h).
 */
#include "discharge.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "field.h"
#include "sha256.h"

static const char *const field_names[DISCHARGE_NFIELDS] = {
	[DISCHARGE_NOTIFICATION_ID] = "notification_id",
	[DISCHARGE_NAME] = "name",
	[DISCHARGE_CPR] = "cpr",
	[DISCHARGE_PHONE] = "phone",
	[DISCHARGE_CALL_FROM] = "preferred_call_time.from",
	[DISCHARGE_CALL_TO] = "preferred_call_time.to",
	[DISCHARGE_DISCHARGED_AT] = "discharged_at",
	[DISCHARGE_UNIT] = "unit",
	[DISCHARGE_CONSENT_CONTACT] = "consent.contact",
	[DISCHARGE_CONSENT_SHARE] = "consent.share_information",
	[DISCHARGE_CONSENT_GIVEN_AT] = "consent.given_at",
};

const char *discharge_field_name(enum discharge_field field)
{
	return (unsigned)field < DISCHARGE_NFIELDS ? field_names[field] : "";
}

int discharge_field_parse(const char *name)
{
	for (int i = 0; name != NULL && i < DISCHARGE_NFIELDS; i++)
		if (strcmp(name, field_names[i]) == 0)
			return i;
	return -1;
}

void discharge_init(struct discharge *d, const char *source)
{
	memset(d, 0, sizeof *d);
	d->consent_given_at = CAL_NO_DAY;
	d->discharge_day = CAL_NO_DAY;
	d->source = source;
}

static void problem(struct discharge_problems *p, enum discharge_field field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void problem(struct discharge_problems *p, enum discharge_field field, const char *fmt, ...)
{
	va_list ap;

	/* The first problem of a field is the one to fix first. */
	if (p->message[field][0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(p->message[field], sizeof p->message[field], fmt, ap);
	va_end(ap);
	p->count++;
}

static bool has_control_characters(const char *s)
{
	for (; *s != '\0'; s++)
		if (iscntrl((unsigned char)*s))
			return true;
	return false;
}

/* A name-like text: required or not, at most max bytes, one line. */
static void check_text(const char *text, bool required, size_t max, enum discharge_field field,
		       struct discharge_problems *p)
{
	/* A name or an id of blanks names nobody, and would reach the
	 * mentor's queue and the gateway. */
	if (text == NULL || (required && field_is_blank(text))) {
		if (required)
			problem(p, field,
				text == NULL	  ? "is required"
				: text[0] == '\0' ? "must not be empty"
						  : "must not be only white space");
		return;
	}
	if (strlen(text) > max)
		problem(p, field, "must be at most %zu bytes", max);
	else if (has_control_characters(text))
		problem(p, field, "must not contain control characters");
}

static void check_call_time(struct discharge *d, struct discharge_problems *p)
{
	int from, to;

	d->call_from[0] = d->call_to[0] = '\0';
	if (d->call_from_text == NULL && d->call_to_text == NULL)
		return;
	if (d->call_from_text == NULL)
		problem(p, DISCHARGE_CALL_FROM, "is required with \"to\"");
	if (d->call_to_text == NULL)
		problem(p, DISCHARGE_CALL_TO, "is required with \"from\"");
	from = clock_minute_parse(d->call_from_text);
	to = clock_minute_parse(d->call_to_text);
	if (d->call_from_text != NULL && from < 0)
		problem(p, DISCHARGE_CALL_FROM, "must be a time \"HH:MM\"");
	if (d->call_to_text != NULL && to < 0)
		problem(p, DISCHARGE_CALL_TO, "must be a time \"HH:MM\"");
	if (from < 0 || to < 0)
		return;
	if (from >= to) {
		problem(p, DISCHARGE_CALL_TO, "must be after \"from\"");
		return;
	}
	snprintf(d->call_from, sizeof d->call_from, "%s", d->call_from_text);
	snprintf(d->call_to, sizeof d->call_to, "%s", d->call_to_text);
}

static void check_citizen(struct discharge *d, cal_day today, struct discharge_problems *p)
{
	cal_day birth;

	check_text(d->name, true, DISCHARGE_NAME_MAX, DISCHARGE_NAME, p);
	d->cpr[0] = '\0';
	if (d->cpr_text != NULL) {
		enum cpr_result r = cpr_parse(d->cpr_text, today, d->cpr, &birth);
		if (r != CPR_OK) {
			d->cpr[0] = '\0';
			problem(p, DISCHARGE_CPR, "%s", cpr_result_message(r));
		}
	}
	d->phone[0] = '\0';
	if (d->phone_text == NULL || d->phone_text[0] == '\0')
		problem(p, DISCHARGE_PHONE,
			d->phone_text == NULL ? "is required" : "must not be empty");
	else if (phone_normalise(d->phone_text, d->phone) != 0)
		problem(p, DISCHARGE_PHONE,
			"must be a Danish 8-digit number or an E.164 number (+CC...)");
	check_call_time(d, p);
}

static void check_consent(const struct discharge *d, cal_day today, struct discharge_problems *p)
{
	if (!d->consent_contact)
		problem(p, DISCHARGE_CONSENT_CONTACT,
			"must be true: without consent to contact nothing is stored");
	if (!d->consent_share)
		problem(p, DISCHARGE_CONSENT_SHARE,
			"must be true: without consent to share nothing is stored");
	if (d->consent_given_at != CAL_NO_DAY && d->consent_given_at > today)
		problem(p, DISCHARGE_CONSENT_GIVEN_AT, "must not be in the future");
}

int discharge_check(struct discharge *d, time_t now, struct discharge_problems *p)
{
	cal_day today = cal_day_of_instant(now);

	memset(p, 0, sizeof *p);
	check_text(d->notification_id, true, DISCHARGE_ID_MAX, DISCHARGE_NOTIFICATION_ID, p);
	check_citizen(d, today, p);
	d->discharge_day = d->has_discharged_at ? cal_day_of_instant(d->discharged_at) : CAL_NO_DAY;
	check_text(d->unit, false, DISCHARGE_UNIT_MAX, DISCHARGE_UNIT, p);
	check_consent(d, today, p);
	d->checked = p->count == 0;
	return p->count == 0 ? 0 : -1;
}

/* One field into the fingerprint: its length first (all ones for an absent
 * field), so no two different notifications can run together alike. */
static void fingerprint_bytes(EVP_MD_CTX *ctx, const void *data, size_t len)
{
	unsigned char prefix[4];
	uint32_t n = data == NULL ? UINT32_MAX : (uint32_t)len;

	for (int i = 0; i < 4; i++)
		prefix[i] = (unsigned char)(n >> (24 - 8 * i));
	EVP_DigestUpdate(ctx, prefix, sizeof prefix);
	if (data != NULL)
		EVP_DigestUpdate(ctx, data, len);
}

static void fingerprint_text(EVP_MD_CTX *ctx, const char *text)
{
	fingerprint_bytes(ctx, text, text != NULL ? strlen(text) : 0);
}

/* Big-endian, so the fingerprint is the same on every machine. */
static void fingerprint_number(EVP_MD_CTX *ctx, int64_t value)
{
	unsigned char bytes[8];

	for (int i = 0; i < 8; i++)
		bytes[i] = (unsigned char)((uint64_t)value >> (56 - 8 * i));
	fingerprint_bytes(ctx, bytes, sizeof bytes);
}

/* The fields and their order are those of the fingerprints stored since
 * migration 7: a notification accepted then must still be "the same"
 * (the preferred time as minutes, -1 without one; CPR "" without one). */
void discharge_fingerprint(const struct discharge *d, char hex[DISCHARGE_FINGERPRINT_LEN])
{
	static const char digits[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char hash[SHA256_LEN];

	if (ctx == NULL || EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1)
		abort(); /* out of memory: as xmalloc does */
	fingerprint_text(ctx, d->notification_id);
	fingerprint_text(ctx, d->name);
	fingerprint_text(ctx, d->cpr);
	fingerprint_text(ctx, d->phone);
	fingerprint_number(ctx, d->call_from[0] != '\0' ? clock_minute_parse(d->call_from) : -1);
	fingerprint_number(ctx, d->call_to[0] != '\0' ? clock_minute_parse(d->call_to) : -1);
	/* An absent time counts as 0, as it did when 0 meant absent, so the
	 * fingerprints already stored stay valid. The epoch, which shares it,
	 * differs in its discharge day, which the replay compares too. */
	fingerprint_number(ctx, d->has_discharged_at ? (int64_t)d->discharged_at : 0);
	fingerprint_text(ctx, d->unit);
	fingerprint_number(ctx, d->consent_given_at);
	/* Only when given, so a notification without wishes keeps the
	 * fingerprint it was stored with before wishes existed. */
	if (d->wishes != NULL)
		fingerprint_text(ctx, d->wishes);
	EVP_DigestFinal_ex(ctx, hash, NULL);
	EVP_MD_CTX_free(ctx);
	for (size_t i = 0; i < sizeof hash; i++) {
		hex[2 * i] = digits[hash[i] >> 4];
		hex[2 * i + 1] = digits[hash[i] & 0xf];
	}
	hex[2 * sizeof hash] = '\0';
}
