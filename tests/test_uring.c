/*
 * test_uring.c - io_uring and MSG_ZEROCOPY made visible by `zcl trace`
 * (issue 12): the operations read from the rings become records with
 * copies and no mode switch, SEND_ZC shows its two CQEs, what cannot be
 * decoded is said, and MSG_ZEROCOPY's completions show the kernel's
 * deferred copy of exactly the bytes sent (loopback).
 *
 * The programs are the modes of tests/uring_prog.c (liburing), built into
 * a scratch directory; the checks read `zcl trace --json`'s lines.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "input.h"
#include "model.h"
#include "pagecache.h"
#include "params.h"
#include "uring.h"

static void make_dir(void) { make_test_dir("uring"); }

TestSuite(uring, .init = make_dir, .fini = drop_test_dir);

static const char *prog(void)
{
	static char bin[128];
	char cmd[512];
	snprintf(bin, sizeof bin, "%s/uring_prog", test_dir);
	snprintf(cmd, sizeof cmd, "cc -O2 -pthread -o %s %s/tests/uring_prog.c -luring", bin, getenv("ZCL_ROOT"));
	cr_assert_eq(system(cmd), 0, "%s", cmd);
	return bin;
}

/* Run `zcl trace [--json] -o LOG -- uring_prog mode [arg]`; the log (static). */
static char *trace(bool json, const char *mode, const char *arg)
{
	static char text[1 << 20];
	char log[256];
	snprintf(log, sizeof log, "%s/trace.log", test_dir);
	const char *argv[] = {"trace", "-o", log, json ? "--json" : "--", json ? "--" : prog(),
			      json ? prog() : mode, json ? mode : arg, json ? arg : NULL, NULL};
	struct cli r = run_cli(argv);
	cr_assert_eq(r.status, 0, "%s", r.err);
	FILE *f = fopen(log, "r");
	cr_assert_not_null(f);
	size_t k = fread(text, 1, sizeof text - 1, f);
	text[k] = 0;
	fclose(f);
	return text;
}

/* What the records named `name` (a prefix) add up to. */
struct sum {
	int records;
	long long ret;                 /* their return values */
	long long fill, cpu, ref;      /* DMA disk -> page cache, CPU, by reference */
	int op_events, syscall_events; /* first events: ZE_OP, ZE_SYSCALL */
	int notes;                     /* events whose note holds `needle` */
};

static struct sum add_up(const char *log, const char *name, const char *needle)
{
	struct sum s = {0};
	char *copy = strdup(log), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line), *v, *ev;
		if (!o || !json_object_object_get_ex(o, "syscall", &v) ||
		    strncmp(json_object_get_string(v), name, strlen(name)) != 0) {
			json_object_put(o);
			continue;
		}
		s.records++;
		json_object_object_get_ex(o, "ret", &v);
		s.ret += json_object_get_int64(v);
		json_object_object_get_ex(o, "events", &ev);
		for (size_t i = 0; i < json_object_array_length(ev); i++) {
			json_object *e = json_object_array_get_idx(ev, i), *k, *from, *to, *b, *note;
			json_object_object_get_ex(e, "kind", &k);
			json_object_object_get_ex(e, "from", &from);
			json_object_object_get_ex(e, "to", &to);
			json_object_object_get_ex(e, "bytes", &b);
			json_object_object_get_ex(e, "note", &note);
			const char *kind = json_object_get_string(k);
			long long bytes = json_object_get_int64(b);
			s.op_events += i == 0 && !strcmp(kind, "op");
			s.syscall_events += !strcmp(kind, "syscall");
			s.cpu += !strcmp(kind, "cpu") ? bytes : 0;
			s.ref += !strcmp(kind, "ref") ? bytes : 0;
			s.fill += !strcmp(kind, "dma") && !strcmp(json_object_get_string(from), "disk") &&
					  !strcmp(json_object_get_string(to), "page cache") ? bytes : 0;
			s.notes += needle && note && strstr(json_object_get_string(note), needle) != NULL;
		}
		json_object_put(o);
	}
	free(copy);
	return s;
}

Test(uring, a_cold_read_through_io_uring_shows_its_disk_fill_and_cpu_copy_with_no_mode_switch)
{
	char path[128];
	uint64_t size = 512 * 1024;
	snprintf(path, sizeof path, "%s/cold", test_dir);
	cr_assert_eq(zcl_gen_file(path, 7, size), 0);
	int fd = open(path, O_RDONLY);
	cr_assert_geq(zcl_pc_evict(fd), 0);
	close(fd);
	char *log = trace(true, "read", path);
	struct sum rd = add_up(log, "io_uring:READ", NULL), en = add_up(log, "io_uring_enter", NULL);
	cr_expect_eq(rd.ret, (long long)size, "the READ operations returned %lld bytes", rd.ret);
	cr_expect_eq(rd.cpu, (long long)size, "CPU page cache -> user: %lld", rd.cpu);
	cr_expect_gt(rd.fill, 0, "a cold file: the disk filled the page cache");
	cr_expect_eq(rd.op_events, rd.records, "every operation's record starts with an op event");
	cr_expect_eq(rd.syscall_events, 0, "an operation has no mode switch of its own");
	cr_expect_geq(rd.records, 3 * en.records, "%d READs in %d io_uring_enter calls", rd.records, en.records);
}

