/*
 * checker.c - one run's verdict.
 *
 * The order of the questions is the order a student should fix things in:
 * does it compile, does it finish (no crash, no timeout), is it written at
 * all, did it return an error (the failing syscall named) or a value the
 * contract does not know, did the right bytes arrive, and only then: did it
 * keep the stage's rules and reach its copy target (the data path only:
 * datapath.h; the gather stage on what left the socket: wire.h).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "model.h"
#include "runner.h"

#define EXIT_TODO 77 /* lab/harness.c */

const char *zcl_verdict_name(enum zcl_verdict v)
{
	static const char *const names[] = {
		[ZV_PASS] = "pass", [ZV_NOT_IMPLEMENTED] = "not-implemented",
		[ZV_WRONG_BYTES] = "wrong-bytes", [ZV_RULE] = "rule", [ZV_CRASH] = "crash",
		[ZV_TIMEOUT] = "timeout", [ZV_COMPILE_ERROR] = "compile-error",
		[ZV_ERROR] = "error", [ZV_WRONG_RETURN] = "wrong-return",
	};
	return (unsigned)v < sizeof names / sizeof names[0] && names[v] ? names[v] : "?";
}

static void violation(struct zcl_run *r, const char *fmt, ...)
{
	if (r->nviolations >= ZCL_MAX_VIOLATIONS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->violations[r->nviolations++], sizeof r->violations[0], fmt, ap);
	va_end(ap);
}

static void decide(struct zcl_run *r, enum zcl_verdict v, const char *fmt, ...)
{
	r->verdict = v;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
}

/* Why the header left before the body, as the student would fix it (one
 * violation: a reason is one line). */
static void header_alone(struct zcl_run *r, const struct zcl_gather *g)
{
	char seen[96] = "";
	if (g->measured && g->alone_segs > 0)
		snprintf(seen, sizeof seen, "; measured: %u segment%s, %llu bytes, left before the body",
			 g->alone_segs, g->alone_segs > 1 ? "s" : "", (unsigned long long)g->alone_bytes);
	if (g->nodelay_corked)
		violation(r, "header left alone: TCP_NODELAY set while corked pushed it out%s - "
			     "one extra packet per response", seen);
	else if (g->uncorked_early)
		violation(r, "header left alone: TCP_CORK cleared before the body was queued%s - "
			     "one extra packet per response", seen);
	else
		violation(r, "header left alone: %llu of its %llu bytes went without MSG_MORE (%s #%u)%s - "
			     "one extra packet per response", (unsigned long long)g->unheld_bytes,
			  (unsigned long long)g->header_bytes, zcl_syscall_name(g->unheld_nr), g->unheld_nth, seen);
}

/* The gather stage: judged on what left the host. Every header byte must be
 * held until the body is queued, and nothing may still be held when the
 * function returns (a ~200 ms stall on a connection that stays open). */
static void gather_rules(struct zcl_run *r)
{
	const struct zcl_gather *g = &r->totals.gather;
	/* A measured lone segment with every header byte held is the kernel's
	 * ~200 ms timer firing while the program was slow (a loaded machine):
	 * not a mistake in the code, so it needs one of the causes too. */
	if (r->size > 0 && g->body_started && (g->unheld_bytes > 0 || g->nodelay_corked || g->uncorked_early))
		header_alone(r, g);
	if (!g->returned)
		return;
	if (g->cork_at_return)
		violation(r, "TCP_CORK still on when your function returned: %u bytes sat unsent (measured), "
			     "a ~200 ms stall - clear it after the sendfile() loop", g->held_at_return);
	else if (g->last_more && g->held_at_return > 0)
		violation(r, "MSG_MORE on your last send%s: %u bytes sat unsent when your function returned "
			     "(measured), a ~200 ms stall", r->size == 0 ? " (an empty body)" : "", g->held_at_return);
	else if (g->last_more) /* the timer already fired: the program was slow */
		violation(r, "MSG_MORE on your last send%s: nothing follows it, so its bytes wait for a "
			     "~200 ms timer", r->size == 0 ? " (an empty body)" : "");
}

/* The harness's last words when the function returned neither 0 nor -1
 * ("stage function returned N: expected 0 or -1", lab/harness.c). */
static bool wrong_return(const char *out, long long *val)
{
	const char *p = NULL;
	for (const char *q = out; (q = strstr(q, "stage function returned ")); q++)
		p = q;
	if (!p || !strstr(p, "expected 0 or -1"))
		return false;
	*val = strtoll(p + strlen("stage function returned "), NULL, 10);
	return true;
}

