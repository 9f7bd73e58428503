/*
 * phone.h - phone numbers as mentors dial them.
 *
 * Contract: Danish numbers (8 digits, first digit 2-9, optionally written
 * with +45 or 0045 and spaces) normalise to "+45dddddddd". Any other number
 * must be E.164: "+" then 8 to 15 digits, the first not 0; it is kept as
 * given, without spaces. Anything else is rejected.
 */
#ifndef MENTORD_PHONE_H
#define MENTORD_PHONE_H

#define PHONE_LEN 17 /* "+" + 15 digits + NUL */

int phone_normalise(const char *text, char out[PHONE_LEN]);

#endif
