/*
 * cpr.h - Danish CPR numbers: syntax, real birth date, normal form.
 *
 * Contract: a CPR number is DDMMYY-SSSS or DDMMYYSSSS. It is valid when the
 * birth date it encodes exists, with the century taken from the 7th digit
 * (the CPR office's rule), and is not after today. Modulus 11 is NOT
 * checked: numbers without it have been issued since 2007. The normal form
 * is the ten digits without a dash. Nothing here logs or keeps the number.
 */
#ifndef MENTORD_CPR_H
#define MENTORD_CPR_H

#include "calendar.h"

#define CPR_LEN 11 /* ten digits + NUL */

enum cpr_result {
	CPR_OK = 0,
	CPR_BAD_FORMAT, /* not 10 digits with an optional dash after 6 */
	CPR_BAD_DATE,	/* the encoded birth date does not exist */
	CPR_FUTURE,	/* born after today */
};

enum cpr_result cpr_parse(const char *text, cal_day today, char normal[CPR_LEN], cal_day *birth);
const char *cpr_result_message(enum cpr_result result);

#endif