/* The function returned an error, or a value the contract does not know. */
static void returned_error(struct zcl_run *r)
{
	const struct zcl_totals *t = &r->totals;
	long long val;
	if (wrong_return(r->output, &val)) {
		decide(r, ZV_WRONG_RETURN, "your function returned %lld%s: the contract is 0 once every byte "
		       "was handed over, -1 on error", val,
		       val > 0 && (unsigned long long)val == r->size ? " (the byte count)" : "");
	} else if (t->fail_nr >= 0) {
		const char *name = strerrorname_np(t->fail_errno);
		decide(r, ZV_ERROR, "your function returned -1 after %s() failed with %s (%s)%s",
		       zcl_syscall_name(t->fail_nr), name ? name : "an error", strerror(t->fail_errno),
		       t->fail_injected ? ": the lab injected that EINTR - retry an interrupted call" :
		       t->fail_nr == SYS_mmap && r->size == 0 ? ": mmap() cannot map 0 bytes - send nothing for an empty file" : "");
	} else {
		decide(r, ZV_ERROR, "your function returned -1 but no system call failed");
	}
}

/* MSG_ZEROCOPY: every byte to the socket from a zerocopy send (SO_ZEROCOPY
 * set, MSG_ZEROCOPY asked: zerocopy.h), and every such send's completion
 * reaped before the function returned (the pages are pinned until then). */
static void zerocopy_rules(struct zcl_run *r)
{
	const struct zcl_totals *t = &r->totals;
	uint64_t all = t->sock_user_bytes + t->sock_map_bytes + t->sock_kernel_bytes;
	if (all > t->zc_bytes)
		violation(r, "%llu bytes left without MSG_ZEROCOPY (send(..., MSG_ZEROCOPY) on a socket with "
			     "SO_ZEROCOPY set): the CPU copied them", (unsigned long long)(all - t->zc_bytes));
	if (t->zc_completed < t->zc_sends)
		violation(r, "%llu of %llu zerocopy sends had no completion reaped before your function returned: "
			     "their pages were still pinned (recvmsg(MSG_ERRQUEUE) until every send is covered)",
			  (unsigned long long)(t->zc_sends - t->zc_completed), (unsigned long long)t->zc_sends);
}

/* A zerocopy stage's pass: the sends, the completions, and the copy the
 * kernel made after all (measured; loopback always copies, a NIC would not:
 * not counted against the copy target, data_cpu_bytes leaves it out). */
static void zerocopy_facts(const struct zcl_run *r, char *buf, size_t len)
{
	const struct zcl_totals *t = &r->totals;
	snprintf(buf, len, "; MSG_ZEROCOPY: %llu sends, all completed; the kernel copied %llu bytes after all "
		 "(loopback: no NIC; not counted against the target)", (unsigned long long)t->zc_sends,
		 (unsigned long long)t->zc_copied_bytes);
}

/* The stage's rules and copy target; each broken rule is one violation. */
static void rules(struct zcl_run *r, bool prefix)
{
	const struct zcl_stage *s = r->stage;
	const struct zcl_totals *t = &r->totals;
	unsigned long long size = r->size, outs = (unsigned long long)zcl_stage_outputs(s);
	const char *to = s->output_noun;
	/* a contract that takes a buffer: the harness read the input before the bracket */
	uint64_t outside = t->outside_bytes - (zcl_contract_info(s->contract)->buffer ? t->preload_bytes : 0);
	if (outside > 0)
		violation(r, "%llu bytes moved on the lab's file or socket outside your function (first: %s)",
			  (unsigned long long)outside, zcl_syscall_name(t->outside_nr));
	if (s->zerocopy)
		zerocopy_rules(r);
	if (s->no_file_read && t->file_read_bytes > 0)
		violation(r, "read() copied %llu input bytes into your buffer: this stage must not",
			  (unsigned long long)t->file_read_bytes);
	if (s->kernel_body && !s->held_header && t->sock_user_bytes + t->sock_map_bytes > 0)
		violation(r, "%llu bytes were written to %s from your memory: this stage moves them inside the kernel",
			  (unsigned long long)(t->sock_user_bytes + t->sock_map_bytes), to);
	if (s->user_path && size > 0 && t->file_read_bytes < size)
		violation(r, "only %llu of %llu file bytes were read() into your buffer",
			  (unsigned long long)t->file_read_bytes, size);
	if (s->user_path && (t->sock_kernel_bytes || t->sock_map_bytes))
		violation(r, "%llu bytes reached the socket without passing through your buffer",
			  (unsigned long long)(t->sock_kernel_bytes + t->sock_map_bytes));
	if (s->map_writes && size > 0 && t->file_mmaps == 0)
		violation(r, "the file was never mmap()ed");
	if (s->map_writes && t->sock_user_bytes > 0)
		violation(r, "%llu bytes were written from a plain buffer, not from the mapping",
			  (unsigned long long)t->sock_user_bytes);
	if (s->map_writes && t->sock_kernel_bytes > 0)
		violation(r, "%llu bytes went through sendfile()/splice(): this stage writes from the mapping",
			  (unsigned long long)t->sock_kernel_bytes);
	if (s->kernel_body && size > 0 && t->sock_kernel_bytes < outs * size)
		violation(r, "only %llu of %llu input bytes went to %s inside the kernel",
			  (unsigned long long)t->sock_kernel_bytes, outs * size, to);
	if (s->held_header)
		gather_rules(r);
	unsigned long long allowed = (unsigned long long)(r->sg ? s->cpu_x : s->cpu_x_nosg) * size +
				     r->header_len;
	if (t->data_cpu_bytes > allowed)
		violation(r, "%llu bytes copied by the CPU; this stage's target is at most %llu",
			  (unsigned long long)t->data_cpu_bytes, allowed);
	if (!prefix && t->delivered_bytes != r->received_bytes)
		violation(r, "%llu bytes arrived but the lab saw %llu go into %s: "
			     "a syscall the model does not know moved data",
			  (unsigned long long)r->received_bytes, (unsigned long long)t->delivered_bytes, to);
}

