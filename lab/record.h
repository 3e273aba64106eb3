/*
 * record.h - a run's event stream in a file, and played back from it.
 *
 * `zcl run N --record FILE` writes every step the sinks saw (the syscall
 * record and its events), the receiver's count at each, then the run's
 * result; `zcl replay FILE` feeds the same steps to the same sinks, so the
 * timeline, the totals and the animation come out as they did live - with
 * no ptrace, no compiler, no stage binary. The format is text, one record
 * per line, tab-separated, strings escaped (\\ \t \n \r):
 *
 *   zcl-record 1                  the format and its version
 *   arch x86_64                   syscall numbers are this machine's
 *   setup slug solution size seed warm sg inject =file|-
 *   S seq pid tgid nr a0..a5 ret in(kind lab_input lab_socket tmpfs) out(4)
 *     filled src_in_filemap msg_more in_bracket injected deny_errno forged
 *     deferred ret_unknown received nevents =deny_why|-
 *   E kind from to bytes modelled =note|-          (nevents of them)
 *   verdict name expected received first_mismatch header_len tmpfs
 *     kernel_valid vol_cs invol_cs crosscheck_bad
 *   kernel rchar wchar syscr syscw   /proc/PID/io over the span (end - begin)
 *   exit exited exit_code term_signal timed_out
 *   reason|crosscheck|violation|output|diag =text
 *   totals syscalls mode_switches dma.count dma.bytes cpu.count cpu.bytes
 *     ref.count ref.bytes filled delivered
 *   end                           a file without it was cut short
 */
#ifndef ZCL_RECORD_H
#define ZCL_RECORD_H

#include <stddef.h>

#include "collect.h"
#include "runner.h"

#define ZCL_RECORD_MAGIC "zcl-record"
#define ZCL_RECORD_VERSION 2

struct zcl_recorder;

/* Start recording the run r (its setup now, its steps as they come; r must
 * live until zcl_record_close) into PATH.part. NULL with a one-line err when
 * that cannot be written. Free with zcl_record_close. */
struct zcl_recorder *zcl_record_open(const char *path, const struct zcl_run *r, char *err, size_t errlen);

/* The sink function: ctx is a struct zcl_recorder *. Write errors are
 * remembered and reported by zcl_record_close. */
void zcl_record_step(void *ctx, const struct zcl_sysrec *r, const struct zcl_event *ev, size_t n);

/* Write r's result and the end line, close, and rename PATH.part to PATH;
 * free rec. 0, or -1 with err when anything could not be written. With r
 * NULL (the run never finished) or on an error PATH.part is removed and an
 * earlier recording at PATH is left as it was. */
int zcl_record_close(struct zcl_recorder *rec, const struct zcl_run *r, char *err, size_t errlen);

/*
 * Play the recording at path: check all of it first (a foreign file, an
 * other version or machine, a line cut short, a missing end, events that do
 * not add up to the recorded totals are each a one-line err, and -1), then
 * call every sink's entry and step for each recorded step, in order. While
 * it plays, r->received_live points at the receiver's recorded count.
 * Afterwards r holds the setup and result as recorded (stage, size, verdict,
 * reason, totals, ...); free it with zcl_run_free. The strings events point
 * to stay valid until the next call. Control characters in the file's
 * strings (but newline and tab) are replaced by '?': a recording is not
 * trusted to write to a terminal.
 */
int zcl_record_replay(const char *path, const struct zcl_sink *sinks, size_t n, struct zcl_run *r,
		      char *err, size_t errlen);

#endif
