/*
 * pace.c - the animation's timing as arithmetic (see pace.h): a full-pace
 * first time for every kind of copy, then a geometric slow-down to nothing.
 */
#include <string.h>

#include "pace.h"

/* A first copy's travel time per speed (ms): a table, so the README's
 * figures and the code are one. Speeds 8 and 9 animate nothing. */
static const double first_ms[ZCL_PACE_MAX + 1] = {
	[1] = 2600, [2] = 1700, [3] = 1100, [4] = 700, [5] = 400, [6] = 220, [7] = 110, [8] = 0, [9] = 0,
};

static int clamp_speed(int speed)
{
	return speed < 1 ? 1 : speed > ZCL_PACE_MAX ? ZCL_PACE_MAX : speed;
}

void zcl_pace_init(struct zcl_pace *p)
{
	memset(p, 0, sizeof *p);
}

static unsigned slot(long nr)
{
	return nr >= 0 && nr < ZCL_PACE_NR ? (unsigned)nr : ZCL_PACE_NR;
}

static bool is_copy(const struct zcl_event *e)
{
	return (e->kind == ZE_DMA || e->kind == ZE_CPU || e->kind == ZE_REF) &&
	       (unsigned)e->from < ZP__COUNT && (unsigned)e->to < ZP__COUNT;
}

/* first * DECAY^seen, or 0 once that is under two frames. */
static double shrink(double first, unsigned seen)
{
	double ms = first;
	for (unsigned i = 0; i < seen && ms >= ZCL_PACE_MIN_MS; i++) /* no libm: a few steps */
		ms *= ZCL_PACE_DECAY;
	return ms < ZCL_PACE_MIN_MS ? 0 : ms;
}

double zcl_pace_copy_ms(const struct zcl_pace *p, int speed, const struct zcl_event *e)
{
	if (!is_copy(e))
		return 0;
	return shrink(first_ms[clamp_speed(speed)], p->copies[e->kind][e->from][e->to]);
}

double zcl_pace_switch_ms(const struct zcl_pace *p, int speed, long nr)
{
	return shrink(first_ms[clamp_speed(speed)] / 4, p->calls[slot(nr)]);
}

double zcl_pace_coalesce_ms(int speed)
{
	speed = clamp_speed(speed);
	return speed <= 7 ? 40 : speed == 8 ? 100 : 250;
}

void zcl_pace_seen(struct zcl_pace *p, long nr, const struct zcl_event *ev, int n)
{
	p->calls[slot(nr)]++;
	for (int i = 0; i < n; i++)
		if (is_copy(&ev[i]))
			p->copies[ev[i].kind][ev[i].from][ev[i].to]++;
}