/* Did every output get every byte, and nothing else? */
static bool outputs_whole(const struct zcl_run *r)
{
	int n = zcl_stage_outputs(r->stage);
	if (n == 1)
		return r->received_bytes == r->expected_bytes && r->first_mismatch < 0;
	for (int i = 0; i < n; i++)
		if (r->received_by[i] != r->expected_bytes / (uint64_t)n || r->mismatch_by[i] >= 0)
			return false;
	return true;
}

/* Two outputs: which one is short, long or wrong (into why). */
static void which_output(const struct zcl_run *r, char *why, size_t len)
{
	uint64_t per = r->expected_bytes / 2;
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "sock_b" : "sock_a";
		if (r->mismatch_by[i] >= 0)
			snprintf(why, len, "%s: byte %lld differs from the input", name, (long long)r->mismatch_by[i]);
		else if (r->received_by[i] != per)
			snprintf(why, len, "%s: %llu of %llu bytes arrived", name,
				 (unsigned long long)r->received_by[i], (unsigned long long)per);
		else
			continue;
		return;
	}
}

/* The bytes that arrived are not the file: why, as the verdict (or, when
 * the function returned an error, as a violation under that verdict). */
static void wrong_bytes(struct zcl_run *r, bool returned_error)
{
	char why[200];
	if (zcl_stage_outputs(r->stage) > 1)
		which_output(r, why, sizeof why);
	else if (r->first_mismatch >= 0)
		snprintf(why, sizeof why, "byte %lld differs from the input", (long long)r->first_mismatch);
	else if (r->received_bytes < r->expected_bytes)
		snprintf(why, sizeof why, "%llu of %llu bytes arrived: %llu missing",
			 (unsigned long long)r->received_bytes, (unsigned long long)r->expected_bytes,
			 (unsigned long long)(r->expected_bytes - r->received_bytes));
	else
		snprintf(why, sizeof why, "%llu bytes arrived, %llu extra", (unsigned long long)r->received_bytes,
			 (unsigned long long)(r->received_bytes - r->expected_bytes));
	if (returned_error)
		violation(r, "%s", why);
	else
		decide(r, ZV_WRONG_BYTES, "%s", why);
}

/* A run the time limit ended: the rules, judged on what the tracer saw as
 * if the input were the bytes that arrived (a correct program too slow to
 * trace to its end: grader.c judges it on this prefix). The violations
 * found are recorded, the count in r->prefix_violations. */
static void prefix_rules(struct zcl_run *r)
{
	uint64_t size = r->size, outs = (uint64_t)zcl_stage_outputs(r->stage);
	int before = r->nviolations;
	if (r->first_mismatch >= 0 || r->received_bytes <= r->header_len) {
		r->prefix_violations = -1; /* nothing right arrived: nothing to judge */
		return;
	}
	/* the input read so far may run ahead of what arrived by a call in flight */
	uint64_t arrived = (r->received_bytes - r->header_len) / (outs ? outs : 1);
	r->size = r->totals.file_read_bytes > arrived ? r->totals.file_read_bytes : arrived;
	if (r->size > size)
		r->size = size;
	rules(r, true);
	r->size = size;
	r->prefix_violations = r->nviolations - before;
}

/* An output file: what the filesystem did, measured (its extents) and the
 * write-back it owes (the pages the copy dirtied: write_bytes). */