Test(uring, a_completion_reaped_with_no_syscall_is_read_when_the_process_exits)
{
	char path[128];
	snprintf(path, sizeof path, "%s/small", test_dir);
	cr_assert_eq(zcl_gen_file(path, 3, 8192), 0);
	char *log = trace(true, "peek", path);
	struct sum rd = add_up(log, "io_uring:READ", NULL);
	cr_expect_eq(rd.records, 1, "the READ was seen");
	cr_expect_eq(rd.ret, 4096);
	cr_expect_eq(rd.cpu, 4096);
}

Test(uring, an_operation_that_skips_its_completion_is_shown_with_its_result_unknown)
{
	char *log = trace(true, "skip", NULL);
	struct sum nop = add_up(log, "io_uring:NOP", NULL);
	cr_expect_eq(nop.records, 2, "both NOPs are shown");
	cr_expect(strstr(log, "\"ret_from\":\"unknown\"") != NULL, "the skipped one's result is unknown");
}

Test(uring, send_zc_shows_the_result_and_the_notification)
{
	char *log = trace(true, "sendzc", NULL);
	struct sum zc = add_up(log, "io_uring:SEND_ZC", "notification");
	cr_expect_eq(zc.records, 2, "two CQEs: the result and the notification");
	cr_expect_eq(zc.notes, 1, "one of them is the notification");
	cr_expect_eq(zc.ref, 64 * 1024, "the pages were referenced, not copied, at the send");
	cr_expect_eq(zc.cpu, 64 * 1024, "loopback: the notification says the kernel copied them after all");
	cr_expect(strstr(log, "deferred copy: the kernel copied") != NULL, "the copy is the measured one");
	cr_expect(strstr(log, "\"io_uring\":{\"enter_calls\":") != NULL, "the summary counts operations");
}

Test(uring, what_cannot_be_decoded_is_said_plainly)
{
	char *log = trace(false, "sqpoll", NULL);
	cr_expect(strstr(log, "not seen       io_uring") && strstr(log, "SQPOLL"), "%s", log);
	log = trace(false, "regring", NULL);
	cr_expect(strstr(log, "IORING_ENTER_REGISTERED_RING"), "%s", log);
}

Test(uring, msg_zerocopy_pins_the_pages_and_the_completions_show_the_deferred_copy)
{
	char *log = trace(true, "msgzc", NULL);
	struct sum snd = add_up(log, "sendto", NULL), err = add_up(log, "recvmsg", "deferred copy");
	cr_expect_eq(snd.ret, 1 << 20, "1 MiB sent");
	cr_expect_eq(snd.ref, 1 << 20, "MSG_ZEROCOPY: pinned pages, by reference");
	cr_expect_eq(snd.cpu, 0, "no CPU copy at the send");
	cr_expect_geq(err.notes, 1, "a completion said the kernel copied (loopback)");
	cr_expect_eq(err.cpu, 1 << 20, "the deferred copy equals the bytes sent: %lld", err.cpu);
}

/* The model alone: an operation's record and a zerocopy send to a real NIC. */
Test(uring, the_model_gives_operations_no_mode_switch_and_zerocopy_no_cpu_copy)
{
	struct zcl_event ev[ZCL_MAX_EVENTS_PER_CALL];
	struct zcl_sysrec op = {.nr = ZCL_NR_URING + 22 /* IORING_OP_READ */, .ret = 4096, .filled_bytes = 4096,
				.in = {.kind = ZF_FILE, .cls = ZC_FILE}};
	size_t n = zcl_model(&op, true, ev, ZCL_MAX_EVENTS_PER_CALL);
	cr_assert_eq(n, 3);
	cr_expect_eq(ev[0].kind, ZE_OP);
	cr_expect_eq(ev[1].kind, ZE_DMA);
	cr_expect_eq(ev[2].kind, ZE_CPU);
	cr_expect_str_eq(zcl_syscall_name(op.nr), "io_uring:READ");
	struct zcl_sysrec snd = {.nr = 44 /* sendto */, .ret = 8192, .zerocopy = true,
				 .out = {.kind = ZF_SOCKET, .cls = ZC_TCP, .route = ZR_DEVICE, .dev_sg = 1}};
	n = zcl_model(&snd, true, ev, ZCL_MAX_EVENTS_PER_CALL);
	for (size_t i = 1; i < n; i++)
		cr_expect_neq(ev[i].kind, ZE_CPU, "a zerocopy send to a real NIC copies nothing");
	cr_expect_eq(ev[1].kind, ZE_REF);
}
