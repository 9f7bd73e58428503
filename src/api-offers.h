/*
 * api-offers.h - /v1/offers: the catalogue (mentors read, admins edit).
 */
#ifndef MENTORD_API_OFFERS_H
#define MENTORD_API_OFFERS_H

struct mentord;

void api_offers_register(struct mentord *m);

#endif