static void copy_facts(const struct zcl_run *r, char *buf, size_t len)
{
	const struct zcl_extents *e = &r->out_extents;
	const struct zcl_kernel_acct *k = &r->kernel;
	int used = 0;
	if (!e->measured)
		used = snprintf(buf, len, "; the filesystem's extents could not be read (%s)", strerror(e->error));
	else if (r->size > 0 && e->shared_bytes >= r->size)
		used = snprintf(buf, len, "; reflink: the output shares all its blocks with the input, nothing copied");
	else
		used = snprintf(buf, len, "; copied in the kernel: %llu of %llu bytes share blocks (no reflink), "
				"%llu await write-back", (unsigned long long)e->shared_bytes,
				(unsigned long long)r->size, (unsigned long long)e->delalloc_bytes);
	if (used > 0 && (size_t)used < len && k->begin.valid && k->end.valid)
		snprintf(buf + used, len - (size_t)used, ", write_bytes %llu",
			 (unsigned long long)(k->end.write_bytes - k->begin.write_bytes));
}

void zcl_check_run(struct zcl_run *r)
{
	r->nviolations = 0;
	r->prefix_violations = -1;
	r->reason[0] = 0;
	if (r->verdict == ZV_COMPILE_ERROR) {
		decide(r, ZV_COMPILE_ERROR, "the compiler rejected %s", r->solution ? "the solution" : "your exercise");
		return;
	}
	const struct zcl_trace_result *tr = &r->tr;
	const struct zcl_totals *t = &r->totals;
	/* A refused call comes first: whatever followed was the program
	 * coping with the refusal. */
	for (int i = 0; i < t->denied && i < 4; i++)
		violation(r, "denied: %s (%s)", zcl_syscall_name(t->denied_nr[i]), t->denied_why[i]);
	if (t->denied > 0) {
		decide(r, ZV_RULE, "%s", r->violations[0]);
		return;
	}
	if (t->forged_marks > 0) {
		violation(r, "forged bracket marker: %d marker-like call%s without the run's token or out of order",
			  t->forged_marks, t->forged_marks > 1 ? "s" : "");
		decide(r, ZV_RULE, "%s", r->violations[0]);
		return;
	}
	if (tr->timed_out) {
		if (!r->untraced)
			prefix_rules(r);
		decide(r, ZV_TIMEOUT, "the time limit ran out (%.3g s of its own time, the tracer's cost not counted): "
				      "killed", r->timeout_s);
		return;
	}
	if (tr->term_signal == SIGSYS) {
		violation(r, "denied: a syscall of another ABI (x32 or int 0x80): the lab cannot read it, "
			     "so the sandbox killed the program");
		decide(r, ZV_RULE, "%s", r->violations[0]);
		return;
	}
	if (tr->term_signal) {
		decide(r, ZV_CRASH, "killed by signal %d (%s)", tr->term_signal, strsignal(tr->term_signal));
		return;
	}
	if (r->untraced) { /* no tracer, no accounting: the exit and the bytes */
		if (tr->term_signal)
			decide(r, ZV_CRASH, "killed by signal %d (%s)", tr->term_signal, strsignal(tr->term_signal));
		else if (tr->exit_code == EXIT_TODO)
			decide(r, ZV_NOT_IMPLEMENTED, "the stage function still returns ZCL_TODO");
		else if (tr->exit_code != 0 || !outputs_whole(r))
			decide(r, ZV_WRONG_BYTES, "%llu of %llu bytes arrived intact (exit status %d)",
			       (unsigned long long)(r->first_mismatch >= 0 ? (uint64_t)r->first_mismatch : r->received_bytes),
			       (unsigned long long)r->expected_bytes, tr->exit_code);
		else
			decide(r, ZV_PASS, "all %llu bytes arrived intact (untraced: rules not checked)",
			       (unsigned long long)r->expected_bytes);
		return;
	}
	if (tr->exited && tr->exit_code == EXIT_TODO && r->totals.marks == 2) {
		decide(r, ZV_NOT_IMPLEMENTED, "the stage function still returns ZCL_TODO");
		return;
	}
	if (tr->exited && tr->exit_code != 0 && tr->exit_code != 1) {
		decide(r, ZV_CRASH, "exited with status %d before your function returned", tr->exit_code);
		return;
	}
	if (r->totals.marks != 2) {
		decide(r, ZV_CRASH, "the program ended before your function returned");
		return;
	}
	bool correct = outputs_whole(r);
	if (tr->exit_code == 1)
		returned_error(r);
	if (!correct) {
		wrong_bytes(r, tr->exit_code == 1);
		return;
	}
	if (tr->exit_code == 1)
		return;
	rules(r, false);
	if (r->nviolations > 0) {
		decide(r, ZV_RULE, "%s", r->violations[0]);
		return;
	}
	char how[160] = "";
	if (r->stage->output == ZOUT_FILE)
		copy_facts(r, how, sizeof how);
	else if (r->stage->zerocopy)
		zerocopy_facts(r, how, sizeof how);
	decide(r, ZV_PASS, "all %llu bytes arrived intact, rules kept%s",
	       (unsigned long long)r->expected_bytes, how);
}
